/**
 * bzip2 compression of a file into a file with compressjs. compressjs is synchronous and
 * pulls bytes one at a time, so it is fed through small fd-backed buffers: memory stays at
 * a bzip2 block (900 kB) plus two 1 MiB buffers whatever the file size. It blocks the event
 * loop while it runs, which is acceptable for package building.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

const BUFFER_SIZE = 1 << 20;

/**
 * Compress `inputPath` into `outputPath` (created or truncated); level is bzip2's 1..9.
 * compressjs is loaded on first use: only `index` and `.tar.bz2` writing need it.
 */
export async function bzip2CompressFile(inputPath: string, outputPath: string, level = 9): Promise<void> {
  const { default: compressjs } = await import('compressjs');
  const input = openSync(inputPath, 'r');
  try {
    const output = openSync(outputPath, 'w');
    try {
      const reader = new FdByteReader(input);
      const writer = new FdByteWriter(output);
      compressjs.Bzip2.compressFile(reader, writer, level);
      writer.flush();
    } finally {
      closeSync(output);
    }
  } finally {
    closeSync(input);
  }
}

class FdByteReader {
  readonly #fd: number;
  readonly #buffer = Buffer.allocUnsafe(BUFFER_SIZE);
  #length = 0;
  #position = 0;
  #eof = false;

  constructor(fd: number) {
    this.#fd = fd;
  }

  readByte(): number {
    if (this.#position >= this.#length) {
      if (this.#eof) return -1;
      this.#length = readSync(this.#fd, this.#buffer, 0, BUFFER_SIZE, null);
      this.#position = 0;
      if (this.#length === 0) {
        this.#eof = true;
        return -1;
      }
    }
    return this.#buffer[this.#position++] as number;
  }

  eof(): boolean {
    return this.#eof;
  }
}

class FdByteWriter {
  readonly #fd: number;
  readonly #buffer = Buffer.allocUnsafe(BUFFER_SIZE);
  #length = 0;

  constructor(fd: number) {
    this.#fd = fd;
  }

  writeByte(byte: number): void {
    if (this.#length === BUFFER_SIZE) this.flush();
    this.#buffer[this.#length++] = byte;
  }

  flush(): void {
    let offset = 0;
    while (offset < this.#length) offset += writeSync(this.#fd, this.#buffer, offset, this.#length - offset);
    this.#length = 0;
  }
}

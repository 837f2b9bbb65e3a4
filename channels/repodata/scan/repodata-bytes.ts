/**
 * Where a lazily indexed repodata.json's bytes are read back from: a Buffer already in
 * memory (decompressed `.zst`/`.bz2` of a local channel), or the file itself, read by
 * offset. Reading the file keeps hundreds of MB out of the process: the OS page cache
 * holds them, and gives them back under memory pressure.
 *
 * A file is read through the descriptor opened for the scan, never reopened by path: a
 * cache refresh that renames a new file over it leaves this one intact until it is closed.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { TaipanError } from '../../model/errors.js';
import { RepodataScanner, type ScannedRepodata } from './json-scan.js';
import { unreadableRepodata } from '../repodata-errors.js';

export interface RepodataBytes {
  /** The bytes `[start, end)` of the file; valid until the next `read` (the buffer may be reused). */
  read(start: number, end: number): Buffer;
  /** Nothing more will be read (every name is built); a later `read` fails. */
  release(): void;
}

export class BufferBytes implements RepodataBytes {
  constructor(private bytes: Buffer | undefined) {}

  read(start: number, end: number): Buffer {
    if (this.bytes === undefined) throw new RangeError('repodata bytes read after release');
    return this.bytes.subarray(start, end);
  }

  release(): void {
    this.bytes = undefined;
  }
}

/** Closes descriptors whose FileBytes was collected without a release (a subdir whose names were not all built). */
const descriptors = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Already closed: nothing to do.
  }
});

const SCAN_CHUNK = 4 << 20;

export class FileBytes implements RepodataBytes {
  private fd: number | undefined;
  private scratch = Buffer.alloc(0);

  private constructor(
    fd: number,
    private readonly file: string,
    private readonly size: number,
  ) {
    this.fd = fd;
    descriptors.register(this, fd, this);
  }

  /** Opens `file` for reading by offset. ENOENT and other open errors are thrown as they are. */
  static open(file: string): FileBytes {
    const fd = openSync(file, 'r');
    try {
      return new FileBytes(fd, file, fstatSync(fd).size);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Its size when it was opened. */
  get byteLength(): number {
    return this.size;
  }

  /**
   * Opens `file` and scans it in chunks. ENOENT and other open errors are thrown as they are
   * (callers tell a missing file from a damaged one); a scan error closes the file.
   */
  static scan(file: string, source: string): { bytes: FileBytes; scanned: ScannedRepodata } {
    const bytes = FileBytes.open(file);
    try {
      const fd = bytes.fd as number;
      const scanner = new RepodataScanner(source);
      const chunk = Buffer.allocUnsafe(Math.min(SCAN_CHUNK, Math.max(1, bytes.size)));
      for (let position = 0; ; ) {
        const n = readSync(fd, chunk, 0, chunk.length, position);
        if (n === 0) break;
        scanner.feed(n === chunk.length ? chunk : chunk.subarray(0, n));
        position += n;
      }
      return { bytes, scanned: scanner.finish() };
    } catch (error) {
      bytes.release();
      throw error;
    }
  }

  read(start: number, end: number): Buffer {
    if (this.fd === undefined) throw new RangeError(`'${this.file}' read after release`);
    // One buffer for every read (runs are at most about a MB, see json-scan.ts): a new one per
    // read would leave external memory behind until a full GC.
    if (this.scratch.length < end - start) this.scratch = Buffer.allocUnsafe(Math.max(end - start, 2 * this.scratch.length));
    const out = this.scratch.subarray(0, end - start);
    let done = 0;
    while (done < out.length) {
      let n: number;
      try {
        n = readSync(this.fd, out, done, out.length - done, start + done);
      } catch (error) {
        throw unreadableRepodata(this.file, error);
      }
      if (n === 0) {
        throw new TaipanError('INVALID_REPODATA', `'${this.file}' became shorter while in use (${this.size} bytes when it was indexed)`, {
          hint: 'another process rewrote it in place; run the command again',
        });
      }
      done += n;
    }
    return out;
  }

  release(): void {
    if (this.fd === undefined) return;
    descriptors.unregister(this);
    const fd = this.fd;
    this.fd = undefined;
    this.scratch = Buffer.alloc(0);
    closeSync(fd);
  }
}

/** Streaming decompressors for the two compressions conda archives use. */
import { Transform, type Duplex, type TransformCallback } from 'node:stream';
import { Decompress } from 'fzstd';
import unbzip2Stream from 'unbzip2-stream';

/**
 * bzip2 → raw bytes, as a stream. unbzip2-stream decodes block by block (so memory stays at
 * about one bzip2 block) but is a classic "through" stream; this wraps it in a real Transform
 * so it composes with `pipeline` and async iteration.
 */
export class Bunzip2Stream extends Transform {
  readonly #decoder: Duplex = unbzip2Stream();
  #finish: TransformCallback | undefined;
  #failed = false;

  constructor() {
    super();
    this.#decoder.on('data', (chunk: Buffer) => this.push(chunk));
    this.#decoder.on('error', (err: Error) => {
      this.#failed = true;
      const finish = this.#finish;
      this.#finish = undefined;
      if (finish !== undefined) finish(err);
      else this.destroy(err);
    });
    this.#decoder.on('end', () => {
      const finish = this.#finish;
      this.#finish = undefined;
      finish?.();
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.#failed) this.#decoder.write(chunk);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.#failed) return;
    this.#finish = callback;
    this.#decoder.end();
  }
}

/**
 * zstd → raw bytes, as a stream. fzstd's streaming decoder keeps only the frame window,
 * so memory stays bounded whatever the size of the member.
 */
export class ZstdDecompressStream extends Transform {
  readonly #decoder: Decompress;

  constructor() {
    super();
    this.#decoder = new Decompress((data) => {
      // fzstd hands out a fresh array per block, so it can be wrapped without a copy.
      if (data.length > 0) this.push(Buffer.from(data.buffer, data.byteOffset, data.length));
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#decoder.push(chunk);
      callback();
    } catch (err) {
      callback(asError(err, 'invalid zstd data'));
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      // `final` makes fzstd throw when the last frame is incomplete (a truncated member).
      this.#decoder.push(new Uint8Array(0), true);
      callback();
    } catch (err) {
      callback(asError(err, 'truncated zstd data'));
    }
  }
}

function asError(err: unknown, fallback: string): Error {
  if (err instanceof Error) return err;
  // Errors from another realm (vm contexts) fail instanceof; keep their message.
  const message = (err as { message?: unknown } | undefined)?.message;
  return new Error(typeof message === 'string' ? message : fallback);
}

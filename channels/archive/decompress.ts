/**
 * Streaming decompressors for the two compressions conda archives use. Both decode small
 * inputs in one piece with a WASM build of the reference library (several times faster
 * than the pure-JS decoders) and stream everything else through the JS decoder, which
 * keeps memory bounded whatever the size. The JS decoders are imported when a stream first
 * needs one, not when this module loads.
 */
import { Transform, type Duplex, type TransformCallback } from 'node:stream';
import type { Decompress } from 'fzstd';
import { BZIP2_HOLD_LIMIT, bzip2DecodeWhole } from './bzip2-wasm.js';
import type { LazyModule } from '../util/lazy-module.js';
import { FZSTD, UNBZIP2_STREAM } from '../util/libraries.js';
import { declaredContentSize, ONE_SHOT_LIMIT, zstdDecodeDeclared } from './zstd-wasm.js';

/**
 * Holds its input while `keepHolding` agrees, then decodes it in one piece with
 * `decodeWhole`; when either declines, the held input and the rest go to the streaming
 * decoder (`streamWrite` / `streamEnd`).
 */
abstract class OneShotOrStreaming extends Transform {
  #held: Buffer[] | undefined = [];
  #heldBytes = 0;

  /** Whether to go on holding, given how many bytes are held and the chunks themselves. */
  protected abstract keepHolding(heldBytes: number, held: readonly Buffer[]): boolean;
  /** The whole output, or undefined to stream instead; throws on damaged data. */
  protected abstract decodeWhole(data: Buffer): Promise<Uint8Array | undefined>;
  /** The streaming decoder's library: streamWrite and streamEnd run only once it is loaded. */
  protected abstract readonly streamingLibrary: LazyModule<unknown>;
  protected abstract streamWrite(chunk: Buffer): void;
  protected abstract streamEnd(callback: TransformCallback): void;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (this.#held !== undefined) {
        this.#held.push(chunk);
        this.#heldBytes += chunk.length;
        if (this.keepHolding(this.#heldBytes, this.#held)) return callback();
        const held = this.#held;
        this.#held = undefined;
        return this.#writeStreaming(held, callback);
      }
      this.#writeStreaming([chunk], callback);
    } catch (err) {
      callback(asError(err, 'invalid compressed data'));
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.#held === undefined) return this.streamEnd(callback);
    const data = Buffer.concat(this.#held);
    this.#held = undefined;
    this.decodeWhole(data).then(
      (out) => {
        if (out === undefined) {
          return this.#writeStreaming([data], (err) => (err ? callback(err) : this.streamEnd(callback)));
        }
        if (out.length > 0) this.push(Buffer.from(out.buffer, out.byteOffset, out.length));
        callback();
      },
      (err: unknown) => callback(asError(err, 'invalid compressed data')),
    );
  }

  /** Feed `chunks` to the streaming decoder, its library imported first when this is the first need. */
  #writeStreaming(chunks: readonly Buffer[], callback: TransformCallback): void {
    const write = (): void => {
      try {
        for (const piece of chunks) this.streamWrite(piece);
      } catch (err) {
        return callback(asError(err, 'invalid compressed data'));
      }
      callback();
    };
    if (this.streamingLibrary.loaded !== undefined) return write();
    this.streamingLibrary.load().then(write, (err: unknown) => callback(asError(err, 'invalid compressed data')));
  }
}

/**
 * bzip2 → raw bytes. unbzip2-stream, the streaming path, decodes block by block (so memory
 * stays at about one bzip2 block) but is a classic "through" stream, wrapped here so the
 * whole composes with `pipeline` and async iteration.
 */
export class Bunzip2Stream extends OneShotOrStreaming {
  protected readonly streamingLibrary = UNBZIP2_STREAM;
  #decoder: Duplex | undefined;
  #finish: TransformCallback | undefined;
  #failed = false;

  protected keepHolding(heldBytes: number): boolean {
    return heldBytes <= BZIP2_HOLD_LIMIT;
  }

  protected decodeWhole(data: Buffer): Promise<Uint8Array | undefined> {
    return bzip2DecodeWhole(data);
  }

  protected streamWrite(chunk: Buffer): void {
    if (!this.#failed) this.#streaming().write(chunk);
  }

  protected streamEnd(callback: TransformCallback): void {
    if (this.#failed) return;
    this.#finish = callback;
    this.#streaming().end();
  }

  #streaming(): Duplex {
    if (this.#decoder !== undefined) return this.#decoder;
    const decoder = UNBZIP2_STREAM.value();
    decoder.on('data', (chunk: Buffer) => this.push(chunk));
    decoder.on('error', (err: Error) => {
      this.#failed = true;
      const finish = this.#finish;
      this.#finish = undefined;
      if (finish !== undefined) finish(err);
      else this.destroy(err);
    });
    decoder.on('end', () => {
      const finish = this.#finish;
      this.#finish = undefined;
      finish?.();
    });
    this.#decoder = decoder;
    return decoder;
  }
}

/** Magic, descriptor, window, dictionary id and content size: at most 18 bytes. */
const MAX_FRAME_HEADER = 18;

/**
 * zstd → raw bytes. A frame whose header declares a size up to ONE_SHOT_LIMIT is decoded in
 * one piece by libzstd; anything else goes through fzstd's streaming decoder, which keeps
 * only the frame window.
 */
export class ZstdDecompressStream extends OneShotOrStreaming {
  protected readonly streamingLibrary = FZSTD;
  #decoder: Decompress | undefined;
  /** The first frame's declared size (-1: none); read once the header has arrived. */
  #declared: number | undefined;

  protected keepHolding(heldBytes: number, held: readonly Buffer[]): boolean {
    if (heldBytes < MAX_FRAME_HEADER) return true;
    this.#declared ??= declaredContentSize(Buffer.concat(held)) ?? -1;
    // Held input is bounded by the limit too (several frames may follow the first).
    return this.#declared >= 0 && this.#declared <= ONE_SHOT_LIMIT && heldBytes <= ONE_SHOT_LIMIT;
  }

  protected decodeWhole(data: Buffer): Promise<Uint8Array | undefined> {
    return zstdDecodeDeclared(data);
  }

  protected streamWrite(chunk: Buffer): void {
    this.#streaming().push(chunk);
  }

  protected streamEnd(callback: TransformCallback): void {
    try {
      // `final` makes fzstd throw when the last frame is incomplete (a truncated member).
      this.#streaming().push(new Uint8Array(0), true);
      callback();
    } catch (err) {
      callback(asError(err, 'truncated zstd data'));
    }
  }

  #streaming(): Decompress {
    this.#decoder ??= new FZSTD.value.Decompress((data) => {
      // fzstd hands out a fresh array per block, so it can be wrapped without a copy.
      if (data.length > 0) this.push(Buffer.from(data.buffer, data.byteOffset, data.length));
    });
    return this.#decoder;
  }
}

function asError(err: unknown, fallback: string): Error {
  if (err instanceof Error) return err;
  // Errors from another realm (vm contexts) fail instanceof; keep their message.
  const message = (err as { message?: unknown } | undefined)?.message;
  return new Error(typeof message === 'string' ? message : fallback);
}

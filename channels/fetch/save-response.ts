/**
 * Streaming a response body into a file, through optional transforms (decompression,
 * hashing), reporting bytes as they arrive. The caller chooses the file name: it is meant
 * to be a temporary one, renamed only once the content has been checked.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TaipanError } from '../model/errors.js';
import { asDiskError, isDiskError } from '../util/disk-errors.js';
import { testFaultPoint, type FaultSite } from '../util/test-hooks.js';
import type { HttpResponse } from './http-client.js';

/**
 * A file written synchronously, chunk by chunk. A chunk lands in the page cache in
 * microseconds, while an asynchronous write costs a thread-pool round trip during which the
 * pipeline stops reading the socket: chained over the hundreds of chunks of a body, those
 * waits made the disk, not the network, the slowest part of a download from 127.0.0.1.
 */
class FileSink extends Writable {
  #fd: number | undefined;

  constructor(private readonly file: string) {
    super();
  }

  override _construct(callback: (error?: Error | null) => void): void {
    try {
      this.#fd = openSync(this.file, 'w');
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      for (let done = 0; done < chunk.length; ) done += writeSync(this.#fd as number, chunk, done, chunk.length - done);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#close(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#close((closeError) => callback(error ?? closeError));
  }

  #close(callback: (error?: Error | null) => void): void {
    const fd = this.#fd;
    this.#fd = undefined;
    try {
      if (fd !== undefined) closeSync(fd);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }
}

/** Bytes received so far for one URL; `total` from Content-Length when the server sent it. */
export interface DownloadProgress {
  readonly url: string;
  readonly bytes: number;
  readonly total: number | undefined;
}

export interface SaveOptions {
  transforms?: readonly Transform[];
  onProgress?: (progress: DownloadProgress) => void;
  /** Sees each chunk of the content as it is written (after the transforms), e.g. to index it while it arrives. */
  onContent?: (chunk: Buffer) => void;
  /** Test-only fault injection site counted per chunk written (see channels/test-hooks.ts). */
  faultSite?: FaultSite;
}

/** Write the body of `response` to `file`. Returns the number of body bytes received. */
export async function saveResponse(response: HttpResponse, file: string, options: SaveOptions = {}): Promise<number> {
  const length = Number(response.headers['content-length']);
  const total = Number.isFinite(length) && length >= 0 ? length : undefined;
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      bytes += chunk.length;
      options.onProgress?.({ url: response.url, bytes, total });
      if (options.faultSite !== undefined) {
        try {
          testFaultPoint(options.faultSite, 'write', file);
        } catch (error) {
          callback(error as Error);
          return;
        }
      }
      callback(null, chunk);
    },
  });
  const onContent = options.onContent;
  const tap =
    onContent === undefined
      ? []
      : [
          new Transform({
            transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
              onContent(chunk);
              callback(null, chunk);
            },
          }),
        ];
  try {
    await pipeline([response.body, counter, ...(options.transforms ?? []), ...tap, new FileSink(file)]);
  } catch (error) {
    if (error instanceof TaipanError) throw error;
    // The disk refused the bytes: not a broken transfer, and downloading again cannot help.
    if (isDiskError(error)) throw asDiskError(error, `the download of '${response.url}' to disk`, 'nothing from it was kept');
    const broken = new TaipanError('DOWNLOAD_FAILED', `download of '${response.url}' broke off after ${bytes} bytes: ${(error as Error).message}`, {
      cause: error,
      hint: 'the connection or the data was damaged; nothing from it was kept. Try again',
    });
    brokenTransfers.add(broken);
    throw broken;
  }
  return bytes;
}

const brokenTransfers = new WeakSet<object>();

/** True for the error `saveResponse` throws when a body broke off midway (worth a fresh download). */
export function isBrokenTransfer(error: unknown): boolean {
  return typeof error === 'object' && error !== null && brokenTransfers.has(error);
}

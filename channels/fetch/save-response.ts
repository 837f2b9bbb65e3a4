/**
 * Streaming a response body into a file, through optional transforms (decompression,
 * hashing), reporting bytes as they arrive. The caller chooses the file name: it is meant
 * to be a temporary one, renamed only once the content has been checked.
 */
import { createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TaipanError } from '../model/errors.js';
import { asDiskError, isDiskError } from '../disk-errors.js';
import { testFaultPoint, type FaultSite } from '../test-hooks.js';
import type { HttpResponse } from './http-client.js';

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
    await pipeline([response.body, counter, ...(options.transforms ?? []), ...tap, createWriteStream(file)]);
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

/**
 * Answering one HTTP request for a file the way a static web server does, which is what
 * conda clients expect of a channel: a strong ETag (size + mtime) with If-None-Match →
 * 304, Last-Modified, single byte ranges (206, or 416 when out of bounds) so interrupted
 * package downloads resume, and HEAD.
 */
import type { FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';

export interface ServedFile {
  /** An open file (sendFile closes it), or the bytes (generated repodata). */
  readonly handle?: FileHandle;
  readonly data?: Buffer;
  readonly size: number;
  readonly mtimeMs: number;
}

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.zst': 'application/zstd',
  '.bz2': 'application/x-bzip2',
  '.conda': 'application/octet-stream',
  '.msgpack': 'application/msgpack',
  '.html': 'text/html; charset=utf-8',
};

/** Send `target` and close its file; returns the status and the body bytes sent (for the log). */
export function sendFile(request: IncomingMessage, response: ServerResponse, target: ServedFile, name: string): { status: number; bytes: number } {
  const sent = send(request, response, target, name);
  if (!sent.streaming) void target.handle?.close().catch(() => undefined);
  return { status: sent.status, bytes: sent.bytes };
}

function send(request: IncomingMessage, response: ServerResponse, target: ServedFile, name: string): { status: number; bytes: number; streaming?: boolean } {
  const etag = `"${target.size.toString(16)}-${Math.floor(target.mtimeMs).toString(16)}"`;
  const extension = /\.[^./]+$/.exec(name)?.[0] ?? '';
  response.setHeader('ETag', etag);
  response.setHeader('Last-Modified', new Date(target.mtimeMs).toUTCString());
  response.setHeader('Accept-Ranges', 'bytes');
  response.setHeader('Content-Type', TYPES[extension] ?? 'application/octet-stream');
  const inm = request.headers['if-none-match'];
  if (inm !== undefined && inm.split(',').map((t) => t.trim()).includes(etag)) {
    response.writeHead(304).end();
    return { status: 304, bytes: 0 };
  }
  let start = 0;
  let end = target.size - 1;
  let status = 200;
  const range = request.headers.range;
  if (range !== undefined) {
    const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    const from = match?.[1] ?? '';
    const to = match?.[2] ?? '';
    if (match && !(from === '' && to === '')) {
      start = from === '' ? Math.max(0, target.size - Number(to)) : Number(from);
      end = from === '' || to === '' ? target.size - 1 : Math.min(Number(to), target.size - 1);
      if (start > end || start >= target.size) {
        response.writeHead(416, { 'Content-Range': `bytes */${target.size}` }).end();
        return { status: 416, bytes: 0 };
      }
      status = 206;
      response.setHeader('Content-Range', `bytes ${start}-${end}/${target.size}`);
    }
  }
  const length = Math.max(0, end - start + 1);
  response.writeHead(status, { 'Content-Length': String(length) });
  if (request.method === 'HEAD' || length === 0) {
    response.end();
    return { status, bytes: 0 };
  }
  if (target.handle === undefined) {
    response.end(target.data?.subarray(start, end + 1));
    return { status, bytes: length };
  }
  // pipeline, not pipe: a client that hangs up mid-download must not leave the file open.
  pipeline(target.handle.createReadStream({ start, end }), response, () => undefined);
  return { status, bytes: length, streaming: true };
}

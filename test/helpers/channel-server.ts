/**
 * A real HTTP server on 127.0.0.1 (random port) serving a channel folder the way a static
 * web server does: ETag, Last-Modified, Cache-Control, conditional requests (304), Range
 * (206), and faults a test can inject per path: an HTTP status, a reset connection, a
 * truncated body, a slow response, a wrong Content-Length. It can demand a conda token
 * (`/t/<token>/`), basic auth or a bearer token. Every request is logged for assertions.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export type FaultKind =
  /** Answer with `status` (500 by default) and a short body. */
  | 'status'
  /** Destroy the socket after sending the headers and half of the body. */
  | 'reset'
  /** Send only the first half of the file, with a Content-Length that matches it (a corrupt file). */
  | 'truncate'
  /** Wait `delayMs` before answering. */
  | 'slow'
  /** Declare the full Content-Length but send half of the body, then end the connection. */
  | 'wrong-length'
  /** Send the whole body in 512-byte pieces, one every `delayMs` (20 by default): a slow download to interrupt. */
  | 'trickle';

export interface Fault {
  /** A request path (after any /t/<token> prefix), or a pattern. */
  path: string | RegExp;
  kind: FaultKind;
  status?: number;
  delayMs?: number;
  /** How many requests it applies to; unlimited by default. */
  times?: number;
}

export interface LoggedRequest {
  method: string;
  /** The path as received (including any token). */
  rawPath: string;
  /** The path without the token prefix. */
  path: string;
  headers: http.IncomingHttpHeaders;
  status: number;
}

export interface ChannelServerOptions {
  /** Required conda token: requests must start with `/t/<token>/`. */
  token?: string;
  /** Required `Authorization` header value (e.g. `Basic …` or `Bearer …`). */
  authorization?: string;
  /** Cache-Control sent with every file; none by default. */
  cacheControl?: string;
}

export class ChannelServer {
  readonly requests: LoggedRequest[] = [];
  private readonly faults: (Fault & { used: number })[] = [];
  private server!: http.Server;
  private base = '';

  private constructor(
    private root: string,
    private readonly options: ChannelServerOptions,
  ) {}

  /** Start serving `root` (a channel folder). */
  static async start(root: string, options: ChannelServerOptions = {}): Promise<ChannelServer> {
    const server = new ChannelServer(root, options);
    server.server = http.createServer((req, res) => {
      server.handle(req, res).catch((error: unknown) => {
        res.destroy(error as Error);
      });
    });
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    server.base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    return server;
  }

  /** `http://127.0.0.1:PORT` (no trailing slash). */
  get url(): string {
    return this.base;
  }

  /** The channel URL with the configured token in it. */
  get tokenUrl(): string {
    return `${this.base}/t/${this.options.token ?? ''}`;
  }

  /** Serve another folder from now on. */
  setRoot(root: string): void {
    this.root = root;
  }

  addFault(fault: Fault): void {
    this.faults.push({ ...fault, used: 0 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests whose path (without token) matches. */
  requestsFor(pattern: string | RegExp): LoggedRequest[] {
    return this.requests.filter((r) => (typeof pattern === 'string' ? r.path === pattern : pattern.test(r.path)));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawPath = decodeURIComponent(new URL(req.url ?? '/', this.base).pathname);
    let urlPath = rawPath;
    const log = (status: number): void => {
      this.requests.push({ method: req.method ?? 'GET', rawPath, path: urlPath, headers: req.headers, status });
    };
    if (this.options.token !== undefined) {
      const prefix = `/t/${this.options.token}`;
      if (!rawPath.startsWith(`${prefix}/`)) return this.send(res, log, 401, 'token required');
      urlPath = rawPath.slice(prefix.length);
    }
    if (this.options.authorization !== undefined && req.headers.authorization !== this.options.authorization) {
      return this.send(res, log, 401, 'authorization required');
    }
    const fault = this.faults.find((f) => (typeof f.path === 'string' ? f.path === urlPath : f.path.test(urlPath)) && f.used < (f.times ?? Infinity));
    if (fault) fault.used++;
    if (fault?.kind === 'status') return this.send(res, log, fault.status ?? 500, 'injected failure');
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));

    const file = path.join(this.root, ...urlPath.split('/').filter((p) => p !== '' && p !== '..'));
    let body: Buffer;
    let mtime: Date;
    try {
      const info = await stat(file);
      if (!info.isFile()) return this.send(res, log, 404, 'not found');
      body = await readFile(file);
      mtime = info.mtime;
    } catch {
      return this.send(res, log, 404, 'not found');
    }
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    const headers: http.OutgoingHttpHeaders = {
      etag,
      'last-modified': mtime.toUTCString(),
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
    };
    if (this.options.cacheControl) headers['cache-control'] = this.options.cacheControl;
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    if ((inm !== undefined && inm === etag) || (inm === undefined && ims !== undefined && Date.parse(ims) >= Math.floor(mtime.getTime() / 1000) * 1000)) {
      log(304);
      res.writeHead(304, headers);
      res.end();
      return;
    }
    let status = 200;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && (req.headers['if-match'] === undefined || req.headers['if-match'] === etag)) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      headers['content-range'] = `bytes ${start}-${end}/${body.length}`;
      body = body.subarray(start, end + 1);
      status = 206;
    }
    log(status);
    const half = body.subarray(0, Math.floor(body.length / 2));
    switch (fault?.kind) {
      case 'truncate':
        res.writeHead(status, { ...headers, 'content-length': half.length });
        res.end(half);
        return;
      case 'reset':
        res.writeHead(status, { ...headers, 'content-length': body.length });
        res.write(half, () => setTimeout(() => res.socket?.destroy(), 5));
        return;
      case 'wrong-length':
        res.writeHead(status, { ...headers, 'content-length': body.length });
        res.write(half, () => setTimeout(() => res.socket?.end(), 5));
        return;
      case 'trickle': {
        res.writeHead(status, { ...headers, 'content-length': body.length });
        let at = 0;
        const timer = setInterval(() => {
          if (res.destroyed || at >= body.length) {
            clearInterval(timer);
            if (!res.destroyed) res.end();
            return;
          }
          res.write(body.subarray(at, at + 512));
          at += 512;
        }, fault.delayMs ?? 20);
        res.on('close', () => clearInterval(timer));
        return;
      }
      default:
        res.writeHead(status, { ...headers, 'content-length': body.length });
        res.end(body);
    }
  }

  private send(res: http.ServerResponse, log: (status: number) => void, status: number, text: string): void {
    log(status);
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

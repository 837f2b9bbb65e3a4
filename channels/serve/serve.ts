/**
 * `taipan serve DIR`: a channel for a classroom or an air-gapped site, over node:http.
 * DIR is a channel folder (served as it is), or a package cache (`--pkgs`, served as a
 * channel: package-cache-view.ts). It listens on this machine only unless another address
 * is asked for (listen-address.ts). Every request is logged with its tokens masked
 * (request-log.ts). No request reads anything whose real path leaves DIR: the path is
 * decoded piece by piece (request-path.ts) and the file opened by openInside; whatever is
 * refused is answered exactly like a missing file.
 */
import { realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { TaipanError } from '../model/errors.js';
import { DEFAULT_HOST, isLoopbackAddress, urlHostFor } from './listen-address.js';
import { openInside } from './open-inside.js';
import { packageCacheView, type CacheEntry } from './package-cache-view.js';
import { requestLogLine } from './request-log.js';
import { requestSegments } from './request-path.js';
import { sendFile, type ServedFile } from './static-files.js';

export interface ServeOptions {
  readonly port?: number;
  /** Listen address; this machine only (127.0.0.1) by default. */
  readonly host?: string;
  /** DIR is a package cache to serve as a channel. */
  readonly packageCache?: boolean;
  /** One line per request. */
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  /** The address bound, as the system reports it (`127.0.0.1`, `0.0.0.0`, `::1`…). */
  readonly address: string;
  /** True unless the address bound is a loopback address. */
  readonly reachableFromOtherMachines: boolean;
  close(): Promise<void>;
}

export async function serveChannel(dir: string, options: ServeOptions = {}): Promise<RunningServer> {
  const root = await servedFolder(dir);
  const cacheView = options.packageCache ? await packageCacheView(root) : undefined;
  const server = http.createServer((request, response) => {
    void answer(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  const answer = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    let result = { status: 405, bytes: 0 };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else {
      const names = requestSegments(request.url ?? '/');
      const target = names && names.length > 0 ? await lookUp(root, names, cacheView) : undefined;
      if (target === undefined) {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        result = { status: 404, bytes: 0 };
      } else {
        result = sendFile(request, response, target, names?.at(-1) ?? '');
      }
    }
    const { remoteAddress: client } = request.socket;
    options.log?.(requestLogLine({ client, method: request.method, target: request.url, range: request.headers.range, ...result }));
  };
  await listen(server, options.port ?? 8000, options.host ?? DEFAULT_HOST);
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${urlHostFor(address)}:${port}`,
    address,
    reachableFromOtherMachines: !isLoopbackAddress(address),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The real path of DIR (what every served file's real path must stay under). */
async function servedFolder(dir: string): Promise<string> {
  try {
    const root = await realpath(path.resolve(dir));
    if ((await stat(root)).isDirectory()) return root;
  } catch {
    // Reported below.
  }
  throw new TaipanError('INVALID_ARGUMENT', `cannot serve '${dir}': no such folder`, { hint: 'give the channel folder (or, with --pkgs, a package cache)' });
}

async function lookUp(root: string, names: readonly string[], cacheView: Map<string, CacheEntry> | undefined): Promise<ServedFile | undefined> {
  const entry: CacheEntry | undefined = cacheView ? cacheView.get(names.join('/')) : { names };
  if (entry === undefined) return undefined;
  if ('data' in entry) return { data: entry.data, size: entry.data.length, mtimeMs: entry.mtimeMs };
  return openInside(root, entry.names);
}

async function listen(server: http.Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  }).catch((error: NodeJS.ErrnoException) => {
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const reasons: Record<string, [string, string]> = {
      EADDRINUSE: ['the port is in use', 'choose another with --port (0 picks a free one)'],
      EACCES: ['permission denied', 'ports below 1024 need privileges: choose another with --port'],
      EADDRNOTAVAIL: ['this machine has no such address', 'give one of its own addresses to --host, or leave --host out'],
      ENOTFOUND: ['the host name does not resolve', 'give one of its own addresses to --host, or leave --host out'],
    };
    const [reason, hint] = reasons[error.code ?? ''] ?? [error.message, undefined];
    throw new TaipanError('INVALID_ARGUMENT', `cannot listen on ${where}: ${reason}`, { hint, cause: error });
  });
}

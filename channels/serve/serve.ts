/**
 * `taipan serve DIR`: a channel on the LAN for a classroom or an air-gapped site, over
 * node:http. DIR is a channel folder (served as it is), or a package cache (`--pkgs`),
 * which is served as a channel: each archive under `<subdir>/<fn>`, with repodata.json
 * made from the cache's repodata_record.json files, so packages already downloaded by
 * one machine install on the others. Every request is logged (time, client, method,
 * path, status, bytes); paths never leave DIR.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sendFile, type ServedFile } from './static-files.js';
import { archiveStem } from '../repodata/records.js';

export interface ServeOptions {
  readonly port?: number;
  /** Listen address; all interfaces (the LAN) by default. */
  readonly host?: string;
  /** DIR is a package cache to serve as a channel. */
  readonly packageCache?: boolean;
  /** One line per request. */
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveChannel(dir: string, options: ServeOptions = {}): Promise<RunningServer> {
  const root = path.resolve(dir);
  const cacheView = options.packageCache ? await packageCacheView(root) : undefined;
  const server = http.createServer((request, response) => {
    void answer(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  const answer = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const urlPath = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    let result = { status: 405, bytes: 0 };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else {
      const target = cacheView ? cacheView.get(urlPath.replace(/^\/+/, '')) : await fileIn(root, urlPath);
      if (target === undefined) {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        result = { status: 404, bytes: 0 };
      } else {
        result = sendFile(request, response, target, urlPath);
      }
    }
    options.log?.(`${new Date().toISOString()} ${request.socket.remoteAddress ?? '-'} ${request.method} ${urlPath} ${result.status} ${result.bytes}${request.headers.range ? ` range=${request.headers.range}` : ''}`);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8000, options.host ?? '0.0.0.0', resolve);
  });
  const address = server.address() as AddressInfo;
  const shownHost = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A regular file under `root` for a URL path, or undefined (missing, a folder, or outside root). */
async function fileIn(root: string, urlPath: string): Promise<ServedFile | undefined> {
  const file = path.resolve(root, `.${path.posix.normalize(`/${urlPath}`)}`);
  if (file !== root && !file.startsWith(`${root}${path.sep}`)) return undefined;
  try {
    const info = await stat(file);
    return info.isFile() ? { file, size: info.size, mtimeMs: info.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/** `<subdir>/<fn>` and `<subdir>/repodata.json` for every valid entry of a package cache. */
async function packageCacheView(root: string): Promise<Map<string, ServedFile>> {
  const view = new Map<string, ServedFile>();
  const repodata = new Map<string, { packages: Record<string, unknown>; 'packages.conda': Record<string, unknown> }>();
  for (const name of await readdir(root)) {
    const archive = path.join(root, name);
    if (!/\.(conda|tar\.bz2)$/.test(name)) continue;
    const stem = archiveStem(name);
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(await readFile(path.join(root, stem, 'info', 'repodata_record.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      continue;
    }
    const info = await stat(archive);
    const subdir = typeof record.subdir === 'string' ? record.subdir : 'noarch';
    view.set(`${subdir}/${name}`, { file: archive, size: info.size, mtimeMs: info.mtimeMs });
    const { url: _url, channel: _channel, fn: _fn, ...entry } = record;
    const data = repodata.get(subdir) ?? { packages: {}, 'packages.conda': {} };
    data[name.endsWith('.conda') ? 'packages.conda' : 'packages'][name] = entry;
    repodata.set(subdir, data);
  }
  if (!repodata.has('noarch')) repodata.set('noarch', { packages: {}, 'packages.conda': {} });
  const now = Date.now();
  for (const [subdir, data] of repodata) {
    const body = Buffer.from(JSON.stringify({ info: { subdir }, ...data, repodata_version: 1 }));
    view.set(`${subdir}/repodata.json`, { data: body, size: body.length, mtimeMs: now });
  }
  return view;
}

/**
 * Package downloads into the cache over real HTTP: hash verification before anything is
 * trusted, retries, progress, urls.txt, and two processes filling one cache at once.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeDemoChannel } from '../../../../build/demo/make-demo-channel.js';
import { Channel } from '../../../../channels/model/channel.js';
import type { RepoDataRecord } from '../../../../channels/model/package-record.js';
import { CredentialStore } from '../../../../channels/fetch/credentials.js';
import { HttpClient } from '../../../../channels/fetch/http-client.js';
import { ChannelIndex } from '../../../../channels/repodata/channel-index.js';
import { PackageCache, type PackageProgress } from '../../../../environments/package-cache/package-cache.js';
import { ChannelServer } from '../../../helpers/channel-server.js';

let work: string;
let server: ChannelServer;
let client: HttpClient;
let records: RepoDataRecord[];
let cacheNo = 0;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-pkgdl-'));
  await makeDemoChannel(path.join(work, 'channel'));
  server = await ChannelServer.start(path.join(work, 'channel'));
  client = new HttpClient({ retries: 1, retryDelayMs: 10, credentials: new CredentialStore() });
  const index = await ChannelIndex.load([Channel.parse(server.url)], 'linux-64', { client, cacheDir: path.join(work, 'repocache'), offline: false });
  records = [...index.get('hello-taipan'), ...index.get('taipan-greetings')];
});
afterAll(async () => {
  await client.close();
  await server.close();
  await rm(work, { recursive: true, force: true });
});
beforeEach(() => {
  server.clearFaults();
  server.requests.length = 0;
});

const hello = (): RepoDataRecord => records.find((r) => r.name === 'hello-taipan') as RepoDataRecord;
const newCacheDir = (): string => path.join(work, `pkgs-${cacheNo++}`);

test('downloads, verifies, extracts, writes urls.txt and reports progress', async () => {
  const dir = newCacheDir();
  const progress: PackageProgress[] = [];
  const cache = new PackageCache([dir], { client, offline: false, onProgress: (p) => progress.push(p) });
  const entries = await cache.getAll(records, { concurrency: 3 });
  expect(entries.map((e) => path.basename(e.archive))).toEqual(records.map((r) => r.fn));
  expect(existsSync(path.join(dir, 'hello-taipan-1.0.0-0', 'info', 'repodata_record.json'))).toBe(true);
  expect((await readFile(path.join(dir, 'urls.txt'), 'utf8')).trim().split('\n').sort()).toEqual(records.map((r) => r.url).sort());
  const last = progress.filter((p) => p.record.fn === hello().fn).at(-1);
  expect(last?.bytes).toBe(hello().size);
  expect(last?.total).toBe(hello().size);
});

test('a truncated download is caught by its hash and never trusted', async () => {
  const dir = newCacheDir();
  server.addFault({ path: `/noarch/${hello().fn}`, kind: 'truncate' });
  const cache = new PackageCache([dir], { client, offline: false, downloadAttempts: 2 });
  await expect(cache.get(hello())).rejects.toMatchObject({ code: 'HASH_MISMATCH', message: expect.stringContaining(`'${hello().url}'`) });
  expect(server.requestsFor(`/noarch/${hello().fn}`)).toHaveLength(2);
  expect((await readdir(dir)).filter((f) => !f.endsWith('.taipan-lock'))).toEqual([]);
  expect(await cache.has(hello())).toBe(false);
});

test('a download truncated once is fetched again and succeeds', async () => {
  server.addFault({ path: `/noarch/${hello().fn}`, kind: 'truncate', times: 1 });
  const cache = new PackageCache([newCacheDir()], { client, offline: false });
  await cache.get(hello());
  expect(await cache.has(hello())).toBe(true);
});

test('500s are retried; a connection that breaks off is resumed', async () => {
  server.addFault({ path: `/noarch/${hello().fn}`, kind: 'status', status: 500, times: 1 });
  server.addFault({ path: `/noarch/${hello().fn}`, kind: 'wrong-length', times: 1 });
  const cache = new PackageCache([newCacheDir()], { client: new HttpClient({ retries: 3, retryDelayMs: 10, credentials: new CredentialStore() }), offline: false });
  await cache.get(hello());
  expect(await cache.has(hello())).toBe(true);
});

test('offline: a package that is not cached is an OFFLINE error', async () => {
  const cache = new PackageCache([newCacheDir()], { client, offline: true });
  await expect(cache.get(hello())).rejects.toMatchObject({ code: 'OFFLINE', message: expect.stringContaining(hello().fn) });
  expect(server.requests).toEqual([]);
});

test('two processes filling one cache at once: one download, both succeed', async () => {
  const dist = path.resolve('dist', 'environments', 'package-cache', 'package-cache.js');
  if (!existsSync(dist)) throw new Error(`'${dist}' is missing: run \`npm run build\` first`);
  const dir = newCacheDir();
  server.addFault({ path: /\.conda$/, kind: 'slow', delayMs: 300 });
  const script = `
    const { PackageCache } = await import(${JSON.stringify(dist)});
    const records = JSON.parse(process.argv[1]);
    const cache = new PackageCache([${JSON.stringify(dir)}], { offline: false });
    const events = [];
    await cache.getAll(records, { onEvent: (e) => events.push(e.kind) });
    console.log(JSON.stringify(events));`;
  const run = (): Promise<{ code: number | null; out: string; err: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(records)], { env: { ...process.env, HOME: work } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => resolve({ code, out, err }));
    });
  const [a, b] = await Promise.all([run(), run()]);
  expect([a.code, b.code, a.err, b.err]).toEqual([0, 0, '', '']);
  for (const record of records) expect(server.requestsFor(`/${record.subdir}/${record.fn}`)).toHaveLength(1);
  const fetched = [...JSON.parse(a.out), ...JSON.parse(b.out)].filter((k: string) => k === 'fetch');
  expect(fetched).toHaveLength(records.length);
  const cache = new PackageCache([dir]);
  for (const record of records) expect(await cache.has(record)).toBe(true);
});

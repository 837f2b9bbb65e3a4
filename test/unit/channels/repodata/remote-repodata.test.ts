/**
 * Repodata over real HTTP (127.0.0.1) from the shared fixture channels: variant preference
 * and fallback, the cache with 304 revalidation, offline mode, and CEP-16 shards.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Channel } from '../../../../channels/model/channel.js';
import { CredentialStore } from '../../../../channels/fetch/credentials.js';
import { HttpClient } from '../../../../channels/fetch/http-client.js';
import { ChannelIndex, type ChannelIndexOptions } from '../../../../channels/repodata/channel-index.js';
import { ChannelServer } from '../../../helpers/channel-server.js';
import { describeShared, sharedPath } from '../../../helpers/shared.js';

describeShared('remote repodata', () => {
  let work: string;
  let server: ChannelServer;
  let client: HttpClient;
  let cacheNo = 0;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-remote-'));
    server = await ChannelServer.start(sharedPath('fixtures', 'channels', 'conda-forge-subset'));
    client = new HttpClient({ retries: 2, retryDelayMs: 10, credentials: new CredentialStore() });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.clearFaults();
  });

  const newCache = (): string => path.join(work, `cache-${cacheNo++}`);
  const load = (cacheDir: string, options: ChannelIndexOptions = {}): Promise<ChannelIndex> =>
    ChannelIndex.load([Channel.parse(server.url)], 'linux-64', { client, cacheDir, offline: false, ttl: 0, ...options });
  const local = (): Promise<ChannelIndex> =>
    ChannelIndex.load([Channel.parse(sharedPath('fixtures', 'channels', 'conda-forge-subset'))], 'linux-64');

  test('prefers repodata.json.zst and gives the same records as the local folder', async () => {
    const index = await load(newCache());
    expect(server.requests.map((r) => r.path).sort()).toEqual(['/linux-64/repodata.json.zst', '/noarch/repodata.json.zst']);
    const reference = await local();
    expect([...index.names()].sort()).toEqual([...reference.names()].sort());
    expect(index.get('python').length).toBeGreaterThan(0);
    for (const name of ['python', 'numpy', 'openssl', 'libzlib', 'pip']) {
      expect(index.get(name).map((r) => r.fn)).toEqual(reference.get(name).map((r) => r.fn));
      for (const record of index.get(name)) expect(record.url.startsWith(`${server.url}/`)).toBe(true);
    }
  });

  test('a second load revalidates with If-None-Match and reuses the cache on 304', async () => {
    const cacheDir = newCache();
    await load(cacheDir);
    server.requests.length = 0;
    const index = await load(cacheDir);
    expect(server.requests.map((r) => [r.path, r.status])).toEqual(
      expect.arrayContaining([
        ['/linux-64/repodata.json.zst', 304],
        ['/noarch/repodata.json.zst', 304],
      ]),
    );
    expect(server.requests.every((r) => r.headers['if-none-match'] !== undefined)).toBe(true);
    expect(index.get('python').length).toBeGreaterThan(0);
  });

  test('within max-age (local_repodata_ttl) the cache is used without a request', async () => {
    const cacheDir = newCache();
    await load(cacheDir);
    server.requests.length = 0;
    await load(cacheDir, { ttl: 3600 });
    expect(server.requests).toEqual([]);
  });

  test('falls back to .bz2, then plain JSON, and remembers what the server has', async () => {
    const cacheDir = newCache();
    server.addFault({ path: /\.zst$/, kind: 'status', status: 404 });
    server.addFault({ path: '/noarch/repodata.json.bz2', kind: 'status', status: 404 });
    const index = await load(cacheDir);
    expect(server.requests.map((r) => r.path).sort()).toEqual([
      '/linux-64/repodata.json.bz2',
      '/linux-64/repodata.json.zst',
      '/noarch/repodata.json',
      '/noarch/repodata.json.bz2',
      '/noarch/repodata.json.zst',
    ]);
    expect(index.get('python').length).toBe((await local()).get('python').length);
    server.requests.length = 0;
    await load(cacheDir);
    // Each subdir asks first for the variant it got last time (and the server says 304).
    expect(server.requests.map((r) => [r.path, r.status]).sort()).toEqual([
      ['/linux-64/repodata.json.bz2', 304],
      ['/noarch/repodata.json', 304],
    ]);
  });

  test('offline: uses the cache without any request, and names what is missing', async () => {
    const cacheDir = newCache();
    await expect(load(cacheDir, { offline: true })).rejects.toMatchObject({
      code: 'OFFLINE',
      message: expect.stringMatching(/^offline: no cached repodata for 'http:\/\/127\.0\.0\.1:\d+\/(linux-64|noarch)'$/),
    });
    expect(server.requests).toEqual([]);
    await load(cacheDir);
    server.requests.length = 0;
    const index = await load(cacheDir, { offline: true });
    expect(server.requests).toEqual([]);
    expect(index.get('python').length).toBeGreaterThan(0);
  });

  test('retries a 500 on repodata', async () => {
    server.addFault({ path: /^\/linux-64\/repodata\.json/, kind: 'status', status: 500, times: 1 });
    await load(newCache());
    expect(server.requestsFor(/^\/linux-64\/repodata\.json/).map((r) => r.status)).toEqual([500, 200]);
  });

  test('a truncated .zst fails clearly and leaves nothing the cache trusts', async () => {
    // A server of its own, so no earlier test's remembered variant changes the order.
    const fresh = await ChannelServer.start(sharedPath('fixtures', 'channels', 'conda-forge-subset'));
    try {
      fresh.addFault({ path: '/noarch/repodata.json.zst', kind: 'truncate' });
      const cacheDir = newCache();
      const channel = Channel.parse(fresh.url);
      await expect(ChannelIndex.load([channel], 'linux-64', { client, cacheDir, ttl: 0, offline: false })).rejects.toMatchObject({
        code: 'DOWNLOAD_FAILED',
        message: expect.stringContaining(`'${fresh.url}/noarch/repodata.json.zst'`),
      });
      await expect(ChannelIndex.load([channel], 'linux-64', { client, cacheDir, offline: true })).rejects.toMatchObject({ code: 'OFFLINE' });
    } finally {
      await fresh.close();
    }
  });

  test('a downloaded repodata.json that is not valid JSON is named in the error and not kept', async () => {
    // Indexed while it arrives: the error must still name the URL and the cache file, and the
    // cache must not vouch for the broken copy.
    const folder = path.join(work, 'broken-channel');
    await mkdir(path.join(folder, 'noarch'), { recursive: true });
    await writeFile(path.join(folder, 'noarch', 'repodata.json'), '{"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1"}, "b-1-0.tar.bz2": [1]}}');
    const broken = await ChannelServer.start(folder);
    try {
      const cacheDir = newCache();
      const channel = Channel.parse(broken.url);
      await expect(ChannelIndex.load([channel], 'linux-64', { client, cacheDir, ttl: 0, offline: false })).rejects.toMatchObject({
        code: 'INVALID_REPODATA',
        message: expect.stringMatching(new RegExp(`${broken.url}/noarch/repodata\\.json.*cached as '${cacheDir}`)),
      });
      await expect(ChannelIndex.load([channel], 'linux-64', { client, cacheDir, offline: true })).rejects.toMatchObject({ code: 'OFFLINE' });
      await writeFile(path.join(folder, 'noarch', 'repodata.json'), '{"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0", "build_number": 0, "depends": []}}}');
      const index = await ChannelIndex.load([channel], 'linux-64', { client, cacheDir, ttl: 0, offline: false });
      expect(index.get('a').map((r) => r.fn)).toEqual(['a-1-0.tar.bz2']);
    } finally {
      await broken.close();
    }
  });
});

describeShared('sharded repodata (CEP-16)', () => {
  let work: string;
  let server: ChannelServer;
  let client: HttpClient;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-shards-'));
    server = await ChannelServer.start(sharedPath('fixtures', 'channels', 'conda-format-repo'));
    client = new HttpClient({ retries: 1, retryDelayMs: 10, credentials: new CredentialStore() });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  test('fetches only the shards reachable from the request, cached by hash', async () => {
    const cacheDir = path.join(work, 'cache');
    const options = { client, cacheDir, names: ['zlib'], ttl: 0, offline: false };
    const index = await ChannelIndex.load([Channel.parse(server.url)], 'linux-64', options);
    const linux = server.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/linux-64/')).map((r) => r.path).sort();
    // Beside the shard index, only HEAD probes of the monolithic variants (no body).
    expect(server.requests.filter((r) => r.method === 'HEAD').every((r) => /repodata\.json\.(zst|bz2)$/.test(r.path))).toBe(true);
    // zlib depends on libgcc-ng, so its shard is fetched too; repodata.json never is.
    expect(linux).toEqual([
      '/linux-64/2dcdacf7009b4f1c21f452c5079384340257e0e1cbecb8ec484984d1fa85b115.msgpack.zst',
      '/linux-64/56a0c19b47ba1a2d0f1390eda489b1c49a00d35814571057e6d81e0c93dfd157.msgpack.zst',
      '/linux-64/repodata_shards.msgpack.zst',
    ]);
    expect(index.get('zlib').map((r) => r.fn)).toEqual(['zlib-1.2.11-h7b6447c_3.conda']);
    expect(index.get('zlib')[0]).toMatchObject({
      sha256: 'f33afff2144e1d6c4cf2e3e184937db8bf825b4537df74662aea5ee207b6a31b',
      url: `${server.url}/linux-64/zlib-1.2.11-h7b6447c_3.conda`,
      channel: `${server.url}/linux-64`,
      depends: ['libgcc-ng >=7.3.0'],
    });
    expect(index.get('libgcc-ng').map((r) => r.fn)).toEqual(['libgcc-ng-8.2.0-hdf63c60_1.tar.bz2']);
    expect([...index.names()].sort()).toEqual(['libgcc-ng', 'zlib']);
    expect(await readdir(path.join(cacheDir, 'shards'))).toHaveLength(2);

    server.requests.length = 0;
    await ChannelIndex.load([Channel.parse(server.url)], 'linux-64', options);
    expect(server.requests.filter((r) => r.path.endsWith('.msgpack.zst') && !r.path.includes('repodata_shards'))).toEqual([]);
    // Offline, the cached index and shards are enough.
    server.requests.length = 0;
    const offline = await ChannelIndex.load([Channel.parse(server.url)], 'linux-64', { ...options, offline: true });
    expect(offline.get('zlib')).toHaveLength(1);
    expect(server.requests).toEqual([]);
  });

  test('without names the monolithic repodata.json is read, with the same records', async () => {
    server.requests.length = 0;
    const index = await ChannelIndex.load([Channel.parse(server.url)], 'linux-64', { client, cacheDir: path.join(work, 'cache2'), ttl: 0, offline: false });
    expect(server.requests.some((r) => r.path === '/linux-64/repodata_shards.msgpack.zst')).toBe(false);
    expect(index.get('zlib').map((r) => r.fn)).toEqual(['zlib-1.2.11-h7b6447c_3.conda']);
  });
});

describe('what a channel lacks is remembered', () => {
  let work: string;
  let server: ChannelServer;
  let client: HttpClient;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-absent-'));
    // A noarch-only channel without shards, as many small channels are.
    await mkdir(path.join(work, 'channel', 'noarch'), { recursive: true });
    await writeFile(path.join(work, 'channel', 'noarch', 'repodata.json'), JSON.stringify({ info: { subdir: 'noarch' }, packages: {}, 'packages.conda': {} }));
    server = await ChannelServer.start(path.join(work, 'channel'));
    client = new HttpClient({ retries: 0, credentials: new CredentialStore() });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  const load = (cacheDir: string, ttl: number): Promise<ChannelIndex> =>
    ChannelIndex.load([Channel.parse(server.url)], 'linux-64', { client, cacheDir, offline: false, ttl, names: ['anything'] });
  const probed = (): string[] => server.requests.filter((r) => r.path.startsWith('/linux-64/') || r.path.endsWith('repodata_shards.msgpack.zst')).map((r) => r.path);

  test('a channel of plain JSON is probed for .zst and .bz2 with HEAD, beside the shard index, then read once', async () => {
    server.requests.length = 0;
    await load(path.join(work, 'cache-probe'), 0);
    const noarch = server.requests.filter((r) => r.path.startsWith('/noarch/')).map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(noarch.sort()).toEqual([
      'GET /noarch/repodata.json 200',
      'GET /noarch/repodata_shards.msgpack.zst 404',
      'HEAD /noarch/repodata.json.bz2 404',
      'HEAD /noarch/repodata.json.zst 404',
    ]);
  });

  test('a missing subdir and missing shard indexes are not probed again while the memory is fresh', async () => {
    const cacheDir = path.join(work, 'cache');
    server.requests.length = 0;
    await load(cacheDir, 1);
    expect(probed().sort()).toEqual([
      '/linux-64/repodata.json',
      '/linux-64/repodata.json.bz2',
      '/linux-64/repodata.json.zst',
      '/linux-64/repodata_shards.msgpack.zst',
      '/noarch/repodata_shards.msgpack.zst',
    ]);
    server.requests.length = 0;
    await load(cacheDir, 1);
    expect(probed()).toEqual([]);
    // local_repodata_ttl 0 means "always ask": the subdir appears and is found at once.
    await mkdir(path.join(work, 'channel', 'linux-64'));
    await writeFile(
      path.join(work, 'channel', 'linux-64', 'repodata.json'),
      JSON.stringify({ info: { subdir: 'linux-64' }, packages: {}, 'packages.conda': { 'anything-1-0.conda': { name: 'anything', version: '1', build: '0', build_number: 0, depends: [] } } }),
    );
    server.requests.length = 0;
    const index = await load(cacheDir, 0);
    expect(probed()).toContain('/linux-64/repodata.json');
    expect(index.get('anything').map((r) => r.fn)).toEqual(['anything-1-0.conda']);
    // Offline, the remembered shard indexes are still known to be absent (no OFFLINE error).
    const offline = await ChannelIndex.load([Channel.parse(server.url)], 'linux-64', { client, cacheDir, offline: true, names: ['anything'] });
    expect(offline.get('anything')).toHaveLength(1);
  });
});

/**
 * The repodata cache's lock over real HTTP (127.0.0.1): a revalidation (304) or a probe
 * for a missing file (404) takes no lock; a body is stored under the entry's lock, and a
 * process that finds the entry locked waits for the other one, then uses its copy.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { CredentialStore } from '../../../../channels/fetch/credentials.js';
import { HttpClient } from '../../../../channels/fetch/http-client.js';
import { cachedGet, cacheKey, readState } from '../../../../channels/repodata/sources/http-cache.js';
import { ChannelServer } from '../../../helpers/channel-server.js';

describe('repodata cache locking', () => {
  let work: string;
  let server: ChannelServer;
  let client: HttpClient;
  let cacheNo = 0;
  const body = '{"packages": {}}\n';

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-http-cache-'));
    await mkdir(path.join(work, 'channel', 'noarch'), { recursive: true });
    await writeFile(path.join(work, 'channel', 'noarch', 'repodata.json'), body);
    server = await ChannelServer.start(path.join(work, 'channel'), { cacheControl: 'max-age=600' });
    client = new HttpClient({ retries: 0, credentials: new CredentialStore() });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  const url = (): string => `${server.url}/noarch/repodata.json`;
  const newCache = async (): Promise<string> => {
    const dir = path.join(work, `cache-${cacheNo++}`);
    await mkdir(dir, { recursive: true });
    return dir;
  };
  const get = (cacheDir: string, ttl: number, target = url()) => cachedGet({ client, url: target, cacheDir, key: cacheKey(target), policy: { ttl } });
  const lockOf = (cacheDir: string, target = url()) => {
    const key = cacheKey(target);
    return lockfile.lock(path.join(cacheDir, key), { realpath: false, lockfilePath: path.join(cacheDir, `${key}.lock`), stale: 30_000 });
  };

  test('a 304 and a 404 are answered while another process holds the lock', async () => {
    const cacheDir = await newCache();
    expect((await get(cacheDir, 0)).kind).toBe('downloaded');
    const release = await lockOf(cacheDir);
    try {
      expect((await get(cacheDir, 0)).kind).toBe('revalidated');
      const missing = `${server.url}/linux-64/repodata.json`;
      const releaseMissing = await lockOf(cacheDir, missing);
      try {
        expect((await get(cacheDir, 0, missing)).kind).toBe('missing');
      } finally {
        await releaseMissing();
      }
    } finally {
      await release();
    }
  });

  test('a body found locked waits for the other process and uses the copy it stored', async () => {
    const cacheDir = await newCache();
    const release = await lockOf(cacheDir);
    let settled = false;
    const waiting = get(cacheDir, 1).then((result) => {
      settled = true;
      return result;
    });
    // The other process stores the entry while holding the lock.
    const other = await get(await newCache(), 1);
    if (other.kind !== 'downloaded') throw new Error(`unexpected ${other.kind}`);
    const key = cacheKey(url());
    await writeFile(path.join(cacheDir, `${key}.json`), body);
    await writeFile(path.join(cacheDir, `${key}.state.json`), JSON.stringify({ ...other.state, checked_at: Date.now() }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    server.requests.length = 0;
    await release();
    const result = await waiting;
    expect(result.kind).toBe('cached');
    expect(server.requests).toEqual([]);
    expect(await readState(cacheDir, key)).toMatchObject({ url: url(), size: body.length });
    expect(existsSync(path.join(cacheDir, `${key}.lock`))).toBe(false);
  });

  test('after waiting, a stale copy is fetched again under the lock', async () => {
    const cacheDir = await newCache();
    const release = await lockOf(cacheDir);
    const waiting = get(cacheDir, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await release();
    const result = await waiting;
    expect(result.kind).toBe('downloaded');
    expect(server.requests.filter((r) => r.path === '/noarch/repodata.json').map((r) => r.status)).toEqual([200, 200]);
  });
});

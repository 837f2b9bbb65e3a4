/**
 * A channel made by `indexChannel` and hosted by a stock nginx (issue 3: any static web
 * server can host a channel, no server of our own needed), used by the real CLI:
 * - monolithic repodata: `.zst` is fetched, never `.bz2` or plain JSON; a second run sends
 *   conditional requests that nginx answers with 304, and reuses the package cache;
 * - sharded repodata (CEP-16): the shard index and shards are fetched instead of any
 *   repodata.json; a second run revalidates the index (304) and fetches no shard again.
 * What the server saw is read from nginx's own access log. Skips with a printed reason
 * where nginx is absent (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { runCliAsync, type CliResult } from '../helpers/cli.js';
import { findNginx, startNginx, type NginxAccess, type NginxServer } from '../helpers/nginx.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

/** Real packages beside the demo ones: a conda-forge noarch .conda and a defaults linux-64 .tar.bz2, both without dependencies. */
const REAL_PACKAGES = [
  { file: 'tzdata-2025b-h78e105d_0.conda', subdir: 'noarch' },
  { file: 'ca-certificates-2019.1.23-0.tar.bz2', subdir: 'linux-64' },
];
const SPECS = ['hello-taipan', 'tzdata', 'ca-certificates'];

const nginxBinary = findNginx();

function body(): void {
  let work: string;
  let server: NginxServer;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-nginx-'));
    await makeDemoChannel(path.join(work, 'demo'));
    // The archives the demo build wrote, whatever it names them: `<subdir>/<file>`.
    const demoFiles = (await readdir(path.join(work, 'demo'), { recursive: true })).filter((f) => /^[^/]+\/[^/]+\.(conda|tar\.bz2)$/.test(f));
    expect(demoFiles.length).toBeGreaterThan(0);
    // The same packages as two channels: one indexed without shards, one with.
    for (const [name, shards] of [['monolithic', false], ['sharded', true]] as const) {
      const channel = path.join(work, 'root', name);
      for (const file of demoFiles) {
        await mkdir(path.join(channel, path.dirname(file)), { recursive: true });
        await copyFile(path.join(work, 'demo', file), path.join(channel, file));
      }
      for (const real of REAL_PACKAGES) {
        await mkdir(path.join(channel, real.subdir), { recursive: true });
        await copyFile(sharedPath('fixtures', 'packages', real.file), path.join(channel, real.subdir, real.file));
      }
      await indexChannel(channel, { shards });
    }
    server = await startNginx(path.join(work, 'root'), nginxBinary);
  });

  afterAll(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The CLI with this test's HOME and package cache (shared by both runs of a channel). */
  function cli(args: string[]): Promise<CliResult> {
    return runCliAsync(args, { HOME: work, USERPROFILE: work, TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') });
  }

  /** Creates an environment from `channel` and returns what nginx logged during that run. */
  async function create(channel: string, env: string): Promise<NginxAccess[]> {
    const before = (await server.accessLog()).length;
    const prefix = path.join(work, env);
    const result = await cli(['create', '-y', '-p', prefix, '-c', `${server.url}/${channel}`, ...SPECS]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // The environment is real: the demo tool runs, the real packages are linked.
    expect(spawnSync(path.join(prefix, 'bin', 'hello-taipan'), [], { encoding: 'utf8' }).status).toBe(0);
    await stat(path.join(prefix, 'conda-meta', 'tzdata-2025b-h78e105d_0.json'));
    await stat(path.join(prefix, 'conda-meta', 'ca-certificates-2019.1.23-0.json'));
    // HEAD probes (which compressed variants a channel has) transfer no file: not counted here.
    return (await server.accessLog()).slice(before).filter((a) => a.method !== 'HEAD');
  }

  const packageRequests = (log: NginxAccess[]): NginxAccess[] => log.filter((a) => /\.(conda|tar\.bz2)$/.test(a.path));

  test('monolithic repodata: .zst preferred, then 304s and the package cache on the second run', async () => {
    const first = await create('monolithic', 'env-mono-1');
    const repodata = first.filter((a) => /\/repodata\.json/.test(a.path));
    // Both subdirs, compressed with zstd, downloaded in full; nothing else was needed.
    expect(repodata.map((a) => `${a.status} ${a.path}`).sort()).toEqual([
      '200 /monolithic/linux-64/repodata.json.zst',
      '200 /monolithic/noarch/repodata.json.zst',
    ]);
    const downloads = packageRequests(first);
    expect(downloads.every((a) => a.status === 200)).toBe(true);
    for (const real of REAL_PACKAGES) expect(downloads.filter((a) => a.path === `/monolithic/${real.subdir}/${real.file}`)).toHaveLength(1);

    const second = await create('monolithic', 'env-mono-2');
    const revalidated = second.filter((a) => /\/repodata\.json/.test(a.path));
    expect(revalidated.map((a) => `${a.status} ${a.path}`).sort()).toEqual([
      '304 /monolithic/linux-64/repodata.json.zst',
      '304 /monolithic/noarch/repodata.json.zst',
    ]);
    // Conditional requests with the validators nginx gave the first time.
    for (const access of revalidated) expect(access.ifNoneMatch !== '' || access.ifModifiedSince !== '').toBe(true);
    expect(packageRequests(second)).toEqual([]);
  });

  test('sharded repodata: the shard index and shards, revalidated and reused on the second run', async () => {
    const first = await create('sharded', 'env-shard-1');
    expect(first.filter((a) => /\/repodata\.json/.test(a.path))).toEqual([]);
    const index = first.filter((a) => a.path.endsWith('/repodata_shards.msgpack.zst'));
    expect(index.map((a) => `${a.status} ${a.path}`).sort()).toEqual([
      '200 /sharded/linux-64/repodata_shards.msgpack.zst',
      '200 /sharded/noarch/repodata_shards.msgpack.zst',
    ]);
    const shards = first.filter((a) => /\/[0-9a-f]{64}\.msgpack\.zst$/.test(a.path));
    expect(shards.length).toBeGreaterThanOrEqual(SPECS.length);
    expect(shards.every((a) => a.status === 200)).toBe(true);

    const second = await create('sharded', 'env-shard-2');
    const revalidated = second.filter((a) => a.path.endsWith('/repodata_shards.msgpack.zst'));
    expect(revalidated.map((a) => a.status)).toEqual([304, 304]);
    // Shards are content-addressed: a cached one is never asked for again.
    expect(second.filter((a) => /\/[0-9a-f]{64}\.msgpack\.zst$/.test(a.path))).toEqual([]);
    expect(packageRequests(second)).toEqual([]);
  });
}

if (nginxBinary === undefined) {
  // eslint-disable-next-line no-console
  console.log("skipping 'a channel served by nginx': nginx is not installed (not on PATH, not in /usr/sbin; .ci/run installs it)");
  describe.skip('a channel served by nginx', body);
} else {
  describeShared('a channel served by nginx', body);
}

/**
 * `taipan index` against real packages: the records it writes match the real channel's
 * repodata for the same archives; .zst, .bz2 and CEP-16 shards decode to the same data;
 * re-indexing reads only what changed. `taipan search` over the result.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decode } from '@msgpack/msgpack';
import { decompress } from 'fzstd';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { describeShared, sharedPath } from '../helpers/shared.js';
import { runCli } from '../helpers/cli.js';

describeShared('taipan index on real packages', () => {
  let work: string;
  let channel: string;
  const realRepo = sharedPath('fixtures', 'channels', 'conda-format-repo');

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-index-'));
    channel = path.join(work, 'channel');
    for (const subdir of ['linux-64', 'win-64']) {
      await mkdir(path.join(channel, subdir), { recursive: true });
      for (const fn of (await readdir(path.join(realRepo, subdir))).filter((f) => /\.(conda|tar\.bz2)$/.test(f))) {
        await copyFile(path.join(realRepo, subdir, fn), path.join(channel, subdir, fn));
      }
    }
    await mkdir(path.join(channel, 'noarch'), { recursive: true });
    await copyFile(sharedPath('fixtures', 'packages', 'activate_deactivate_package-1.0-0.conda'), path.join(channel, 'noarch', 'activate_deactivate_package-1.0-0.conda'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('records match the real channel repodata for the same archives', async () => {
    const result = runCli(['index', channel, '--json']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)['linux-64']).toEqual({ records: 2, read: 2, reused: 0, skipped: [] });
    const ours = JSON.parse(await readFile(path.join(channel, 'linux-64', 'repodata.json'), 'utf8'));
    const theirs = JSON.parse(await readFile(path.join(realRepo, 'linux-64', 'repodata.json'), 'utf8'));
    const fields = ['name', 'version', 'build', 'build_number', 'depends', 'md5', 'sha256', 'size', 'subdir', 'license', 'timestamp'];
    const pick = (r: Record<string, unknown>) => Object.fromEntries(fields.map((f) => [f, r[f]]));
    for (const key of ['packages', 'packages.conda']) {
      for (const [fn, record] of Object.entries<Record<string, unknown>>(ours[key])) {
        expect({ fn, ...pick(record) }).toEqual({ fn, ...pick(theirs[key][fn]) });
      }
    }
    expect(Object.keys(ours['packages.conda'])).toEqual(['zlib-1.2.11-h7b6447c_3.conda']);
  });

  test('.zst, .bz2 and the shards hold the same records', async () => {
    const dir = path.join(channel, 'linux-64');
    const json = await readFile(path.join(dir, 'repodata.json'), 'utf8');
    expect(Buffer.from(decompress(await readFile(path.join(dir, 'repodata.json.zst')))).toString()).toBe(json);
    expect(execFileSync('bzip2', ['-dc', path.join(dir, 'repodata.json.bz2')]).toString()).toBe(json);
    const repodata = JSON.parse(json);
    const index = decode(decompress(await readFile(path.join(dir, 'repodata_shards.msgpack.zst')))) as { version: number; info: { subdir: string }; shards: Record<string, Uint8Array> };
    expect(index.version).toBe(1);
    expect(index.info.subdir).toBe('linux-64');
    expect(Object.keys(index.shards).sort()).toEqual(['zlib']);
    const shard = decode(decompress(await readFile(path.join(dir, `${Buffer.from(index.shards.zlib!).toString('hex')}.msgpack.zst`)))) as Record<string, Record<string, Record<string, unknown>>>;
    const record = shard['packages.conda']!['zlib-1.2.11-h7b6447c_3.conda']!;
    expect(Buffer.from(record.sha256 as Uint8Array).toString('hex')).toBe(repodata['packages.conda']['zlib-1.2.11-h7b6447c_3.conda'].sha256);
    expect(record.depends).toEqual(['libgcc-ng >=7.3.0']);
  });

  test('channeldata and run_exports describe the packages', async () => {
    const channeldata = JSON.parse(await readFile(path.join(channel, 'channeldata.json'), 'utf8'));
    expect(channeldata.subdirs).toEqual(['linux-64', 'noarch', 'win-64']);
    expect(channeldata.packages.zlib).toMatchObject({ version: '1.2.11', subdirs: ['linux-64', 'win-64'], text_prefix: true });
    expect(channeldata.packages.activate_deactivate_package).toMatchObject({ 'activate.d': true, 'deactivate.d': true, subdirs: ['noarch'] });
    const runExports = JSON.parse(await readFile(path.join(channel, 'linux-64', 'run_exports.json'), 'utf8'));
    expect(runExports['packages.conda']['zlib-1.2.11-h7b6447c_3.conda'].run_exports).toEqual({ weak: ['zlib >=1.2.11,<1.3.0a0'] });
  });

  test('re-indexing reads only new or changed archives', async () => {
    const again = await indexChannel(channel, { bz2: false });
    expect(again.get('linux-64')).toEqual({ records: 2, read: 0, reused: 2, skipped: [] });
    const changed = path.join(channel, 'win-64', 'zlib-1.2.11-h62dcd97_3.conda');
    await utimes(changed, new Date(), new Date());
    const third = await indexChannel(channel, { bz2: false });
    expect(third.get('win-64')?.read).toBe(1);
    expect(third.get('linux-64')?.read).toBe(0);
  });

  test('search finds by name, glob and version, across subdirs', () => {
    const found = runCli(['search', '-c', channel, '--platform', 'win-64', 'zlib']);
    expect(found.status).toBe(0);
    expect(found.stdout).toMatch(/zlib\s+1\.2\.11\s+h62dcd97_3\s+file:\/\/.*\s+win-64/);
    const glob = JSON.parse(runCli(['search', '-c', channel, '--platform', 'linux-64', '*z*', '--json']).stdout);
    expect(Object.keys(glob)).toEqual(['zlib']);
    const none = runCli(['search', '-c', channel, '--platform', 'linux-64', 'zlib>=2']);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain("no package matches 'zlib>=2'");
    const info = runCli(['search', '-c', channel, '--platform', 'linux-64', 'zlib', '--info']);
    expect(info.stdout).toContain('"sha256": "f33afff2144e1d6c4cf2e3e184937db8bf825b4537df74662aea5ee207b6a31b"');
  });
});

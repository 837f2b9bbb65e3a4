/**
 * The whole path on the embedded demo channel, through the real CLI in its own process:
 * build the channel with taipan's writer and indexer, create, list, install, remove,
 * and the failures that must leave an environment as it was.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile, cp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { useTempChannel } from '../helpers/temp-channel.js';
import { runCli, runCliOk } from '../helpers/cli.js';

let work: string;
let channel: string;
let env: NodeJS.ProcessEnv;
useTempChannel('e2e-demo', makeDemoChannel, { ready: (w) => ({ work, channel, env } = w) });

function ok(args: string[]): string {
  return runCliOk(args, env);
}

describe('the demo channel', () => {
  test('is indexed with both archive formats and hashes', async () => {
    const repodata = JSON.parse(await readFile(path.join(channel, 'noarch', 'repodata.json'), 'utf8'));
    const conda = Object.keys(repodata['packages.conda']).sort();
    expect(conda).toEqual(['hello-taipan-1.0.0-0.conda', 'taipan-greetings-1.1.0-0.conda', 'taipan-greetings-2.0.0-0.conda']);
    expect(Object.keys(repodata.packages)).toEqual(['hello-taipan-1.0.0-0.tar.bz2']);
    for (const record of Object.values<Record<string, unknown>>(repodata['packages.conda'])) {
      expect(record.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(record.md5).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  test('create solves, links and gives a working tool', async () => {
    const prefix = path.join(work, 'env-create');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'hello-taipan']);

    const tool = spawnSync(path.join(prefix, 'bin', 'hello-taipan'), ['de'], { encoding: 'utf8' });
    expect(tool.status).toBe(0);
    expect(tool.stdout).toContain('Hallo aus einer taipan-Umgebung!');
    expect(tool.stdout).toContain(`(installed in ${prefix})`);

    // The data file is a hard link into the cache; the script had its placeholder replaced, so it is a copy.
    const cacheEntry = path.join(work, 'pkgs', 'taipan-greetings-1.1.0-0');
    const inPrefix = await stat(path.join(prefix, 'share', 'taipan-greetings', 'greetings.txt'));
    const inCache = await stat(path.join(cacheEntry, 'share', 'taipan-greetings', 'greetings.txt'));
    expect(inPrefix.ino).toBe(inCache.ino);
    const script = await stat(path.join(prefix, 'bin', 'hello-taipan'));
    expect(script.ino).not.toBe((await stat(path.join(work, 'pkgs', 'hello-taipan-1.0.0-0', 'bin', 'hello-taipan'))).ino);
    expect(script.mode & 0o111).not.toBe(0);

    const record = JSON.parse(await readFile(path.join(prefix, 'conda-meta', 'hello-taipan-1.0.0-0.json'), 'utf8'));
    expect(record).toMatchObject({
      name: 'hello-taipan',
      version: '1.0.0',
      fn: 'hello-taipan-1.0.0-0.conda',
      requested_spec: 'hello-taipan',
      files: ['bin/hello-taipan'],
      link: { type: 1 },
    });
    expect(record.url).toBe(`file://${channel}/noarch/hello-taipan-1.0.0-0.conda`);
    expect(record.channel).toBe(`file://${channel}/noarch`);
    expect(record.paths_data.paths[0]).toMatchObject({ _path: 'bin/hello-taipan', prefix_placeholder: '/opt/anaconda1anaconda2anaconda3', file_mode: 'text' });
    // hello-taipan needs taipan-greetings <2, so the newest greetings (2.0.0) must not be chosen.
    expect(existsSync(path.join(prefix, 'conda-meta', 'taipan-greetings-1.1.0-0.json'))).toBe(true);
    expect(existsSync(path.join(work, 'pkgs', 'hello-taipan-1.0.0-0', 'info', 'repodata_record.json'))).toBe(true);

    const history = await readFile(path.join(prefix, 'conda-meta', 'history'), 'utf8');
    expect(history).toMatch(/^==> \d{4}-\d\d-\d\d \d\d:\d\d:\d\d <==$/m);
    expect(history).toContain(`+file://${channel}::hello-taipan-1.0.0-0`);
    expect(history).toContain("# update specs: ['hello-taipan']");

    const listed = ok(['list', '-p', prefix]);
    expect(listed).toMatch(/hello-taipan\s+1\.0\.0\s+0/);
    expect(listed).toMatch(/taipan-greetings\s+1\.1\.0\s+0/);
    const listedJson = JSON.parse(ok(['list', '-p', prefix, '--json']));
    expect(listedJson.map((r: { name: string }) => r.name)).toEqual(['hello-taipan', 'taipan-greetings']);
  });

  test('--dry-run --json prints conda\'s plan and changes nothing', () => {
    const prefix = path.join(work, 'env-dry');
    const plan = JSON.parse(ok(['create', '--dry-run', '--json', '-p', prefix, '-c', channel, 'hello-taipan']));
    expect(plan.success).toBe(true);
    expect(plan.dry_run).toBe(true);
    expect(plan.actions.LINK.map((a: { dist_name: string }) => a.dist_name)).toEqual(['taipan-greetings-1.1.0-0', 'hello-taipan-1.0.0-0']);
    expect(plan.actions.LINK[0]).toMatchObject({ name: 'taipan-greetings', version: '1.1.0', build_string: '0', build_number: 0, platform: 'noarch' });
    expect(plan.actions.UNLINK).toEqual([]);
    expect(existsSync(prefix)).toBe(false);
  });

  test('install adds to an environment; remove takes out dependents too', async () => {
    const prefix = path.join(work, 'env-grow');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'taipan-greetings']);
    expect(existsSync(path.join(prefix, 'share', 'taipan-greetings', 'greetings.v2'))).toBe(true);

    // hello-taipan needs greetings <2: the solver changes the installed 2.0.0 to 1.1.0.
    const out = ok(['install', '-y', '-p', prefix, '-c', channel, 'hello-taipan']);
    expect(out).toContain('2.0.0 -> 1.1.0');
    expect(existsSync(path.join(prefix, 'share', 'taipan-greetings', 'greetings.v2'))).toBe(false);
    expect(existsSync(path.join(prefix, 'share', 'taipan-greetings', 'greetings.txt'))).toBe(true);

    ok(['remove', '-y', '-p', prefix, 'taipan-greetings']);
    const meta = (await readdir(path.join(prefix, 'conda-meta'))).filter((f) => f.endsWith('.json'));
    expect(meta).toEqual([]);
    expect(existsSync(path.join(prefix, 'bin', 'hello-taipan'))).toBe(false);
    expect(existsSync(path.join(prefix, 'share'))).toBe(false);
  });

  test('a conflicting request fails before anything changes', async () => {
    const prefix = path.join(work, 'env-conflict');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'hello-taipan']);
    const result = runCli(['install', '-y', '-p', prefix, '-c', channel, 'taipan-greetings>=2'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error: /);
    expect(result.stderr).toContain('taipan-greetings');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace without --verbose
    expect(existsSync(path.join(prefix, 'conda-meta', 'hello-taipan-1.0.0-0.json'))).toBe(true);
  });

  test('a corrupt archive fails create with a hash error and leaves no prefix', async () => {
    const bad = path.join(work, 'channel-bad');
    await cp(channel, bad, { recursive: true });
    await writeFile(path.join(bad, 'noarch', 'hello-taipan-1.0.0-0.conda'), 'not a package');
    const prefix = path.join(work, 'env-bad');
    const result = runCli(['create', '-y', '-p', prefix, '-c', bad, 'hello-taipan'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-bad') });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/sha256 of '.*hello-taipan-1\.0\.0-0\.conda' is [0-9a-f]{64}, but the channel says/);
    expect(existsSync(prefix)).toBe(false);
  });

  test('a failure while linking rolls the environment back', async () => {
    const prefix = path.join(work, 'env-rollback');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'taipan-greetings<2']);
    const before = await readFile(path.join(prefix, 'share', 'taipan-greetings', 'greetings.txt'), 'utf8');
    // A folder where hello-taipan's script must go makes its link step fail.
    await mkdir(path.join(prefix, 'bin', 'hello-taipan', 'blocker'), { recursive: true });
    const result = runCli(['install', '-y', '-p', prefix, '-c', channel, 'hello-taipan'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('bin/hello-taipan');
    expect(await readFile(path.join(prefix, 'share', 'taipan-greetings', 'greetings.txt'), 'utf8')).toBe(before);
    const meta = (await readdir(path.join(prefix, 'conda-meta'))).filter((f) => f.endsWith('.json'));
    expect(meta).toEqual(['taipan-greetings-1.1.0-0.json']);
    expect(existsSync(path.join(prefix, '.taipan-trash'))).toBe(false);
  });

  test('channels come from ~/.taipanrc when none is given, and --override-channels ignores them', async () => {
    const home = path.join(work, 'home');
    await mkdir(home, { recursive: true });
    await writeFile(path.join(home, '.taipanrc'), `channels:\n  - ${channel}\n`);
    const prefix = path.join(work, 'env-config');
    const withConfig = runCli(['create', '-y', '-p', prefix, 'taipan-greetings'], { ...env, HOME: home });
    expect(withConfig.stderr).toBe('');
    expect(existsSync(path.join(prefix, 'conda-meta', 'taipan-greetings-2.0.0-0.json'))).toBe(true);
    const overridden = runCli(['create', '-y', '-p', path.join(work, 'env-none'), '--override-channels', 'taipan-greetings'], { ...env, HOME: home });
    expect(overridden.status).toBe(1);
    expect(overridden.stderr).toContain('no channels given');
  });

  test('bad input gets a clear error', () => {
    const noChannel = runCli(['create', '-y', '-p', path.join(work, 'x'), 'hello-taipan'], env);
    expect(noChannel.status).toBe(1);
    expect(noChannel.stderr).toContain('no channels given');
    const badSpec = runCli(['create', '-y', '-p', path.join(work, 'x'), '-c', channel, 'hello taipan ==['], env);
    expect(badSpec.status).toBe(1);
    expect(badSpec.stderr).toContain("'hello taipan ==['");
    const missing = runCli(['create', '-y', '-p', path.join(work, 'x'), '-c', channel, 'no-such-package'], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no-such-package');
    expect(existsSync(path.join(work, 'x'))).toBe(false);
  });
});

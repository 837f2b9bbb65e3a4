/**
 * A real full disk (a small tmpfs filled up; needs root on Linux, skipped with a printed
 * reason elsewhere): under the package cache, `create` ends in a DISK_ERROR saying that
 * cache folder is full, from a local channel and over HTTP, with nothing half-written left;
 * during `remove`, a DISK_ERROR, the environment as it was, and no empty lock-owner file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChannelServer } from '../helpers/channel-server.js';
import { runCli, runCliAsync, type CliResult } from '../helpers/cli.js';
import { checkCache, checkPrefix, records, standardChannel } from '../reliability/fixtures.js';

/** Whether this process may mount a tmpfs (root on Linux). */
function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(path.join(os.tmpdir(), 'taipan-mount-probe-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (mounted) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return mounted;
}

const mountable = canMount();
if (!mountable) console.log('full-disk tests skipped: they mount a small tmpfs, which needs root on Linux');
const describeMount = mountable ? describe : describe.skip;

/** Mount a tmpfs of `size` at `dir` and fill it up to `leaveKiB` free. */
function fullTmpfs(dir: string, size: string, leaveKiB: number): void {
  mkdirSync(dir, { recursive: true });
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status !== 0) throw new Error(`cannot mount a tmpfs at '${dir}'`);
  const free = Number(spawnSync('df', ['-k', '--output=avail', dir], { encoding: 'utf8' }).stdout.trim().split('\n')[1]);
  spawnSync('dd', ['if=/dev/zero', `of=${path.join(dir, 'filler')}`, 'bs=1k', `count=${Math.max(0, free - leaveKiB)}`], { stdio: 'ignore' });
}

function expectCacheFull(run: CliResult, pkgs: string): void {
  expect(run.stderr).not.toMatch(/unexpected failure|DOWNLOAD_FAILED|cannot read package file/);
  expect(run.stderr).toMatch(new RegExp(`^error: the package cache '${pkgs.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' is full: no room left for '[^']+' \\(no space left on the device, ENOSPC\\)$`, 'm'));
  expect(run.stderr).toMatch(/^hint: .*taipan clean --all/m);
  expect(run.status).toBe(1);
}

describeMount('a full disk', () => {
  let work: string;
  let channel: string;
  const mounts: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'taipan-e2e-full-'));
    channel = path.join(work, 'channel');
    await standardChannel(channel);
  });

  afterAll(() => {
    for (const dir of mounts) spawnSync('umount', ['-l', dir]);
    rmSync(work, { recursive: true, force: true });
  });

  test('the package cache full, from a local channel: DISK_ERROR naming the cache folder', async () => {
    const pkgs = path.join(work, 'pkgs-local');
    fullTmpfs(pkgs, '256k', 4);
    mounts.push(pkgs);
    const prefix = path.join(work, 'env-local');
    const run = runCli(['create', '-y', '-p', prefix, '-c', channel, '--override-channels', 'app', 'tool', 'pkg0', 'pkg1'], { TAIPAN_PKGS_DIRS: pkgs });
    expectCacheFull(run, pkgs);
    expect((await checkCache(pkgs)).details).toEqual([]);
    expect(readdirSync(pkgs).filter((n) => /partial|extracting/.test(n))).toEqual([]);
    expect(existsSync(prefix)).toBe(false);
  });

  test('the package cache full, over HTTP: the same DISK_ERROR, not a download failure', async () => {
    const pkgs = path.join(work, 'pkgs-http');
    // Room for the repodata cache (also under pkgs), not for the packages.
    fullTmpfs(pkgs, '256k', 48);
    mounts.push(pkgs);
    const server = await ChannelServer.start(channel);
    try {
      const run = await runCliAsync(['create', '-y', '-p', path.join(work, 'env-http'), '-c', server.url, '--override-channels', 'app', 'tool', 'pkg0', 'pkg1'], { TAIPAN_PKGS_DIRS: pkgs });
      expectCacheFull(run, pkgs);
      expect((await checkCache(pkgs)).details).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test('a full disk during remove: DISK_ERROR, the environment as it was, no empty lock-owner file', async () => {
    const envs = path.join(work, 'full-envs');
    mkdirSync(envs, { recursive: true });
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', envs]).status !== 0) throw new Error('mount failed');
    mounts.push(envs);
    const prefix = path.join(envs, 'env');
    const env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-remove') };
    const created = runCli(['create', '-y', '-p', prefix, '-c', channel, '--override-channels', 'app', 'tool'], env);
    expect(created.status).toBe(0);
    const before = await records(prefix);
    spawnSync('dd', ['if=/dev/zero', `of=${path.join(envs, 'filler')}`, 'bs=1k', 'count=4096'], { stdio: 'ignore' });

    const run = runCli(['remove', '-y', '-p', prefix, 'tool'], env);
    expect(run.stderr).not.toMatch(/unexpected failure/);
    expect(run.stderr).toMatch(/^error: cannot write .*'.*env'.*: no space left on the device \(ENOSPC/m);
    expect(run.status).toBe(1);
    expect(await records(prefix)).toEqual(before);
    expect(readdirSync(path.join(prefix, 'conda-meta')).filter((n) => n.startsWith('.taipan'))).toEqual([]);
    expect((await checkPrefix(prefix)).details).toEqual([]);

    // With room again, the same remove works.
    rmSync(path.join(envs, 'filler'));
    const again = runCli(['remove', '-y', '-p', prefix, 'tool'], env);
    expect(again.status).toBe(0);
    expect(await records(prefix)).toEqual(before.filter((r) => !r.startsWith('tool-')));
  });
});

/**
 * Disk errors: ENOSPC, EDQUOT, EACCES, EROFS, EIO while downloading, extracting,
 * committing a cache entry, writing repodata and linking. Injected at the file-system
 * layer by the test-only TAIPAN_TEST_FS_FAULT switch (channels/test-hooks.ts), which works
 * anywhere CI runs; where this process may mount file systems (root on Linux), also for
 * real: a tiny tmpfs that fills up and a read-only tmpfs. Each must end in a clear error,
 * with nothing half-written left trusted, and the next run must succeed.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ChannelServer } from '../../helpers/channel-server.js';
import { clearError, describeRun, runCase, taipan, type CaseResult, type Category, type Context } from '../harness.js';
import { checkCache, checkPrefix, exists, fresh, records, withStandardServer } from '../fixtures.js';

interface DiskCase {
  fault: string;
  /** 'create' a new prefix, or 'install' into an existing one (linking faults). */
  mode: 'create' | 'install';
  quick?: boolean;
}

const CASES: DiskCase[] = [
  { fault: 'ENOSPC:download:1', mode: 'create', quick: true },
  { fault: 'EDQUOT:download:3', mode: 'create' },
  { fault: 'ENOSPC:extract:4', mode: 'create', quick: true },
  { fault: 'EACCES:extract:1', mode: 'create' },
  { fault: 'EIO:extract:12', mode: 'create' },
  { fault: 'EROFS:cache:1', mode: 'create' },
  { fault: 'EROFS:cache:2', mode: 'create' },
  { fault: 'ENOSPC:repodata:1', mode: 'create' },
  { fault: 'ENOSPC:link:3', mode: 'install', quick: true },
  { fault: 'EACCES:link:1', mode: 'install' },
  { fault: 'EROFS:link:7', mode: 'install' },
  { fault: 'ENOSPC:link:1', mode: 'create' },
];

export const diskErrors: Category = {
  name: 'Disk errors',
  async run(context: Context): Promise<CaseResult[]> {
    return withStandardServer(context.work, async (server) => {
      const results: CaseResult[] = [];
      for (const c of context.quick ? CASES.filter((x) => x.quick) : CASES) {
        results.push(await runCase(`${c.fault} (${c.mode}, injected)`, () => injected(context, server, c)));
      }
      if (!context.quick && canMount(context.work)) {
        results.push(await runCase('ENOSPC for real: the package cache on a full 200 KiB tmpfs', () => realFull(context, server)));
        results.push(await runCase('EROFS for real: the prefix on a read-only tmpfs', () => realReadOnly(context, server)));
      }
      return results;
    });
  },
};

async function injected(context: Context, server: ChannelServer, c: DiskCase): Promise<Omit<CaseResult, 'name'>> {
  const tag = c.fault.replace(/\W+/g, '-');
  const pkgs = await fresh(path.join(context.work, `pkgs-${tag}`));
  const prefix = path.join(context.work, `env-${tag}`);
  await rm(prefix, { recursive: true, force: true });
  const env = { TAIPAN_PKGS_DIRS: pkgs };
  const specs = ['app', 'tool'];
  let before: string[] = [];
  if (c.mode === 'install') {
    const setup = await taipan(['create', '-y', '-p', prefix, '-c', server.url, 'base'], context, env);
    if (setup.status !== 0) return { survived: false, lost: 0, detail: `setup: ${describeRun(setup)}` };
    before = await records(prefix);
  }
  const args = c.mode === 'create' ? ['create', '-y', '-p', prefix, '-c', server.url, ...specs] : ['install', '-y', '-p', prefix, '-c', server.url, ...specs];
  const faulty = await taipan(args, context, { ...env, TAIPAN_TEST_FS_FAULT: c.fault });
  const code = c.fault.split(':')[0] as string;
  const clear = clearError(faulty) && faulty.stderr.includes(code);
  const damage = [...(await checkCache(pkgs)).details, ...(await checkPrefix(prefix)).details];
  const after = await records(prefix);
  if (c.mode === 'install' && after.join() !== before.join()) damage.push(`the prefix changed: ${after.join(', ')}`);
  if (c.mode === 'create' && (await exists(prefix)) && after.length > 0) damage.push(`a failed create left records: ${after.join(', ')}`);
  const next = await taipan(args, context, env);
  damage.push(...(await checkCache(pkgs)).details, ...(await checkPrefix(prefix)).details);
  return {
    survived: clear && next.status === 0,
    lost: damage.length,
    detail: `${clear ? '' : `faulty run: ${describeRun(faulty)}; `}${next.status === 0 ? '' : `next: ${describeRun(next)}; `}${damage.join('; ')}`,
  };
}

function canMount(work: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = path.join(work, 'mount-probe');
  spawnSync('mkdir', ['-p', probe]);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (mounted) spawnSync('umount', [probe]);
  return mounted;
}

async function realFull(context: Context, server: ChannelServer): Promise<Omit<CaseResult, 'name'>> {
  const pkgs = path.join(context.work, 'tiny-pkgs');
  await mkdir(pkgs, { recursive: true });
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', pkgs]).status !== 0) return { survived: false, lost: 0, detail: 'mount failed' };
  try {
    // Fill the file system almost up, so the first package no longer fits.
    spawnSync('dd', ['if=/dev/zero', `of=${path.join(pkgs, 'filler')}`, 'bs=1k', 'count=190'], { stdio: 'ignore' });
    const prefix = path.join(context.work, 'env-tiny');
    const run = await taipan(['create', '-y', '-p', prefix, '-c', server.url, 'app', 'tool', 'pkg0', 'pkg1', 'pkg2'], context, { TAIPAN_PKGS_DIRS: pkgs });
    const damage = [...(await checkCache(pkgs)).details, ...(await checkPrefix(prefix)).details];
    const clear = clearError(run) && /ENOSPC|no space/i.test(run.stderr);
    return { survived: clear, lost: damage.length, detail: `${describeRun(run)}; ${damage.join('; ')}` };
  } finally {
    spawnSync('umount', ['-l', pkgs]);
  }
}

async function realReadOnly(context: Context, server: ChannelServer): Promise<Omit<CaseResult, 'name'>> {
  const parent = path.join(context.work, 'ro-envs');
  await mkdir(parent, { recursive: true });
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', parent]).status !== 0) return { survived: false, lost: 0, detail: 'mount failed' };
  try {
    const pkgs = await fresh(path.join(context.work, 'pkgs-ro'));
    const prefix = path.join(parent, 'env');
    const run = await taipan(['create', '-y', '-p', prefix, '-c', server.url, 'app'], context, { TAIPAN_PKGS_DIRS: pkgs });
    const damage = [...(await checkCache(pkgs)).details];
    const clear = clearError(run) && /EROFS|read-only/i.test(run.stderr);
    return { survived: clear, lost: damage.length, detail: `${describeRun(run)}; ${damage.join('; ')}` };
  } finally {
    spawnSync('umount', ['-l', parent]);
  }
}

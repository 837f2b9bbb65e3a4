/**
 * Several taipan processes at once on one prefix and one package cache: they must be
 * serialized by the locks (prefix lock, per-entry cache locks), lose nothing, never
 * deadlock (every run has a time limit), and say so while one waits for another. A run
 * whose plan was solved before another changed the prefix solves again under the lock,
 * so every compatible request ends installed.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { acquirePrefixLock } from '../../../environments/lock.js';
import { CLI, describeRun, runCase, taipan, type CaseResult, type Category, type CliRun, type Context } from '../harness.js';
import { checkCache, checkPrefix, fresh, records, standardChannel } from '../fixtures.js';

const LIMIT_MS = 120_000;

export const concurrency: Category = {
  name: 'Concurrent processes',
  async run(context: Context): Promise<CaseResult[]> {
    const channel = path.join(context.work, 'channel');
    // extra's post-link sleeps, so the prefix lock is held long enough for others to queue.
    await standardChannel(channel, { slowPostLinkSeconds: 1 });
    const rounds = context.quick ? 1 : 3;
    const width = context.quick ? 2 : 4;
    const results: CaseResult[] = [];
    results.push(await runCase('a run that must wait for the prefix lock says so, then completes', () => heldLock(context, channel)));
    for (let round = 0; round < rounds; round++) {
      results.push(await runCase(`round ${round + 1}: ${width} installs of different packages into one prefix and one cache`, () => samePrefix(context, channel, round, width)));
      results.push(await runCase(`round ${round + 1}: ${width} creates of different prefixes sharing one cache`, () => sharedCache(context, channel, round, width)));
      results.push(await runCase(`round ${round + 1}: ${width} installs of the same package into one prefix`, () => samePackage(context, channel, round, width)));
    }
    return results;
  },
};

async function samePrefix(context: Context, channel: string, round: number, width: number): Promise<Omit<CaseResult, 'name'>> {
  const pkgs = await fresh(path.join(context.work, `pkgs-a${round}`));
  const prefix = path.join(context.work, `env-a${round}`);
  const env = { TAIPAN_PKGS_DIRS: pkgs };
  const created = await taipan(['create', '-y', '-p', prefix, '-c', channel, 'base'], context, env);
  // Overlapping requests on purpose: `app` pulls `base`, which the prefix already has.
  const requests = Array.from({ length: width }, (_, i) => (i === 0 ? ['extra', 'tool'] : i === 1 ? ['app', 'pkg0'] : [`pkg${i - 1}`]));
  const runs = await Promise.all(requests.map((specs) => taipan(['install', '-y', '-p', prefix, '-c', channel, ...specs], context, env, LIMIT_MS)));
  const damage = [...(await checkPrefix(prefix)).details, ...(await checkCache(pkgs)).details];
  const recs = await records(prefix);
  for (const name of ['base', 'extra', ...requests.flat()]) if (!recs.some((r) => r.startsWith(`${name}-`))) damage.push(`lost the install of ${name}`);
  const waited = runs.filter((r) => /waiting for the lock on/.test(r.stderr)).length;
  const ok = created.status === 0 && runs.every((r) => r.status === 0);
  return {
    survived: ok,
    lost: damage.length,
    detail: `${ok ? '' : runs.map(describeRun).join(' | ')}; ${waited} run(s) said they were waiting; ${damage.join('; ')}`,
  };
}

/** This process holds the prefix lock; a taipan install must wait, say so, and finish once it is released. */
async function heldLock(context: Context, channel: string): Promise<Omit<CaseResult, 'name'>> {
  const pkgs = await fresh(path.join(context.work, 'pkgs-held'));
  const prefix = path.join(context.work, 'env-held');
  const env = { TAIPAN_PKGS_DIRS: pkgs };
  const created = await taipan(['create', '-y', '-p', prefix, '-c', channel, 'base'], context, env);
  const release = await acquirePrefixLock(prefix);
  const child = spawn(process.execPath, [CLI, 'install', '-y', '-p', prefix, '-c', channel, 'tool'], {
    env: { ...process.env, HOME: context.home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const said = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 60_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (new RegExp(`waiting for the lock on '[^']*env-held' held by pid ${process.pid}`).test(stderr)) {
        clearTimeout(timer);
        resolve(true);
      }
    });
  });
  const waitedClearly = await said;
  const stillRunning = child.exitCode === null;
  await release();
  const status = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  const damage = [...(await checkPrefix(prefix)).details, ...(await checkCache(pkgs)).details];
  if (!(await records(prefix)).some((r) => r.startsWith('tool-'))) damage.push('tool was not installed');
  return { survived: created.status === 0 && waitedClearly && stillRunning && status === 0, lost: damage.length, detail: `waited clearly: ${waitedClearly}, exit ${status}; ${stderr.slice(-300)}; ${damage.join('; ')}` };
}

async function sharedCache(context: Context, channel: string, round: number, width: number): Promise<Omit<CaseResult, 'name'>> {
  const pkgs = await fresh(path.join(context.work, `pkgs-b${round}`));
  const env = { TAIPAN_PKGS_DIRS: pkgs };
  const prefixes = Array.from({ length: width }, (_, i) => path.join(context.work, `env-b${round}-${i}`));
  const runs = await Promise.all(prefixes.map((prefix) => taipan(['create', '-y', '-p', prefix, '-c', channel, 'app', 'tool', 'pkg0', 'pkg1'], context, env, LIMIT_MS)));
  const damage = [...(await checkCache(pkgs)).details];
  for (const prefix of prefixes) {
    damage.push(...(await checkPrefix(prefix)).details);
    if ((await records(prefix)).length !== 5) damage.push(`${path.basename(prefix)} has ${(await records(prefix)).length} records`);
  }
  return { survived: runs.every((r) => r.status === 0), lost: damage.length, detail: `${runs.filter((r) => r.status !== 0).map(describeRun).join(' | ')}; ${damage.join('; ')}` };
}

async function samePackage(context: Context, channel: string, round: number, width: number): Promise<Omit<CaseResult, 'name'>> {
  const pkgs = await fresh(path.join(context.work, `pkgs-c${round}`));
  const prefix = path.join(context.work, `env-c${round}`);
  const env = { TAIPAN_PKGS_DIRS: pkgs };
  const created = await taipan(['create', '-y', '-p', prefix, '-c', channel, 'base'], context, env);
  const runs: CliRun[] = await Promise.all(Array.from({ length: width }, () => taipan(['install', '-y', '-p', prefix, '-c', channel, 'app'], context, env, LIMIT_MS)));
  const damage = [...(await checkPrefix(prefix)).details, ...(await checkCache(pkgs)).details];
  const recs = await records(prefix);
  if (recs.filter((r) => r.startsWith('app-')).length !== 1) damage.push(`app records: ${recs.join(', ')}`);
  // Each run either did the install or, solving again under the lock, found it done.
  const fine = runs.every((r) => r.status === 0);
  return { survived: created.status === 0 && fine, lost: damage.length, detail: `${runs.map(describeRun).join(' | ')}; ${damage.join('; ')}` };
}

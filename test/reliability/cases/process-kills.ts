/**
 * SIGKILL at many points: while downloading (each chunk), extracting (each entry) and
 * committing (archive rename, record) into the package cache — TAIPAN_TEST_KILL_IN — and
 * after every file operation of linking and unlinking — TAIPAN_TEST_KILL_AFTER. After each
 * kill "the next run" (the CLI) must repair or roll back, and the prefix and the package
 * cache must be consistent: each record's files present with the right hashes, nothing
 * stray, no half-extracted entry trusted.
 */
import path from 'node:path';
import { ChannelServer } from '../../helpers/channel-server.js';
import { describeRun, runCase, taipan, type CaseResult, type Category, type Context } from '../harness.js';
import { checkCache, checkPrefix, fresh, records, withStandardServer } from '../fixtures.js';

const killed = (run: { signal: NodeJS.Signals | null; status: number | null }): boolean => run.signal === 'SIGKILL';

export const processKills: Category = {
  name: 'Process kills (SIGKILL)',
  async run(context: Context): Promise<CaseResult[]> {
    return withStandardServer(context.work, async (server, channel) => {
      const results: CaseResult[] = [];
      // Package cache: download / extract / commit.
      const cachePoints: [string, number[]][] = context.quick
        ? [
            ['download', [2]],
            ['extract', [7]],
          ]
        : [
            ['download', [1, 2, 3, 4, 5]],
            ['extract', [1, 2, 3, 5, 8, 12, 17, 23, 30, 38, 47]],
            ['cache', [1, 2, 3, 4, 5, 6]],
          ];
      for (const [site, points] of cachePoints) {
        for (const n of points) {
          results.push(await runCase(`cache: killed at ${site} operation ${n}`, () => cacheKill(context, server, site, n)));
        }
      }
      // From outside, while packages trickle in over a slow connection.
      for (const packages of context.quick ? [1] : [1, 2, 3]) {
        results.push(await runCase(`cache: killed from outside while package ${packages} downloads slowly`, () => liveDownloadKill(context, server, packages)));
      }
      // Linking and unlinking: every file operation (every 9th in the quick form).
      const step = context.quick ? 11 : 1;
      results.push(...(await linkKills(context, channel, step)));
      return results;
    });
  },
};

async function cacheKill(context: Context, server: ChannelServer, site: string, n: number): Promise<Omit<CaseResult, 'name'>> {
  const tag = `${site}-${n}`;
  const pkgs = await fresh(path.join(context.work, `pkgs-${tag}`));
  const prefix = path.join(context.work, `env-${tag}`);
  const env = { TAIPAN_PKGS_DIRS: pkgs };
  const spec = ['app', 'tool', 'extra'];
  const first = await taipan(['create', '-y', '-p', prefix, '-c', server.url, ...spec], context, { ...env, TAIPAN_TEST_KILL_IN: `${site}:${n}` });
  const damage = [...(await checkPrefix(prefix)).details];
  // What a kill leaves in the cache may be untidy but must never be trusted: the next run repairs.
  // Past the last operation the run simply completes; the next run then only reads.
  const next = first.status === 0 ? await taipan(['list', '-p', prefix], context, env) : await taipan(['create', '-y', '-p', prefix, '-c', server.url, ...spec], context, env);
  damage.push(...(await checkCache(pkgs)).details, ...(await checkPrefix(prefix)).details);
  const recs = await records(prefix);
  if (next.status === 0 && recs.length !== 4) damage.push(`expected 4 records, found ${recs.join(', ')}`);
  return {
    survived: (killed(first) || first.status === 0) && next.status === 0,
    lost: damage.length,
    detail: `killed: ${killed(first)}; next: ${describeRun(next)}; ${damage.join('; ')}`,
  };
}

/** SIGKILL from outside once `packages` package downloads have begun (each takes seconds). */
async function liveDownloadKill(context: Context, server: ChannelServer, packages: number): Promise<Omit<CaseResult, 'name'>> {
  const tag = `live-${packages}`;
  const pkgs = await fresh(path.join(context.work, `pkgs-${tag}`));
  const prefix = path.join(context.work, `env-${tag}`);
  const env = { TAIPAN_PKGS_DIRS: pkgs, TAIPAN_FETCH_THREADS: '1' };
  const spec = ['app', 'tool', 'extra'];
  const isPackage = /\.(conda|tar\.bz2)$/;
  server.requests.length = 0;
  server.addFault({ path: isPackage, kind: 'trickle', delayMs: 5 });
  let first: Awaited<ReturnType<typeof taipan>>;
  try {
    first = await taipan(['create', '-y', '-p', prefix, '-c', server.url, ...spec], context, env, 180_000, () => server.requests.filter((r) => isPackage.test(r.path)).length >= packages);
  } finally {
    server.clearFaults();
  }
  // The cache may be untidy right after the kill (a half-extracted folder) but is never trusted; the next run tidies it.
  const damage = [...(await checkPrefix(prefix)).details];
  const next = await taipan(['create', '-y', '-p', prefix, '-c', server.url, ...spec], context, env);
  damage.push(...(await checkCache(pkgs)).details, ...(await checkPrefix(prefix)).details);
  const recs = await records(prefix);
  if (next.status === 0 && recs.length !== 4) damage.push(`expected 4 records, found ${recs.join(', ')}`);
  return {
    survived: killed(first) && next.status === 0,
    lost: damage.length,
    detail: `killed: ${killed(first)}; next: ${describeRun(next)}; ${damage.join('; ')}`,
  };
}

async function linkKills(context: Context, channel: string, step: number): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const pkgs = path.join(context.work, 'pkgs-link');
  const prefix = path.join(context.work, 'env-link');
  const env = { TAIPAN_PKGS_DIRS: pkgs };
  const created = await taipan(['create', '-y', '-p', prefix, '-c', channel, 'base', 'tool'], context, env);
  if (created.status !== 0) return [{ name: 'link kills: setup', survived: false, lost: 0, detail: describeRun(created) }];
  const phases: { label: string; args: string[]; done: (recs: string[]) => boolean }[] = [
    { label: 'install (link)', args: ['install', '-y', '-p', prefix, '-c', channel, 'app', 'extra', 'pkg0', 'pkg1', 'base=2.0'], done: (r) => r.some((x) => x.startsWith('extra-')) },
    { label: 'remove (unlink)', args: ['remove', '-y', '-p', prefix, 'app', 'extra', 'pkg0'], done: (r) => !r.some((x) => x.startsWith('extra-')) },
  ];
  for (const phase of phases) {
    const before = await records(prefix);
    let completed = false;
    for (let n = 1; n < 400 && !completed; n += step) {
      results.push(
        await runCase(`${phase.label}: killed after file operation ${n}`, async () => {
          const run = await taipan(phase.args, context, { ...env, TAIPAN_TEST_KILL_AFTER: String(n) });
          if (run.status === 0) {
            completed = true;
          } else if (!killed(run)) {
            return { survived: false, lost: 0, detail: `not killed and not done: ${describeRun(run)}` };
          }
          // The next run: any command that reads the prefix repairs it first.
          const list = await taipan(['list', '-p', prefix], context, env);
          const damage = [...(await checkPrefix(prefix, ['.messages.txt'])).details, ...(await checkCache(pkgs)).details];
          const now = await records(prefix);
          if (phase.done(now)) completed = true;
          else if (now.join() !== before.join()) damage.push(`records neither before nor after: ${now.join(', ')}`);
          return { survived: list.status === 0, lost: damage.length, detail: `${describeRun(list)}; ${damage.join('; ')}` };
        }),
      );
    }
    if (!completed) {
      // Finish the phase without a kill, so the next phase starts from its state.
      const run = await taipan(phase.args, context, env);
      results.push({ name: `${phase.label}: completes after the kills`, survived: run.status === 0, lost: (await checkPrefix(prefix, ['.messages.txt'])).count, detail: describeRun(run) });
    }
  }
  return results;
}

/**
 * The install service (environments/install-service.ts) as a front end other than the CLI
 * uses it: real channel, real package cache, real prefix. It plans, tells its caller by
 * events, asks `confirm` where the CLI asks, and when another taipan (the real CLI, run
 * from inside `confirm`) changes the prefix before the lock is taken, solves again and asks
 * again before carrying out the new plan.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Channel } from '../../channels/model/channel.js';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { currentPlatform } from '../../channels/model/platform.js';
import { installIntoPrefix, type InstallEvent, type InstallPlan, type PlanRequest } from '../../environments/install-service.js';
import { PackageCache } from '../../environments/package-cache/package-cache.js';
import { runCliOk } from '../helpers/cli.js';
import { writePackage } from '../reliability/fixtures.js';
import { checkPrefixConsistency } from '../unit/environments/link/prefix-consistency.js';

let work: string;
let channel: string;
let pkgs: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-service-'));
  channel = path.join(work, 'channel');
  pkgs = path.join(work, 'pkgs');
  await writePackage(channel, { name: 'svc-lib', files: { 'share/svc-lib/data.txt': 'lib\n' } });
  await writePackage(channel, { name: 'svc-app', depends: ['svc-lib'], files: { 'share/svc-app/data.txt': 'app\n' } });
  await writePackage(channel, { name: 'svc-other', files: { 'share/svc-other/data.txt': 'other\n' } });
  await indexChannel(channel);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const solveRequest = (mode: 'create' | 'install', specs: string[]): PlanRequest => ({ kind: 'solve', mode, specs, channels: [Channel.parse(channel)] });

/** Run the service, recording its events and the plans it asked about. */
async function run(prefix: string, request: PlanRequest, answer: (plan: InstallPlan, asked: number) => boolean | Promise<boolean> = () => true, dryRun = false) {
  const events: InstallEvent[] = [];
  const asked: InstallPlan[] = [];
  const outcome = await installIntoPrefix({
    prefix,
    platform: currentPlatform(),
    request,
    packageCache: (onDownload) => new PackageCache([pkgs], { onProgress: onDownload }),
    dryRun,
    history: { command: 'install-service test', toolVersion: '0' },
    confirm: async (plan) => {
      asked.push(plan);
      return answer(plan, asked.length);
    },
    onEvent: (event) => events.push(event),
  });
  return { outcome, events, asked, kinds: events.map((e) => e.kind) };
}

const names = (records: readonly { name: string }[]): string[] => records.map((r) => r.name).sort();

async function installedNames(prefix: string): Promise<string[]> {
  return (await readdir(path.join(prefix, 'conda-meta'))).filter((f) => f.endsWith('.json')).map((f) => f.replace(/-1\.0-0\.json$/, '')).sort();
}

test('a dry run plans and asks nothing; a declined plan touches nothing', async () => {
  const prefix = path.join(work, 'declined');
  const dry = await run(prefix, solveRequest('create', ['svc-app']), () => true, true);
  expect(dry.outcome).toMatchObject({ status: 'dry-run', changed: false });
  expect(dry.kinds).toEqual(['solving', 'solved', 'plan', 'outcome']);
  expect(names(dry.outcome.plan.solved.plan.link)).toEqual(['svc-app', 'svc-lib']);
  expect(names(dry.outcome.plan.fetch)).toEqual(['svc-app', 'svc-lib']);
  expect(dry.asked).toEqual([]);

  const declined = await run(prefix, solveRequest('create', ['svc-app']), () => false);
  expect(declined.outcome).toMatchObject({ status: 'declined', changed: false });
  expect(names(declined.asked[0]?.solved.plan.link ?? [])).toEqual(['svc-app', 'svc-lib']);
  await expect(readdir(prefix)).rejects.toMatchObject({ code: 'ENOENT' });
});

test('a create is planned, confirmed, fetched and linked, and told event by event', async () => {
  const prefix = path.join(work, 'created');
  const { outcome, events, kinds, asked } = await run(prefix, solveRequest('create', ['svc-app']));
  expect(outcome).toMatchObject({ status: 'done', changed: true });
  expect(asked).toHaveLength(1);
  expect(kinds.slice(0, 3)).toEqual(['solving', 'solved', 'plan']);
  expect(kinds.at(-1)).toBe('outcome');
  expect(events.filter((e) => e.kind === 'fetch').length).toBe(2);
  expect(events.flatMap((e) => (e.kind === 'link' ? [e.record.name] : []))).toEqual(['svc-lib', 'svc-app']);
  expect(await installedNames(prefix)).toEqual(['svc-app', 'svc-lib']);
  expect(await checkPrefixConsistency(prefix)).toMatchObject({ orphans: [], missing: [], shared: [], leftovers: [] });

  const again = await run(prefix, solveRequest('install', ['svc-app']));
  expect(again.outcome).toMatchObject({ status: 'empty', changed: false });
  expect(again.asked).toEqual([]);
});

test('when another taipan changes the prefix before the lock, the request is solved and confirmed again', async () => {
  const prefix = path.join(work, 'replanned');
  await run(prefix, solveRequest('create', ['svc-lib']));
  const { outcome, events, asked, kinds } = await run(prefix, solveRequest('install', ['svc-app']), (_plan, count) => {
    // The first time it is asked, another process installs into the same prefix.
    if (count === 1) runCliOk(['install', '-y', '-p', prefix, '-c', channel, '--override-channels', 'svc-other'], { TAIPAN_PKGS_DIRS: pkgs });
    return true;
  });
  expect(outcome).toMatchObject({ status: 'done', changed: true });
  expect(asked).toHaveLength(2);
  const plans = events.flatMap((e) => (e.kind === 'plan' ? [e.again] : []));
  expect(plans).toEqual([false, true]);
  expect(kinds.indexOf('plan')).toBeLessThan(kinds.indexOf('replan'));
  expect(kinds.indexOf('replan')).toBeLessThan(kinds.lastIndexOf('plan'));
  // The new plan was solved against the prefix that now holds svc-other, which stays.
  expect(names(asked[1]?.solved.installed ?? [])).toEqual(['svc-lib', 'svc-other']);
  expect(await installedNames(prefix)).toEqual(['svc-app', 'svc-lib', 'svc-other']);
  expect(await checkPrefixConsistency(prefix)).toMatchObject({ orphans: [], missing: [], shared: [], leftovers: [] });
});

test('a remove goes through the same service', async () => {
  const prefix = path.join(work, 'removed');
  await run(prefix, solveRequest('create', ['svc-app', 'svc-other']));
  const { outcome } = await run(prefix, { kind: 'remove', specs: ['svc-other'] });
  expect(outcome).toMatchObject({ status: 'done', changed: true });
  expect(names(outcome.plan.solved.plan.unlink)).toEqual(['svc-other']);
  expect(await installedNames(prefix)).toEqual(['svc-app', 'svc-lib']);
});

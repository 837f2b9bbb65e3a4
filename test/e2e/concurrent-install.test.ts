/**
 * Several `taipan` processes changing one prefix at once, through the real CLI: the prefix
 * lock serializes them, a process that waits says so, and one whose plan was solved
 * before another changed the prefix solves again instead of failing, so every request
 * ends installed and conda-meta agrees with the files.
 *
 * To make the interleaving certain rather than likely, this process takes the prefix lock
 * first: every CLI run then solves against the same prefix, reaches the lock and waits
 * (which each must report); once all are waiting the lock is released and they go one by
 * one, so all but the first find the prefix changed under their plan.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { acquirePrefixLock } from '../../environments/lock.js';
import { CLI, runCliOk, type CliResult } from '../helpers/cli.js';
import { writePackage } from '../reliability/fixtures.js';
import { checkPrefixConsistency } from '../unit/environments/link/prefix-consistency.js';

interface Started {
  /** Resolves once stderr matches `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<void>;
  readonly done: Promise<CliResult>;
}

let work: string;
let channel: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-concurrent-'));
  channel = path.join(work, 'channel');
  await makeDemoChannel(channel);
  // Beside the demo packages, a few independent ones (two with a slow post-link).
  await writePackage(channel, { name: 'plain-c', files: { 'share/plain-c/data.txt': 'c\n' } });
  await writePackage(channel, { name: 'slow-a', files: { 'share/slow-a/data.txt': 'a\n' }, postLink: '#!/bin/bash\nsleep 1\n' });
  await writePackage(channel, { name: 'slow-b', files: { 'share/slow-b/data.txt': 'b\n' }, postLink: '#!/bin/bash\nsleep 1\n' });
  await indexChannel(channel);
  env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs'), HOME: path.join(work, 'home'), USERPROFILE: path.join(work, 'home') };
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The CLI in its own process, with its stderr watched as it comes (runCliAsync only reports at the end). */
function start(args: readonly string[]): Started {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of watchers.filter((x) => x.pattern.test(stderr))) {
      watchers.splice(watchers.indexOf(w), 1);
      w.resolve();
    }
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
  return {
    done,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        watchers.push({ pattern, resolve });
        void done.then((r) => reject(new Error(`taipan ${args.join(' ')} ended (${r.status}) before printing ${pattern}:\n${r.stderr}`)));
      }),
  };
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Start every command while this process holds `prefix`'s lock; release it once all of them wait. */
async function allAtOnce(prefix: string, commands: readonly string[][]): Promise<CliResult[]> {
  const release = await acquirePrefixLock(prefix);
  let runs: Started[] = [];
  try {
    runs = commands.map((args) => start(args));
    const waiting = new RegExp(`waiting for the lock on '${escape(prefix)}' held by pid ${process.pid}\\b`);
    await Promise.all(runs.map((r) => r.waitFor(waiting)));
  } finally {
    await release();
  }
  return Promise.all(runs.map((r) => r.done));
}

async function installed(prefix: string): Promise<string[]> {
  const list = JSON.parse(runCliOk(['list', '-p', prefix, '--json'], env)) as { name: string; version: string }[];
  return list.map((p) => `${p.name}-${p.version}`).sort();
}

async function consistent(prefix: string): Promise<void> {
  expect(await checkPrefixConsistency(prefix)).toMatchObject({ orphans: [], missing: [], shared: [], leftovers: [] });
}

const replanned = (runs: readonly CliResult[]): number => runs.filter((r) => /solving the request again/.test(r.stderr)).length;

test('three installs of different packages into one prefix all end installed', async () => {
  const prefix = path.join(work, 'three');
  runCliOk(['create', '-y', '-p', prefix, '-c', channel, 'plain-c'], env);
  const runs = await allAtOnce(prefix, [
    ['install', '-y', '-p', prefix, '-c', channel, 'hello-taipan'],
    ['install', '-y', '-p', prefix, '-c', channel, 'slow-a'],
    ['install', '-y', '-p', prefix, '-c', channel, 'slow-b'],
  ]);
  for (const run of runs) expect(run).toMatchObject({ status: 0 });
  // The first to get the lock found the prefix as solved; the two after it solved again.
  expect(replanned(runs)).toBe(2);
  expect(await installed(prefix)).toEqual(['hello-taipan-1.0.0', 'plain-c-1.0', 'slow-a-1.0', 'slow-b-1.0', 'taipan-greetings-1.1.0']);
  await consistent(prefix);
  // Each request is in the history, so a later install keeps all of them.
  const history = await readFile(path.join(prefix, 'conda-meta', 'history'), 'utf8');
  for (const spec of ['plain-c', 'hello-taipan', 'slow-a', 'slow-b']) expect(history).toContain(`# update specs: ['${spec}']`);
});

test('a remove and an install at once: both happen', async () => {
  const prefix = path.join(work, 'remove-install');
  runCliOk(['create', '-y', '-p', prefix, '-c', channel, 'plain-c', 'slow-a'], env);
  const runs = await allAtOnce(prefix, [
    ['remove', '-y', '-p', prefix, 'slow-a'],
    ['install', '-y', '-p', prefix, '-c', channel, 'hello-taipan'],
  ]);
  for (const run of runs) expect(run).toMatchObject({ status: 0 });
  expect(replanned(runs)).toBe(1);
  expect(await installed(prefix)).toEqual(['hello-taipan-1.0.0', 'plain-c-1.0', 'taipan-greetings-1.1.0']);
  await consistent(prefix);
});

test('two installs of the same package at once: one installs it, the other finds it done', async () => {
  const prefix = path.join(work, 'same');
  runCliOk(['create', '-y', '-p', prefix, '-c', channel, 'plain-c'], env);
  const runs = await allAtOnce(prefix, [
    ['install', '-y', '-p', prefix, '-c', channel, 'slow-b'],
    ['install', '-y', '-p', prefix, '-c', channel, 'slow-b'],
  ]);
  for (const run of runs) expect(run).toMatchObject({ status: 0 });
  expect(runs.filter((r) => /All requested packages already installed/.test(r.stdout))).toHaveLength(1);
  expect(await installed(prefix)).toEqual(['plain-c-1.0', 'slow-b-1.0']);
  await consistent(prefix);
});

test('two creates of one new prefix: one creates it, the other is told it exists', async () => {
  // No lock held here: taking it would make the prefix exist before either create starts.
  const prefix = path.join(work, 'created-twice');
  const runs = await Promise.all([
    start(['create', '-y', '-p', prefix, '-c', channel, 'slow-a']).done,
    start(['create', '-y', '-p', prefix, '-c', channel, 'plain-c']).done,
  ]);
  const [won, lost] = runs[0]?.status === 0 ? runs : [...runs].reverse();
  expect(won).toMatchObject({ status: 0 });
  expect(lost?.status).toBe(1);
  expect(lost?.stderr).toMatch(/PREFIX_EXISTS|already exists/);
  // The loser's failure removed nothing of the winner's environment.
  expect((await installed(prefix)).length).toBe(1);
  await consistent(prefix);
});

test('installs started together without a held lock all finish (no ordering forced)', async () => {
  const prefix = path.join(work, 'free');
  runCliOk(['create', '-y', '-p', prefix, '-c', channel, 'plain-c'], env);
  const runs = await Promise.all(
    [['hello-taipan'], ['slow-a'], ['slow-b']].map((specs) => start(['install', '-y', '-p', prefix, '-c', channel, ...specs]).done),
  );
  for (const run of runs) expect(run).toMatchObject({ status: 0 });
  expect(await installed(prefix)).toEqual(['hello-taipan-1.0.0', 'plain-c-1.0', 'slow-a-1.0', 'slow-b-1.0', 'taipan-greetings-1.1.0']);
  await consistent(prefix);
});

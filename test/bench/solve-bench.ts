/**
 * Solve benchmark: taipan's default (CDCL) solver against `@conda-org/rattler`'s
 * `simpleSolve` (resolvo, in WASM) on the same channel snapshots served on 127.0.0.1, side
 * by side in one run. Both sides include loading repodata, cold (taipan with a fresh cache
 * each time; rattler-wasm keeps none). taipan's time reading the folder directly is shown
 * beside it. Peak RSS comes from one child process per side running every request, so the
 * two never mix. Each row also says whether both chose the same versions for the
 * requested names.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MatchSpec } from '../../channels/model/match-spec/index.js';
import { formatTable, type BenchRow } from './bench.js';
import { runChild, type ChildOutcome } from './child-runner.js';
import type { ChildRequest } from './measure-child.js';
import { loadRattler, rattlerSolve, taipanSolve } from './sides.js';
import { serveFolder } from './static-server.js';

/** One request: specs on one channel folder (linux-64 + noarch). */
export interface SolveBenchRequest {
  readonly channel: string;
  readonly specs: readonly string[];
}

/** From a bare `python` up to a 15-package data-science stack. */
export const SOLVE_REQUESTS: readonly SolveBenchRequest[] = [
  { channel: 'defaults-index4', specs: ['python'] },
  { channel: 'defaults-index4', specs: ['numpy'] },
  { channel: 'defaults-index4', specs: ['scipy'] },
  { channel: 'defaults-index4', specs: ['pandas'] },
  { channel: 'defaults-index4', specs: ['numpy', 'python 2.7.*'] },
  { channel: 'defaults-index4', specs: ['matplotlib', 'scipy', 'python 3.6.*'] },
  { channel: 'defaults-index4', specs: ['dask', 'sqlalchemy', 'requests'] },
  { channel: 'defaults-index4', specs: ['jupyter', 'pandas', 'matplotlib'] },
  {
    channel: 'defaults-index4',
    specs: ['python 3.6.*', 'numpy', 'scipy', 'pandas', 'matplotlib', 'bokeh', 'dask', 'notebook', 'ipython', 'jupyter', 'sqlalchemy', 'requests', 'psycopg2', 'pyyaml', 'flask'],
  },
  { channel: 'conda-forge-subset', specs: ['python'] },
  { channel: 'conda-forge-subset', specs: ['python 3.9.*', 'pip'] },
  { channel: 'conda-forge-subset', specs: ['curl'] },
  { channel: 'conda-forge-subset', specs: ['sqlite', 'zstd', 'xorg-libx11'] },
  { channel: 'conda-forge-subset', specs: ['setuptools', 'python <3.9.10'] },
];

/** One cold taipan request: a fresh repodata cache (made and removed outside the timing). */
async function oursTimed(channel: string, specs: readonly string[]): Promise<[number, Map<string, string>]> {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'taipan-bench-cache-'));
  try {
    return await timed(() => taipanSolve(channel, specs, cacheDir));
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** `=` when both chose the same versions for the requested names, else the differences. */
function compareTop(specs: readonly string[], ours: Map<string, string>, theirs: Map<string, string>): string {
  const diffs: string[] = [];
  for (const spec of specs) {
    const name = MatchSpec.parse(spec).name;
    if (ours.get(name) !== theirs.get(name)) diffs.push(`${name} ${ours.get(name)} vs ${theirs.get(name)}`);
  }
  return diffs.length === 0 ? '=' : diffs.join('; ');
}

const CHILD_LIMIT_MS = 600_000;

function rssText(outcome: ChildOutcome): string {
  return outcome.ok ? `${outcome.peakRssMiB.toFixed(0)} MiB (${(outcome.ms / 1000).toFixed(1)} s)` : `${outcome.reason}, >= ${outcome.peakRssMiB?.toFixed(0) ?? '?'} MiB`;
}

/**
 * Runs every request `warmup + rounds` times on each side (alternating which goes first)
 * and prints the table. Skips, with a reason, when ../shared is absent.
 */
export async function runSolveBench(options: { rounds: number; warmup: number }): Promise<void> {
  const channels = path.resolve(process.cwd(), '..', 'shared', 'fixtures', 'channels');
  if (!existsSync(path.join(channels, 'defaults-index4')) || !existsSync(path.join(channels, 'conda-forge-subset'))) {
    console.log(`solve bench skipped: '${channels}' is absent (the channel snapshots live there)`);
    return;
  }
  const rattler = loadRattler();
  const server = await serveFolder(channels);
  try {
    const served = (request: SolveBenchRequest): string => `${server.url}/${request.channel}`;
    const rows: (BenchRow & { same: string; records: number; fileMs: number })[] = [];
    for (const request of SOLVE_REQUESTS) {
      const folder = path.join(channels, request.channel);
      const url = served(request);
      const ours: number[] = [];
      const oursFile: number[] = [];
      const theirs: number[] = [];
      let last: [Map<string, string>, Map<string, string>] | undefined;
      for (let round = 0; round < options.warmup + options.rounds; round++) {
        // Alternate the order so that neither side always runs on a colder cache.
        const oursFirst = round % 2 === 0;
        const r1 = oursFirst ? undefined : await timed(() => rattlerSolve(rattler, url, request.specs));
        const o = await oursTimed(url, request.specs);
        const f = await oursTimed(folder, request.specs);
        const r = r1 ?? (await timed(() => rattlerSolve(rattler, url, request.specs)));
        if (round >= options.warmup) {
          ours.push(o[0]);
          oursFile.push(f[0]);
          theirs.push(r[0]);
        }
        last = [o[1], r[1]];
      }
      const oursMs = median(ours);
      const referenceMs = median(theirs);
      const [oursChoice, theirChoice] = last as [Map<string, string>, Map<string, string>];
      rows.push({
        name: `${request.channel === 'defaults-index4' ? 'defaults' : 'conda-forge'}: ${request.specs.length > 4 ? `${request.specs.length}-package stack` : request.specs.join(', ')}`,
        oursMs,
        referenceMs,
        ratio: oursMs / referenceMs,
        fileMs: median(oursFile),
        same: compareTop(request.specs, oursChoice, theirChoice),
        records: oursChoice.size,
      });
    }
    console.log(
      `\nsolve: taipan (cdcl) vs @conda-org/rattler simpleSolve, both over HTTP on 127.0.0.1, repodata loading included (ms, median of ${options.rounds} rounds after ${options.warmup} warm-up)\n`,
    );
    const table = formatTable(rows, 'rattler').split('\n');
    const extra = ['ours file ms  records  same top versions', '------------  -------  -----------------', ...rows.map((r) => `${r.fileMs.toFixed(2).padStart(12)}  ${String(r.records).padStart(7)}  ${r.same}`)];
    console.log(table.map((line, i) => `${line}  ${extra[i] ?? ''}`).join('\n'));
    const worst = Math.max(...rows.map((r) => r.ratio));
    console.log(`worst ratio ${worst.toFixed(2)} (goal <= 1.00)`);

    // Peak RSS: one child per side runs every request once, over HTTP.
    const requests: ChildRequest[] = SOLVE_REQUESTS.map((r) => ({ channel: served(r), specs: r.specs }));
    const oursRss = await runChild({ kind: 'taipan-solve', requests }, CHILD_LIMIT_MS);
    const theirRss = await runChild({ kind: 'rattler-solve', requests }, CHILD_LIMIT_MS);
    console.log(`peak RSS of a process running all ${requests.length} requests once: taipan ${rssText(oursRss)}, rattler ${rssText(theirRss)}`);
  } finally {
    await server.close();
  }
}

/**
 * Solve benchmark: taipan's default (CDCL) solver against `@conda-org/rattler`'s
 * `simpleSolve` (resolvo, in WASM) on the same channel snapshots, side by side in one run.
 * Both sides include loading repodata: ours reads the channel folder through
 * `ChannelIndex.load`, rattler fetches it from a tiny static HTTP server on 127.0.0.1.
 * Each row also says whether the two chose the same versions for the requested names.
 */
import { existsSync, statSync, createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Channel } from '../../channels/model/channel.js';
import { MatchSpec } from '../../channels/model/match-spec/index.js';
import { ChannelIndex } from '../../channels/repodata/channel-index.js';
import { CdclBackend, solve } from '../../solver/index.js';
import { formatTable, type BenchRow } from './bench.js';

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

/** What the bench needs of the rattler module. */
interface RattlerSolve {
  simpleSolve(specs: string[], channels: string[], platforms: string[], locked: unknown[]): Promise<{ packageName: string; version: unknown }[]>;
}

const VIRTUALS = [
  { name: '__unix', version: '0', build: '0', build_number: 0, depends: [] },
  { name: '__linux', version: '5.15', build: '0', build_number: 0, depends: [] },
  { name: '__glibc', version: '2.35', build: '0', build_number: 0, depends: [] },
  { name: '__archspec', version: '1', build: 'x86_64', build_number: 0, depends: [] },
];

/** Serves `root` read-only on 127.0.0.1 (an ephemeral port). */
function serveFolder(root: string): Promise<Server> {
  const server = createServer((request, response) => {
    const file = path.join(root, decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname));
    if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function oursOnce(folder: string, specs: readonly string[]): Promise<Map<string, string>> {
  const index = await ChannelIndex.load([Channel.parse(folder)], 'linux-64');
  const { records } = await solve(
    { specs: specs.map((s) => MatchSpec.parse(s)), available: (name) => index.get(name), virtualPackages: VIRTUALS },
    { backend: new CdclBackend() },
  );
  return new Map(records.map((r) => [r.name, r.version]));
}

async function rattlerOnce(rattler: RattlerSolve, url: string, specs: readonly string[]): Promise<Map<string, string>> {
  const solved = await rattler.simpleSolve([...specs], [url], ['linux-64', 'noarch'], []);
  return new Map(solved.map((p) => [p.packageName, String(p.version)]));
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

const peakRssMiB = (): number => process.resourceUsage().maxRSS / 1024;

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
  // The CommonJS build loads its WASM synchronously; the ESM build expects a bundler.
  const rattler = createRequire(import.meta.url)('@conda-org/rattler') as RattlerSolve;
  const server = await serveFolder(channels);
  const port = (server.address() as AddressInfo).port;
  try {
    // One pass of ours alone, then rattler alone, so that peak RSS can be told apart.
    const before = peakRssMiB();
    for (const request of SOLVE_REQUESTS) await oursOnce(path.join(channels, request.channel), request.specs);
    const afterOurs = peakRssMiB();
    for (const request of SOLVE_REQUESTS) await rattlerOnce(rattler, `http://127.0.0.1:${port}/${request.channel}`, request.specs);
    const afterRattler = peakRssMiB();

    const rows: (BenchRow & { same: string; records: number })[] = [];
    for (const request of SOLVE_REQUESTS) {
      const folder = path.join(channels, request.channel);
      const url = `http://127.0.0.1:${port}/${request.channel}`;
      const ours: number[] = [];
      const theirs: number[] = [];
      let last: [Map<string, string>, Map<string, string>] | undefined;
      for (let round = 0; round < options.warmup + options.rounds; round++) {
        const oursFirst = round % 2 === 0;
        const a = oursFirst ? await timed(() => oursOnce(folder, request.specs)) : await timed(() => rattlerOnce(rattler, url, request.specs));
        const b = oursFirst ? await timed(() => rattlerOnce(rattler, url, request.specs)) : await timed(() => oursOnce(folder, request.specs));
        const [o, r] = oursFirst ? [a, b] : [b, a];
        if (round >= options.warmup) {
          ours.push(o[0]);
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
        same: compareTop(request.specs, oursChoice, theirChoice),
        records: oursChoice.size,
      });
    }
    console.log(`\nsolve: taipan (cdcl) vs @conda-org/rattler simpleSolve, repodata loading included (ms, median of ${options.rounds} rounds after ${options.warmup} warm-up)\n`);
    const table = formatTable(rows, 'rattler').split('\n');
    const extra = ['records  same top versions', '-------  -----------------', ...rows.map((r) => `${String(r.records).padStart(7)}  ${r.same}`)];
    console.log(table.map((line, i) => `${line}  ${extra[i] ?? ''}`).join('\n'));
    const worst = Math.max(...rows.map((r) => r.ratio));
    console.log(`worst ratio ${worst.toFixed(2)} (goal <= 1.00)`);
    console.log(
      `peak RSS: ${before.toFixed(0)} MiB before, ${afterOurs.toFixed(0)} MiB after a pass of taipan alone, ${afterRattler.toFixed(0)} MiB after a pass of rattler alone, ${peakRssMiB().toFixed(0)} MiB at the end`,
    );
  } finally {
    server.close();
  }
}

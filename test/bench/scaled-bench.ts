/**
 * The scaled-channel benchmark (issues 3 and 4): a fixture channel's linux-64 repodata is
 * scaled to about 300 MB (../shared/tools/scale-repodata.mjs: copies of real records with
 * shifted versions, dependency structure kept), then, each in its own child process:
 * - a full `JSON.parse` of that file (the eager baseline),
 * - taipan loading what a request reaches (lazy index, records built on first use), from
 *   the folder and over HTTP on 127.0.0.1,
 * - taipan loading and solving the request, from the folder and over HTTP,
 * - rattler `simpleSolve` over HTTP (its own loading included), under a time limit: rattler
 *   wasm ran out of memory there after 232 s, so a failure is reported and taipan's figures
 *   stand alone.
 * Prints median times and peak RSS. The scaled channel lives in a temp dir, removed after.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatMs, runChild, runChildRounds, type ChildOutcome } from './child-runner.js';
import type { ChildJob } from './measure-child.js';
import { serveFolder } from './static-server.js';

/** A fixture channel to scale and the requests to run on it. */
export interface ScaledChannel {
  readonly channel: string;
  readonly requests: readonly (readonly string[])[];
}

/**
 * conda-forge-subset has python and its build stack but no numpy or pandas, so its
 * "python numpy pandas-like" requests are python with the packages it does carry;
 * defaults-index4 has the literal stack.
 */
export const SCALED_CHANNELS: readonly ScaledChannel[] = [
  {
    channel: 'conda-forge-subset',
    requests: [
      ['python', 'pip', 'setuptools', 'wheel'],
      ['curl', 'sqlite', 'openssl', 'krb5'],
    ],
  },
  {
    channel: 'defaults-index4',
    requests: [['python', 'numpy', 'pandas']],
  },
];

const TARGET_BYTES = 300e6;
/** Child processes per taipan figure (TAIPAN_BENCH_SCALED_ROUNDS); the median is shown. */
const ROUNDS = Number(process.env.TAIPAN_BENCH_SCALED_ROUNDS ?? 3);
const TAIPAN_LIMIT_MS = 300_000;
/**
 * rattler's time limit per request, seconds (TAIPAN_BENCH_RATTLER_LIMIT). It ran out of
 * memory after 232 s when the issue was written; past two minutes it is well beyond the
 * 1 GB goal either way, so waiting longer only makes the bench slower.
 */
const RATTLER_LIMIT_MS = Number(process.env.TAIPAN_BENCH_RATTLER_LIMIT ?? 120) * 1000;

/** Runs scale-repodata.mjs on the linux-64 and noarch subdirs of `source` only (the others would be scaled too). */
async function generate(source: string, out: string, work: string): Promise<number> {
  // The script writes compact JSON; the fixtures may be indented, so size them compact.
  const compact = Buffer.byteLength(JSON.stringify(JSON.parse(readFileSync(path.join(source, 'linux-64', 'repodata.json'), 'utf8'))));
  const factor = Math.max(1, Math.round(TARGET_BYTES / compact));
  const subset = path.join(work, 'source');
  await mkdir(subset, { recursive: true });
  for (const subdir of ['linux-64', 'noarch']) await symlink(path.join(source, subdir), path.join(subset, subdir));
  const script = path.resolve(process.cwd(), '..', 'shared', 'tools', 'scale-repodata.mjs');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [script, subset, out, String(factor)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d: Buffer) => process.stdout.write(`  ${d.toString().trimEnd().split('\n').join('\n  ')}\n`));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`scale-repodata.mjs exited with ${code}`))));
  });
  return factor;
}

function cell(outcome: ChildOutcome): [string, string, string] {
  if (!outcome.ok) return [outcome.reason, outcome.peakRssMiB === undefined ? '?' : `>= ${outcome.peakRssMiB.toFixed(0)}`, ''];
  return [formatMs(outcome.ms), outcome.peakRssMiB.toFixed(0), outcome.detail];
}

function table(rows: readonly string[][]): string {
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i === 0 || i === 1 || i === 4 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd();
  return [line(rows[0] as string[]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

async function benchOne(scaled: ScaledChannel, fixtures: string): Promise<{ taipanPeak: number; ratios: number[] }> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'taipan-bench-scaled-'));
  const out = path.join(work, 'channel');
  try {
    console.log(`\nscaled ${scaled.channel}: generating into ${out}`);
    const factor = await generate(path.join(fixtures, scaled.channel), out, work);
    const file = path.join(out, 'linux-64', 'repodata.json');
    console.log(`  factor ${factor}: linux-64/repodata.json is ${(statSync(file).size / 1e6).toFixed(0)} MB`);
    const server = await serveFolder(out);
    const sources = { folder: pathToFileURL(out).href, http: `${server.url}/` };
    let taipanPeak = 0;
    const ratios: number[] = [];
    try {
      const parse = await runChildRounds({ kind: 'json-parse', file }, ROUNDS, TAIPAN_LIMIT_MS);
      const rows: string[][] = [['request', 'side', 'median', 'peak RSS MiB', 'detail']];
      rows.push(['(whole file)', 'JSON.parse of linux-64', ...cell(parse)]);
      let rattlerFailed: string | undefined;
      for (const specs of scaled.requests) {
        const label = specs.join(', ');
        const jobs: [string, ChildJob][] = [
          ['taipan load, file://', { kind: 'taipan-load', request: { channel: sources.folder, specs } }],
          ['taipan load, http', { kind: 'taipan-load', request: { channel: sources.http, specs } }],
          ['taipan solve, file://', { kind: 'taipan-solve', requests: [{ channel: sources.folder, specs }] }],
          ['taipan solve, http', { kind: 'taipan-solve', requests: [{ channel: sources.http, specs }] }],
        ];
        let taipanHttpSolve: ChildOutcome | undefined;
        for (const [side, job] of jobs) {
          const outcome = await runChildRounds(job, ROUNDS, TAIPAN_LIMIT_MS);
          if (outcome.ok) taipanPeak = Math.max(taipanPeak, outcome.peakRssMiB);
          if (side === 'taipan solve, http') taipanHttpSolve = outcome;
          rows.push([side === 'taipan load, file://' ? label : '', side, ...cell(outcome)]);
        }
        // One attempt: rattler takes minutes here if it finishes at all. After a failure the
        // remaining requests would only fail the same way, so they are skipped.
        if (rattlerFailed !== undefined) {
          rows.push(['', 'rattler simpleSolve, http', 'skipped', '', `(failed on an earlier request: ${rattlerFailed})`]);
          continue;
        }
        const rattler = await runChild({ kind: 'rattler-solve', requests: [{ channel: sources.http, specs }] }, RATTLER_LIMIT_MS);
        rows.push(['', 'rattler simpleSolve, http', ...cell(rattler)]);
        if (!rattler.ok) rattlerFailed = rattler.reason;
        else if (taipanHttpSolve?.ok) {
          ratios.push(taipanHttpSolve.ms / rattler.ms);
          rows.push(['', 'ratio taipan/rattler (solve, http)', (taipanHttpSolve.ms / rattler.ms).toFixed(2), '', '']);
        }
      }
      console.log(`  (median of ${ROUNDS} child processes per taipan row and for JSON.parse; one attempt for rattler, limit ${RATTLER_LIMIT_MS / 1000} s)\n`);
      console.log(table(rows));
    } finally {
      await server.close();
    }
    return { taipanPeak, ratios };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Runs the scaled benchmark on every channel of SCALED_CHANNELS; skips with a reason without ../shared. */
export async function runScaledBench(): Promise<void> {
  const fixtures = path.resolve(process.cwd(), '..', 'shared', 'fixtures', 'channels');
  const script = path.resolve(process.cwd(), '..', 'shared', 'tools', 'scale-repodata.mjs');
  if (!existsSync(script) || !existsSync(fixtures)) {
    console.log(`scaled bench skipped: '${script}' or '${fixtures}' is absent`);
    return;
  }
  console.log('\nscaled channels (~300 MB linux-64 repodata): each figure from its own child process');
  let peak = 0;
  const ratios: number[] = [];
  for (const scaled of SCALED_CHANNELS) {
    const result = await benchOne(scaled, fixtures);
    peak = Math.max(peak, result.taipanPeak);
    ratios.push(...result.ratios);
  }
  const ratioText = ratios.length === 0 ? 'rattler finished no scaled request' : `worst ratio ${Math.max(...ratios).toFixed(2)}`;
  console.log(`\nscaled goals: taipan's highest peak RSS ${peak.toFixed(0)} MiB (goal < 1024); ${ratioText} (goal < 1.00)`);
}

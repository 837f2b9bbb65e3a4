/**
 * The reliability suite's frame: categories of cases, each case run against real files,
 * real processes and a real HTTP server on 127.0.0.1, and the table of figures
 * (`npm run reliability`; a reduced form runs under jest in test/unit/reliability).
 *
 * A case *survives* when taipan ended it the way it must: a retry that succeeded, or a
 * clear error (a typed TaipanError, an `error:` line without "unexpected failure"), and
 * nothing trusted that should not be. `lost` counts files or records lost or corrupted,
 * secrets leaked and paths written outside their target: it must be 0 everywhere.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface CaseResult {
  readonly name: string;
  readonly survived: boolean;
  /** Files or records lost or corrupted, secrets leaked, writes outside the target. */
  readonly lost: number;
  /** Why it did not survive (or what happened), for the report. */
  readonly detail?: string;
  /** How many generated inputs this case stands for (fuzzing); 1 by default. */
  readonly count?: number;
}

export interface Context {
  /** Reduced case counts (jest). */
  readonly quick: boolean;
  /** A fresh folder for the category. */
  readonly work: string;
  /** An empty HOME for the CLI runs. */
  readonly home: string;
  log(message: string): void;
}

export interface Category {
  readonly name: string;
  run(context: Context): Promise<CaseResult[]>;
}

export interface CategoryResult {
  readonly category: string;
  readonly tried: number;
  readonly survived: number;
  readonly lost: number;
  readonly failures: CaseResult[];
  readonly seconds: number;
}

/** Run one case, turning an exception in the case itself into a failed case. */
export async function runCase(name: string, body: () => Promise<Omit<CaseResult, 'name'> | CaseResult>): Promise<CaseResult> {
  try {
    return { name, ...(await body()) };
  } catch (error) {
    return { name, survived: false, lost: 0, detail: `the case itself failed: ${(error as Error)?.stack ?? String(error)}` };
  }
}

export async function runCategories(categories: readonly Category[], options: { quick: boolean; log?: (m: string) => void }): Promise<CategoryResult[]> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'taipan-rel-home-'));
  const results: CategoryResult[] = [];
  for (const category of categories) {
    const started = Date.now();
    const work = await mkdtemp(path.join(os.tmpdir(), `taipan-rel-${category.name.replace(/\W+/g, '-').toLowerCase()}-`));
    const cases = await category.run({ quick: options.quick, work, home, log: options.log ?? (() => undefined) });
    // Kept for a post-mortem only when asked (TAIPAN_RELIABILITY_KEEP=1).
    if (process.env.TAIPAN_RELIABILITY_KEEP !== '1') await rm(work, { recursive: true, force: true }).catch(() => undefined);
    const tried = cases.reduce((n, c) => n + (c.count ?? 1), 0);
    const survived = cases.reduce((n, c) => n + (c.survived ? (c.count ?? 1) : (c.count ?? 1) - 1), 0);
    results.push({
      category: category.name,
      tried,
      survived,
      lost: cases.reduce((n, c) => n + c.lost, 0),
      failures: cases.filter((c) => !c.survived || c.lost > 0),
      seconds: (Date.now() - started) / 1000,
    });
    options.log?.(`${category.name}: ${survived}/${tried} survived, ${results.at(-1)?.lost} lost (${results.at(-1)?.seconds.toFixed(1)} s)`);
  }
  await rm(home, { recursive: true, force: true }).catch(() => undefined);
  return results;
}

/** The table `npm run reliability` prints (and the README shows). */
export function formatTable(results: readonly CategoryResult[]): string {
  const header = ['Category', 'Cases tried', 'Survived', 'Lost or corrupted'];
  const rows = results.map((r) => [r.category, String(r.tried), String(r.survived), String(r.lost)]);
  const total = ['**Total**', ...[1, 2, 3].map((i) => `**${rows.reduce((n, row) => n + Number(row[i]), 0)}**`)];
  const all = [header, ...rows, total];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] as string).length)));
  const line = (row: string[]): string => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line), line(total)].join('\n');
}

// ---------------------------------------------------------------------------------------
// Running the real CLI.

export const CLI = path.resolve(process.cwd(), 'dist', 'cli', 'main.js');

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the run had to be killed for taking longer than its time limit. */
  timedOut: boolean;
}

/**
 * Run `taipan args…` in a child process with an empty HOME plus `env`. `killWhen`, polled
 * every 10 ms, SIGKILLs the run from outside once it says so (a kill at a moment of the
 * test's choosing rather than at one of taipan's own test hooks).
 */
export function taipan(args: readonly string[], context: Pick<Context, 'home'>, env: NodeJS.ProcessEnv = {}, timeoutMs = 180_000, killWhen?: () => boolean): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`'${CLI}' is missing: run \`npm run build\` first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...cleanEnv(process.env), HOME: context.home, USERPROFILE: context.home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const poll = killWhen && setInterval(() => killWhen() && child.kill('SIGKILL'), 10);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

/** The parent's environment without taipan/conda settings that would change what a case tests. */
function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (/^(TAIPAN_|CONDA_|RATTLER_|MAMBA_)/.test(key)) continue;
    out[key] = value;
  }
  return out;
}

/** A run that failed the way taipan must fail: exit 1, an `error:` line, no crash text. */
export function clearError(run: CliRun): boolean {
  return (
    run.status === 1 &&
    !run.timedOut &&
    /^error: /m.test(run.stderr) &&
    !/unexpected failure|TypeError|RangeError|ReferenceError|SyntaxError|    at /.test(run.stderr)
  );
}

/** Short description of a run for a failure report. */
export function describeRun(run: CliRun): string {
  return `exit ${run.status}${run.signal ? ` (${run.signal})` : ''}${run.timedOut ? ' TIMED OUT' : ''}; stderr: ${run.stderr.trim().split('\n').slice(-4).join(' / ')}`;
}

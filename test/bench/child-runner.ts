/**
 * Runs a benchmark job in a child process (measure-child.ts) with a time limit, so that each
 * side's peak RSS is its own and a side that runs away (rattler-wasm on the scaled channel
 * ran out of memory after 232 s) is killed instead of hanging the bench. While the child
 * runs, its VmHWM is sampled from /proc so a killed child still reports how high it got.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildJob, ChildResult } from './measure-child.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'measure-child.js');

export type ChildOutcome =
  | ({ readonly ok: true } & ChildResult)
  | { readonly ok: false; readonly reason: string; readonly peakRssMiB: number | undefined };

/** VmHWM of a live process, in MiB (Linux only; undefined elsewhere or once it exited). */
function sampleHwm(pid: number): number | undefined {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/** Runs `job` in a fresh Node process; kills it (SIGKILL) after `limitMs`. */
export function runChild(job: ChildJob, limitMs: number): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak: number | undefined;
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    // Keep only the tail: an out-of-memory abort can print a lot.
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const poll = setInterval(() => {
      const hwm = child.pid === undefined ? undefined : sampleHwm(child.pid);
      if (hwm !== undefined) peak = Math.max(peak ?? 0, hwm);
    }, 250);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (line !== undefined) {
        const result = JSON.parse(line.slice('RESULT '.length)) as ChildResult;
        resolve({ ok: true, ...result, peakRssMiB: Math.max(result.peakRssMiB, peak ?? 0) });
        return;
      }
      const lastError = stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-1)[0] ?? '';
      const reason = timedOut
        ? `killed after the ${(limitMs / 1000).toFixed(0)} s limit`
        : `failed (${signal ?? `exit ${code}`})${lastError ? `: ${lastError.slice(0, 160)}` : ''}`;
      resolve({ ok: false, reason, peakRssMiB: peak });
    });
  });
}

/** Runs `job` `rounds` times, one child each: the median time and the highest peak RSS. */
export async function runChildRounds(job: ChildJob, rounds: number, limitMs: number): Promise<ChildOutcome> {
  const outcomes: ChildOutcome[] = [];
  for (let i = 0; i < rounds; i++) {
    const outcome = await runChild(job, limitMs);
    if (!outcome.ok) return outcome;
    outcomes.push(outcome);
  }
  const ok = outcomes as (ChildResult & { ok: true })[];
  const times = ok.map((o) => o.ms).sort((a, b) => a - b);
  return { ok: true, ms: times[times.length >> 1] as number, peakRssMiB: Math.max(...ok.map((o) => o.peakRssMiB)), detail: ok[0]?.detail ?? '' };
}

/** `123 ms` / `1.2 s`, and the peak RSS, for tables. */
export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}

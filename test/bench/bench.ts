/**
 * A small side-by-side benchmark harness: each case runs "ours" and a reference
 * implementation in the same process, alternating which goes first, over warm-up and
 * measured rounds; the table reports median milliseconds and ours/reference.
 */
import { performance } from 'node:perf_hooks';

/**
 * One comparison. `prepare` runs before each timed call, outside the timing. Each timed
 * call runs its function `repeat` times (default 1) so that short work rises above timer
 * noise; rows report milliseconds per single run.
 */
export interface BenchCase {
  readonly repeat?: number;
  readonly name: string;
  readonly ours: () => unknown;
  readonly reference: () => unknown;
  readonly prepare?: () => void;
}

export interface BenchRow {
  readonly name: string;
  readonly oursMs: number;
  readonly referenceMs: number;
  readonly ratio: number;
}

export interface BenchOptions {
  readonly rounds: number;
  readonly warmup: number;
}

/** Results flow here so that the optimizer cannot drop the measured work. */
let sink: unknown;

function time(prepare: (() => void) | undefined, fn: () => unknown, repeat: number): number {
  prepare?.();
  const start = performance.now();
  for (let i = 0; i < repeat; i++) sink = fn();
  return (performance.now() - start) / repeat;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Runs every case and returns one row per case. */
export function runBench(cases: readonly BenchCase[], options: BenchOptions): BenchRow[] {
  return cases.map((c) => {
    const ours: number[] = [];
    const reference: number[] = [];
    for (let round = 0; round < options.warmup + options.rounds; round++) {
      const measured = round >= options.warmup;
      // Alternate the order so that neither side always runs on a colder cache.
      const first = round % 2 === 0;
      const repeat = c.repeat ?? 1;
      const a = first ? time(c.prepare, c.ours, repeat) : time(c.prepare, c.reference, repeat);
      const b = first ? time(c.prepare, c.reference, repeat) : time(c.prepare, c.ours, repeat);
      if (measured) {
        ours.push(first ? a : b);
        reference.push(first ? b : a);
      }
    }
    const oursMs = median(ours);
    const referenceMs = median(reference);
    return { name: c.name, oursMs, referenceMs, ratio: oursMs / referenceMs };
  });
}

/** The rows as an aligned text table. */
export function formatTable(rows: readonly BenchRow[], referenceName: string): string {
  const header = ['benchmark', 'ours ms', `${referenceName} ms`, 'ratio'];
  const body = rows.map((r) => [r.name, r.oursMs.toFixed(2), r.referenceMs.toFixed(2), r.ratio.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Keeps the sink observable (and the work alive) for callers that want to print it. */
export function benchSink(): unknown {
  return sink;
}

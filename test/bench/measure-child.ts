/**
 * Child-process entry of the benchmarks: runs one job and prints `RESULT <json>` with its
 * time and the process's peak RSS. Each side runs in its own process so that peak RSS
 * figures never mix (rattler's WASM memory never shrinks; V8's heap keeps what it grew).
 *
 *   node dist/test/bench/measure-child.js '<job json>'
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadRattler, rattlerSolve, taipanReach, taipanSolve, withFreshCache } from './sides.js';

/** One request on one channel (a folder, file:// URL or http URL). */
export interface ChildRequest {
  readonly channel: string;
  readonly specs: readonly string[];
}

export type ChildJob =
  /** `JSON.parse` of a whole repodata.json, the eager baseline. */
  | { readonly kind: 'json-parse'; readonly file: string }
  /** taipan: load the index and every record reachable from the specs. */
  | { readonly kind: 'taipan-load'; readonly request: ChildRequest }
  /** taipan: load and solve, one request after another. */
  | { readonly kind: 'taipan-solve'; readonly requests: readonly ChildRequest[] }
  /** rattler simpleSolve (http channels only), one request after another. */
  | { readonly kind: 'rattler-solve'; readonly requests: readonly ChildRequest[] };

export interface ChildResult {
  /** Milliseconds of the job's work (module loading excluded). */
  readonly ms: number;
  /** `process.resourceUsage().maxRSS`, in MiB. */
  readonly peakRssMiB: number;
  /** What the work produced, for the tables (records, names...). */
  readonly detail: string;
}

async function run(job: ChildJob): Promise<string> {
  switch (job.kind) {
    case 'json-parse': {
      const parsed = JSON.parse(readFileSync(job.file, 'utf8')) as { packages?: object; 'packages.conda'?: object };
      return `${Object.keys(parsed.packages ?? {}).length + Object.keys(parsed['packages.conda'] ?? {}).length} records`;
    }
    case 'taipan-load': {
      const reached = await withFreshCache((cache) => taipanReach(job.request.channel, job.request.specs, cache));
      return `${reached.names} names, ${reached.records} records`;
    }
    case 'taipan-solve': {
      let size = 0;
      for (const request of job.requests) size += (await withFreshCache((cache) => taipanSolve(request.channel, request.specs, cache))).size;
      return `${size} records chosen`;
    }
    case 'rattler-solve': {
      const rattler = loadRattler();
      let size = 0;
      for (const request of job.requests) size += (await rattlerSolve(rattler, request.channel, request.specs)).size;
      return `${size} records chosen`;
    }
  }
}

const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
if (job.kind === 'rattler-solve') loadRattler(); // instantiate the WASM outside the timing, as taipan's modules are
const start = performance.now();
const detail = await run(job);
const result: ChildResult = { ms: performance.now() - start, peakRssMiB: process.resourceUsage().maxRSS / 1024, detail };
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
// rattler's gateway may leave timers or sockets behind; the figures are out.
process.exit(0);

/**
 * The two sides the solve benchmarks compare, each as "one cold request": taipan
 * (ChannelIndex + CDCL solve) and `@conda-org/rattler` `simpleSolve` (its gateway + resolvo,
 * in WASM). Both include loading repodata. Shared by the in-process timing loop
 * (solve-bench.ts) and the child processes that measure peak RSS (measure-child.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Channel } from '../../channels/model/channel.js';
import { MatchSpec } from '../../channels/model/match-spec/index.js';
import { ChannelIndex } from '../../channels/repodata/channel-index.js';
import { CdclBackend, solve } from '../../solver/index.js';

/** What the bench needs of the rattler module. */
export interface RattlerSolve {
  simpleSolve(specs: string[], channels: string[], platforms: string[], locked: unknown[]): Promise<{ packageName: string; version: unknown }[]>;
}

/** The CommonJS build loads its WASM synchronously; the ESM build expects a bundler. */
export function loadRattler(): RattlerSolve {
  return createRequire(import.meta.url)('@conda-org/rattler') as RattlerSolve;
}

/** A plain linux-64 host. rattler's simpleSolve has none, and no fixture request needs more. */
export const VIRTUALS = [
  { name: '__unix', version: '0', build: '0', build_number: 0, depends: [] },
  { name: '__linux', version: '5.15', build: '0', build_number: 0, depends: [] },
  { name: '__glibc', version: '2.35', build: '0', build_number: 0, depends: [] },
  { name: '__archspec', version: '1', build: 'x86_64', build_number: 0, depends: [] },
];

/**
 * A fresh repodata cache per request, so that an HTTP channel is downloaded every time
 * (rattler-wasm keeps no cache between calls either); removed afterwards, outside timing.
 */
export async function withFreshCache<T>(fn: (cacheDir: string) => Promise<T>): Promise<T> {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'taipan-bench-cache-'));
  try {
    return await fn(cacheDir);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

function loadIndex(channel: string, specs: readonly string[], cacheDir: string): Promise<ChannelIndex> {
  const names = specs.map((s) => MatchSpec.parse(s).name as string);
  // `names` as the CLI passes them: sharded channels would fetch only what they reach.
  return ChannelIndex.load([Channel.parse(channel)], 'linux-64', { names, cacheDir, offline: false, ttl: 0 });
}

/** taipan's answer for `specs` on `channel` (a folder or URL): name → version. */
export async function taipanSolve(channel: string, specs: readonly string[], cacheDir: string): Promise<Map<string, string>> {
  const index = await loadIndex(channel, specs, cacheDir);
  const { records } = await solve(
    { specs: specs.map((s) => MatchSpec.parse(s)), available: (name) => index.get(name), virtualPackages: VIRTUALS },
    { backend: new CdclBackend() },
  );
  return new Map(records.map((r) => [r.name, r.version]));
}

/**
 * Loading alone: the index, then every record reachable from `specs` through `depends`
 * (a superset of what a solve asks for). Returns how many names and records that built.
 */
export async function taipanReach(channel: string, specs: readonly string[], cacheDir: string): Promise<{ names: number; records: number }> {
  const index = await loadIndex(channel, specs, cacheDir);
  const seen = new Set<string>();
  const queue = specs.map((s) => MatchSpec.parse(s).name as string);
  let records = 0;
  // Records share their depends lists: each list is read once, so the figure is loading, not this walk.
  const walked = new Set<readonly string[]>();
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name) || name.startsWith('__')) continue;
    seen.add(name);
    for (const record of index.get(name)) {
      records++;
      if (walked.has(record.depends)) continue;
      walked.add(record.depends);
      for (const dep of record.depends) {
        const depName = /^\s*([^\s=<>!~[,;|*]+)/.exec(dep)?.[1];
        if (depName !== undefined && !seen.has(depName)) queue.push(depName);
      }
    }
  }
  return { names: seen.size, records };
}

/** rattler's answer for `specs` on the channel at `url`: name → version. */
export async function rattlerSolve(rattler: RattlerSolve, url: string, specs: readonly string[]): Promise<Map<string, string>> {
  const solved = await rattler.simpleSolve([...specs], [url], ['linux-64', 'noarch'], []);
  return new Map(solved.map((p) => [p.packageName, String(p.version)]));
}

/**
 * `taipan mirror`: a new channel holding just what a set of requests needs on the given
 * platforms (as conda-subchannel does), for air-gapped sites and classrooms. Each
 * platform is solved; the union of the solutions is fetched (hash-checked) through the
 * package cache, copied into `<out>/<subdir>/` and indexed, so `taipan create -c <out>`
 * solves the same requests with no other channel.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Channel } from '../model/channel.js';
import type { RepoDataRecord } from '../model/package-record.js';
import type { Platform } from '../model/platform.js';
import { indexChannel } from '../local-index.js';

export interface MirrorRequest {
  readonly channels: readonly Channel[];
  readonly specs: readonly string[];
  readonly platforms: readonly Platform[];
  readonly output: string;
  /** Solves one request per platform (environments/lockfile/solve-platforms.ts). */
  readonly solve: (platforms: readonly Platform[]) => Promise<ReadonlyMap<Platform, readonly RepoDataRecord[]>>;
  /** Fetches and verifies archives, returning their local paths in order (the package cache). */
  readonly fetch: (records: readonly RepoDataRecord[]) => Promise<readonly string[]>;
}

export interface MirrorResult {
  readonly output: string;
  readonly packages: readonly RepoDataRecord[];
}

export async function mirrorPackages(request: MirrorRequest): Promise<MirrorResult> {
  const solved = await request.solve(request.platforms);
  const byUrl = new Map<string, RepoDataRecord>();
  for (const records of solved.values()) for (const record of records) byUrl.set(record.url, record);
  const records = [...byUrl.values()].sort((a, b) => (a.fn < b.fn ? -1 : a.fn > b.fn ? 1 : 0));
  const archives = await request.fetch(records);
  // Every platform gets a subdir (and noarch), so the mirror is a complete channel for each.
  for (const subdir of new Set<string>(['noarch', ...request.platforms])) await mkdir(path.join(request.output, subdir), { recursive: true });
  for (const [i, record] of records.entries()) {
    const subdir = record.subdir ?? 'noarch';
    await mkdir(path.join(request.output, subdir), { recursive: true });
    await copyFile(archives[i] as string, path.join(request.output, subdir, record.fn));
  }
  await indexChannel(request.output);
  return { output: request.output, packages: records };
}

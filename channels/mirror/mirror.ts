/**
 * `taipan mirror`: a new channel holding just what a set of requests needs on the given
 * platforms (as conda-subchannel does), for air-gapped sites and classrooms. Each
 * platform is solved; the union of the solutions is fetched (hash-checked) through the
 * package cache, copied into `<out>/<subdir>/` and indexed, so `taipan create -c <out>`
 * solves the same requests with no other channel.
 *
 * Every copied archive is extracted and checked (check-archive.ts) before the mirror is
 * written: the channel is built in a staging folder beside `<out>` and moved into place
 * only once it is complete, so a broken package leaves no mirror, not even part of one.
 */
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Channel } from '../model/channel.js';
import { TaipanError } from '../model/errors.js';
import type { RepoDataRecord } from '../model/package-record.js';
import type { Platform } from '../model/platform.js';
import { indexChannel } from '../indexer/index-channel.js';
import { checkShippedArchive } from './check-archive.js';
import { shippedFileName } from './shipped-name.js';

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
  const places = records.map((record) => ({ subdir: subdirName(record), fn: shippedFileName(record) }));
  const archives = await request.fetch(records);
  const output = path.resolve(request.output);
  await mkdir(path.dirname(output), { recursive: true });
  // Beside the output, so moving it into place is a rename on one filesystem.
  const staging = await mkdtemp(path.join(path.dirname(output), `.${path.basename(output)}.mirror-`));
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'taipan-mirror-check-'));
  try {
    // Every platform gets a subdir (and noarch), so the mirror is a complete channel for each.
    for (const subdir of new Set<string>(['noarch', ...request.platforms, ...places.map((p) => p.subdir)])) await mkdir(path.join(staging, subdir), { recursive: true });
    for (const [i, record] of records.entries()) {
      const { subdir, fn } = places[i] as { subdir: string; fn: string };
      const copy = path.join(staging, subdir, fn);
      await copyArchive(record, archives[i] as string, copy);
      await checkShippedArchive(record, copy, scratch);
    }
    if (await isMissingOrEmpty(output)) {
      await rm(output, { recursive: true, force: true });
      await indexChannel(staging);
      await rename(staging, output);
    } else {
      // An existing channel gains the checked archives, each moved in whole, then is re-indexed.
      for (const subdir of await readdir(staging)) {
        await mkdir(path.join(output, subdir), { recursive: true });
        for (const fn of await readdir(path.join(staging, subdir))) await rename(path.join(staging, subdir, fn), path.join(output, subdir, fn));
      }
      await indexChannel(output);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
  return { output: request.output, packages: records };
}

async function copyArchive(record: RepoDataRecord, from: string, to: string): Promise<void> {
  try {
    await copyFile(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // The cache trusts an extracted entry whose archive `taipan clean --tarballs` removed.
    throw new TaipanError('PACKAGE_NOT_FOUND', `the package cache holds '${record.fn}' extracted, but not its archive '${from}'`, {
      cause: error,
      hint: 'remove the extracted folder beside it (or run `taipan clean --packages`) so that it is fetched again; nothing was written',
    });
  }
}

async function isMissingOrEmpty(dir: string): Promise<boolean> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) return true;
  return info.isDirectory() && (await readdir(dir)).length === 0;
}

/** The record's subdir as a folder name; a channel's record is not trusted to name a safe one. */
function subdirName(record: RepoDataRecord): string {
  const subdir = record.subdir ?? 'noarch';
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(subdir)) {
    throw new TaipanError('INVALID_RECORD', `the record of '${record.fn}' names the subdir '${subdir}', which is not a platform`, { hint: 'the channel index is damaged' });
  }
  return subdir;
}

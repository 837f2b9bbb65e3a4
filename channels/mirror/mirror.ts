/**
 * The channel-writing half of `taipan mirror` (the solve and fetch are
 * environments/mirror-packages.ts): archives already in the package cache are copied into
 * `<out>/<subdir>/` and indexed, so `taipan create -c <out>` solves the same requests with
 * no other channel.
 *
 * Every copied archive is extracted and checked (check-archive.ts) before the mirror is
 * written: the channel is built in a staging folder beside `<out>` and moved into place
 * only once it is complete, so a broken package leaves no mirror, not even part of one.
 */
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TaipanError } from '../model/errors.js';
import type { RepoDataRecord } from '../model/package-record.js';
import type { Platform } from '../model/platform.js';
import { indexChannel } from '../indexer/index-channel.js';
import { checkShippedArchive } from './check-archive.js';
import { shippedFileName } from './shipped-name.js';

export interface MirrorChannelRequest {
  /** The platforms mirrored: each gets a subdir (and noarch) even when it needs no package. */
  readonly platforms: readonly Platform[];
  readonly output: string;
  /** Each record with its archive in the package cache. */
  readonly packages: readonly { readonly record: RepoDataRecord; readonly archive: string }[];
}

/** Write `request.packages` into the channel at `request.output` (new, or existing and re-indexed). */
export async function writeMirrorChannel(request: MirrorChannelRequest): Promise<void> {
  const places = request.packages.map(({ record }) => ({ subdir: subdirName(record), fn: shippedFileName(record) }));
  const output = path.resolve(request.output);
  await mkdir(path.dirname(output), { recursive: true });
  // Beside the output, so moving it into place is a rename on one filesystem.
  const staging = await mkdtemp(path.join(path.dirname(output), `.${path.basename(output)}.mirror-`));
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'taipan-mirror-check-'));
  try {
    // Every platform gets a subdir (and noarch), so the mirror is a complete channel for each.
    for (const subdir of new Set<string>(['noarch', ...request.platforms, ...places.map((p) => p.subdir)])) await mkdir(path.join(staging, subdir), { recursive: true });
    for (const [i, { record, archive }] of request.packages.entries()) {
      const { subdir, fn } = places[i] as { subdir: string; fn: string };
      const copy = path.join(staging, subdir, fn);
      await copyArchive(record, archive, copy);
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
export function subdirName(record: RepoDataRecord): string {
  const subdir = record.subdir ?? 'noarch';
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(subdir)) {
    throw new TaipanError('INVALID_RECORD', `the record of '${record.fn}' names the subdir '${subdir}', which is not a platform`, { hint: 'the channel index is damaged' });
  }
  return subdir;
}

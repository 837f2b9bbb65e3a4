/**
 * `taipan index`: a folder of packages becomes a channel any static web server can host,
 * as `conda index` and `rattler-index` make it: per subdir `repodata.json` (with `.zst`
 * and `.bz2` next to it), `run_exports.json` and the sharded form (CEP-16), and a
 * top-level `channeldata.json`. Only metadata is read from the archives, and only for
 * archives that are new or changed since the last run (by size and mtime).
 */
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { bzip2CompressFile, zstdCompressChecked } from '../archive/index.js';
import { KNOWN_PLATFORMS } from '../model/platform.js';
import { Version } from '../model/version.js';
import type { PackageRecord } from '../model/package-record.js';
import type { RepodataJson } from '../repodata/records.js';
import { summarizeArchive, type PackageSummary } from './package-summary.js';
import { writeShards } from './shards.js';
import { writeFileAtomically } from '../util/fs.js';
import { isTaipanError } from '../model/errors.js';
import { isSystemError } from '../archive/errors.js';
import { unindexableReason } from './indexable.js';

export interface IndexOptions {
  /** Write repodata.json.zst (default true). */
  readonly zst?: boolean;
  /** Write repodata.json.bz2 (default true; pure-JS bzip2 is slow on huge subdirs). */
  readonly bz2?: boolean;
  /** Write the CEP-16 shards (default true). */
  readonly shards?: boolean;
  /** Called for each archive that had to be read. */
  readonly onRead?: (file: string) => void;
  /** Called for each archive left out of the index (unreadable, or a name clients refuse). */
  readonly onSkip?: (skipped: SkippedArchive) => void;
}

/** An archive left out of the index, and why. */
export interface SkippedArchive {
  readonly file: string;
  readonly reason: string;
}

export interface SubdirIndexResult {
  readonly records: number;
  /** Archives whose metadata was read this time. */
  readonly read: number;
  /** Archives taken from the index cache. */
  readonly reused: number;
  /** Archives left out, as conda-index leaves out the ones it cannot read. */
  readonly skipped: readonly SkippedArchive[];
}

const CACHE_FILE = path.join('.cache', 'taipan-index.json');

export async function indexChannel(channelDir: string, options: IndexOptions = {}): Promise<Map<string, SubdirIndexResult>> {
  const entries = await readdir(channelDir, { withFileTypes: true });
  const subdirs = new Set(entries.filter((e) => e.isDirectory() && (KNOWN_PLATFORMS as readonly string[]).includes(e.name)).map((e) => e.name));
  subdirs.add('noarch');
  const results = new Map<string, SubdirIndexResult>();
  const summariesBySubdir = new Map<string, Map<string, PackageSummary>>();
  for (const subdir of [...subdirs].sort()) {
    const dir = path.join(channelDir, subdir);
    await mkdir(dir, { recursive: true });
    const { summaries, read, skipped } = await summarizeSubdir(dir, options);
    summariesBySubdir.set(subdir, summaries);
    await writeSubdir(dir, subdir, summaries, options);
    results.set(subdir, { records: summaries.size, read, reused: summaries.size - read, skipped });
  }
  await writeFileAtomically(path.join(channelDir, 'channeldata.json'), `${JSON.stringify(channeldata(summariesBySubdir), null, 2)}\n`);
  return results;
}

async function summarizeSubdir(dir: string, options: IndexOptions): Promise<{ summaries: Map<string, PackageSummary>; read: number; skipped: SkippedArchive[] }> {
  const cacheFile = path.join(dir, CACHE_FILE);
  const cached = new Map<string, PackageSummary>(
    Object.entries((await readFile(cacheFile, 'utf8').then((t) => JSON.parse(t) as Record<string, PackageSummary>).catch(() => ({}))) ?? {}),
  );
  const summaries = new Map<string, PackageSummary>();
  const skipped: SkippedArchive[] = [];
  const skip = (file: string, reason: string): void => {
    skipped.push({ file, reason });
    options.onSkip?.({ file, reason });
  };
  let read = 0;
  for (const fn of (await readdir(dir)).filter((f) => f.endsWith('.conda') || f.endsWith('.tar.bz2')).sort()) {
    const file = path.join(dir, fn);
    const info = await stat(file);
    let summary = cached.get(fn);
    const fresh = !summary || summary.size !== info.size || summary.mtimeMs !== info.mtimeMs;
    if (fresh) {
      options.onRead?.(file);
      try {
        summary = await summarizeArchive(file, info.size, info.mtimeMs);
      } catch (error) {
        // An unreadable archive (or one taipan refuses) is left out; it is read again next time.
        if (!isTaipanError(error) && !isSystemError(error)) throw error;
        skip(file, (error as Error).message);
        continue;
      }
    }
    const reason = unindexableReason(fn, (summary as PackageSummary).record);
    if (reason !== undefined) {
      skip(file, reason);
      continue;
    }
    summaries.set(fn, summary as PackageSummary);
    if (fresh) read++;
  }
  await mkdir(path.dirname(cacheFile), { recursive: true });
  await writeFileAtomically(cacheFile, JSON.stringify(Object.fromEntries(summaries)));
  return { summaries, read, skipped };
}

async function writeSubdir(dir: string, subdir: string, summaries: ReadonlyMap<string, PackageSummary>, options: IndexOptions): Promise<void> {
  const packages: Record<string, PackageRecord> = {};
  const condaPackages: Record<string, PackageRecord> = {};
  const runExports: { packages: Record<string, unknown>; 'packages.conda': Record<string, unknown> } = { packages: {}, 'packages.conda': {} };
  for (const [fn, summary] of summaries) {
    const conda = fn.endsWith('.conda');
    (conda ? condaPackages : packages)[fn] = sortKeys(summary.record);
    if (summary.runExports) runExports[conda ? 'packages.conda' : 'packages'][fn] = { run_exports: summary.runExports };
  }
  const repodata: RepodataJson = { info: { subdir }, packages, 'packages.conda': condaPackages, removed: [], repodata_version: 1 };
  const json = `${JSON.stringify(repodata, null, 2)}\n`;
  const target = path.join(dir, 'repodata.json');
  await writeFileAtomically(target, json);
  if (options.zst !== false) await writeFileAtomically(`${target}.zst`, await zstdCompressChecked(Buffer.from(json), 19, `${target}.zst`));
  if (options.bz2 !== false) {
    await bzip2CompressFile(target, `${target}.bz2.tmp-${process.pid}`);
    await rename(`${target}.bz2.tmp-${process.pid}`, `${target}.bz2`);
  }
  await writeFileAtomically(path.join(dir, 'run_exports.json'), `${JSON.stringify({ info: { subdir }, ...runExports }, null, 2)}\n`);
  if (options.shards !== false) await writeShards(dir, subdir, packages, condaPackages);
}

/** channeldata.json: for each name, what its newest version says, and where it exists. */
function channeldata(bySubdir: ReadonlyMap<string, ReadonlyMap<string, PackageSummary>>): object {
  const packages = new Map<string, { newest: PackageSummary; reference: string; subdirs: Set<string> }>();
  for (const [subdir, summaries] of bySubdir) {
    for (const [fn, summary] of summaries) {
      const name = summary.record.name;
      const entry = packages.get(name);
      if (!entry) {
        packages.set(name, { newest: summary, reference: `${subdir}/${fn}`, subdirs: new Set([subdir]) });
        continue;
      }
      entry.subdirs.add(subdir);
      if (Version.parse(summary.record.version).compare(Version.parse(entry.newest.record.version)) > 0) {
        entry.newest = summary;
        entry.reference = `${subdir}/${fn}`;
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const name of [...packages.keys()].sort()) {
    const { newest, reference, subdirs } = packages.get(name)!;
    out[name] = {
      ...newest.flags,
      ...newest.about,
      ...(newest.record.license && !newest.about.license ? { license: newest.record.license } : {}),
      reference_package: reference,
      run_exports: newest.runExports ?? {},
      subdirs: [...subdirs].sort(),
      version: newest.record.version,
    };
  }
  return { channeldata_version: 1, packages: out, subdirs: [...bySubdir.keys()].sort() };
}

function sortKeys<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}


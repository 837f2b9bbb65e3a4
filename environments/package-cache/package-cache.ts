/**
 * The shared package cache (`pkgs` folders), laid out as conda's: each package once, as
 * `<fn>` (the archive) and `<stem>/` (extracted), and `urls.txt` listing what was fetched.
 * Several folders form layers: every one is searched, the first writable one receives new
 * packages, so read-only shared caches are used but never written.
 *
 * An extracted folder counts as valid only once its `info/repodata_record.json` is written,
 * which is the last step, so an interrupted extraction is redone rather than trusted. Two
 * processes filling one cache take a lock per entry (proper-lockfile), and the second one
 * finds the entry the first one made.
 */
import { access, appendFile, constants, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { redactUrl } from '../../channels/model/channel.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { TaipanError } from '../../channels/model/errors.js';
import { archiveStem } from '../../channels/repodata/records.js';
import { asDiskError, diskErrorCause, isFullDisk } from '../../channels/util/disk-errors.js';
import { isNameTooLong } from '../../channels/archive/entry-path.js';
import { testFaultPoint } from '../../channels/util/test-hooks.js';
import type { HttpClient } from '../../channels/fetch/http-client.js';
import { writeFileAtomically, writeJsonAtomically } from '../../channels/util/fs.js';
import { fetchArchive, verifyArchive, type PackageProgress } from './fetch-archive.js';
import { isProcessAlive } from '../../channels/util/fs.js';

export type { PackageProgress } from './fetch-archive.js';

export interface CacheEntry {
  readonly record: RepoDataRecord;
  /** The extracted package folder. */
  readonly dir: string;
  /** The archive in the cache. */
  readonly archive: string;
}

export type CacheEvent = { kind: 'reuse' | 'fetch' | 'extract'; record: RepoDataRecord };

export interface PackageCacheOptions {
  /** HTTP client for downloads; the process-wide one by default. */
  client?: HttpClient;
  /** Never download: packages missing from the cache are an error (TAIPAN_OFFLINE / CONDA_OFFLINE by default). */
  offline?: boolean;
  /** Downloads running at once in this cache (default 4). */
  downloadConcurrency?: number;
  /** Whole-download attempts after a hash mismatch or broken transfer (default 3). */
  downloadAttempts?: number;
  /** Bytes received per package, for a progress display. */
  onProgress?: (progress: PackageProgress) => void;
  /** How long to wait for another process holding an entry's lock (default 10 min). */
  lockWaitMs?: number;
  /** Download records without a sha256 or md5 from remote channels (config `allow_unhashed_packages`); refused by default. */
  allowUnhashed?: boolean;
}

export class PackageCache {
  readonly dirs: readonly string[];
  private readonly options: PackageCacheOptions;
  private readonly downloads: Semaphore;
  private writable: Promise<string> | undefined;

  constructor(dirs: readonly string[], options: PackageCacheOptions = {}) {
    if (dirs.length === 0) throw new Error('a package cache needs at least one folder');
    this.dirs = dirs;
    this.options = { ...options, offline: options.offline ?? envOffline() };
    this.downloads = new Semaphore(Math.max(1, options.downloadConcurrency ?? 4));
  }

  /** The first cache folder (where new packages go unless it is read-only). */
  get writableDir(): string {
    return this.dirs[0] as string;
  }

  /** The first folder that can be written to (created if missing). */
  writableDirectory(): Promise<string> {
    this.writable ??= findWritable(this.dirs);
    return this.writable;
  }

  /** True when a valid extracted entry for `record` is already in one of the cache folders. */
  async has(record: RepoDataRecord): Promise<boolean> {
    for (const dir of this.dirs) {
      if (await isValidEntry(entryPaths(dir, record).dir, record)) return true;
    }
    return false;
  }

  /** The valid extracted entry for `record`, fetching and extracting it when needed. */
  async get(record: RepoDataRecord, onEvent?: (event: CacheEvent) => void): Promise<CacheEntry> {
    const found = await this.find(record);
    if (found) {
      onEvent?.({ kind: 'reuse', record });
      return found;
    }
    const dir = await this.writableDirectory();
    const entry = entryPaths(dir, record);
    const release = await lockEntry(entry, this.options.lockWaitMs ?? 600_000).catch((error: unknown) => {
      throw cacheWriteError(error, dir, record);
    });
    try {
      // Another process may have made the entry while this one waited.
      if (await isValidEntry(entry.dir, record)) {
        onEvent?.({ kind: 'reuse', record });
        return entry;
      }
      // Whatever a killed process left for this entry is not trusted: it goes.
      await removeLeftovers(dir, record);
      if (!(await archiveIsGood(record, entry.archive))) {
        onEvent?.({ kind: 'fetch', record });
        await this.downloads.run(() =>
          fetchArchive(record, entry.archive, {
            client: this.options.client,
            offline: this.options.offline,
            attempts: this.options.downloadAttempts,
            allowUnhashed: this.options.allowUnhashed,
            onProgress: this.options.onProgress,
          }),
        );
        await appendFile(path.join(dir, 'urls.txt'), `${redactUrl(record.url)}\n`);
      }
      onEvent?.({ kind: 'extract', record });
      await rm(entry.dir, { recursive: true, force: true });
      // Imported here: the extraction modules are many, and a dry run or a cache hit needs none.
      const { extractPackage } = await import('../../channels/archive/extract.js');
      await extractPackage(entry.archive, entry.dir);
      testFaultPoint('cache', 'open', path.join(entry.dir, 'info', 'repodata_record.json'));
      await writeJsonAtomically(path.join(entry.dir, 'info', 'repodata_record.json'), record);
      return entry;
    } catch (error) {
      // The record is written last, so an entry without it is never trusted; tidy it anyway.
      if (!(await isValidEntry(entry.dir, record))) await rm(entry.dir, { recursive: true, force: true }).catch(() => undefined);
      throw cacheWriteError(error, dir, record);
    } finally {
      await release();
    }
  }

  /**
   * Fetch and extract many packages, `concurrency` at a time (default: the download
   * concurrency). Results keep the order of `records`.
   */
  async getAll(records: readonly RepoDataRecord[], options: { concurrency?: number; onEvent?: (event: CacheEvent) => void } = {}): Promise<CacheEntry[]> {
    const results: CacheEntry[] = new Array(records.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < records.length) {
        const i = next++;
        results[i] = await this.get(records[i] as RepoDataRecord, options.onEvent);
      }
    };
    const width = Math.min(options.concurrency ?? this.options.downloadConcurrency ?? 4, records.length);
    await Promise.all(Array.from({ length: width }, worker));
    return results;
  }

  private async find(record: RepoDataRecord): Promise<CacheEntry | undefined> {
    for (const dir of this.dirs) {
      const entry = entryPaths(dir, record);
      if (await isValidEntry(entry.dir, record)) return entry;
    }
    return undefined;
  }
}

/**
 * DISK_ERROR for a failed write of `record` into the cache folder `dir`. A full disk says the
 * package cache is full and how to make room, even when the download below reported it first.
 */
function cacheWriteError(error: unknown, dir: string, record: RepoDataRecord): unknown {
  const outcome = 'nothing half-written is trusted: the cache entry was removed';
  if (isNameTooLong(error)) {
    // The file name comes from the channel: a name no file system takes is the channel's fault.
    return new TaipanError('INVALID_RECORD', `'${record.fn.slice(0, 80)}…' cannot be stored in the package cache '${dir}': the name is ${Buffer.byteLength(record.fn)} bytes, longer than the file system allows (ENAMETOOLONG)`, {
      cause: error,
      hint: `the channel's file name for '${record.name}' is far too long; ${outcome}`,
    });
  }
  const cause = diskErrorCause(error);
  if (!isFullDisk(cause)) return asDiskError(error, `'${record.fn}' into the package cache '${dir}'`, outcome);
  const code = cause?.code as string;
  return new TaipanError('DISK_ERROR', `the package cache '${dir}' is full: no room left for '${record.fn}' (${code === 'EDQUOT' ? 'the disk quota is exhausted' : 'no space left on the device'}, ${code})`, {
    cause,
    hint: `${outcome}. Free some space there ('taipan clean --all' removes archives and packages no environment uses), or put a folder on a disk with room first in pkgs_dirs or TAIPAN_PKGS_DIRS`,
  });
}

/** A counter of free slots; `run` waits for one. */
class Semaphore {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const wake = this.waiting.shift();
      if (wake) wake();
      else this.free++;
    }
  }
}

async function findWritable(dirs: readonly string[]): Promise<string> {
  for (const dir of dirs) {
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
      return dir;
    } catch {
      // read-only (a shared cache): used for reading only
    }
  }
  throw new TaipanError('CONFIG', `none of the package cache folders can be written: ${dirs.map((d) => `'${d}'`).join(', ')}`, {
    hint: 'add a writable folder first in pkgs_dirs or TAIPAN_PKGS_DIRS',
  });
}

/**
 * The entry's lock (proper-lockfile), with its owner's pid beside it: a lock whose owner
 * was killed is taken over at once rather than after the stale timeout, as the prefix lock
 * does (environments/lock.ts).
 */
async function lockEntry(entry: CacheEntry, waitMs: number): Promise<() => Promise<void>> {
  const lockPath = `${entry.dir}.taipan-lock`;
  const ownerPath = `${lockPath}-owner`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const release = await lockfile.lock(entry.dir, { realpath: false, lockfilePath: lockPath, stale: 10_000, onCompromised: () => undefined });
      // Whole or not at all (a full disk must not leave an empty owner file); the lock works without it.
      await writeFileAtomically(ownerPath, JSON.stringify({ pid: process.pid, host: os.hostname() })).catch(() => undefined);
      return async () => {
        await rm(ownerPath, { force: true }).catch(() => undefined);
        await release().catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    }
    // The owner file is written just after the lock: it may be missing or half written.
    const owner = await readFile(ownerPath, 'utf8').then((t) => JSON.parse(t) as { pid: number; host: string }).catch(() => undefined);
    if (owner && owner.host === os.hostname() && !isProcessAlive(owner.pid)) {
      await rm(lockPath, { recursive: true, force: true });
      await rm(ownerPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new TaipanError('PREFIX_LOCKED', `the package cache entry '${entry.dir}' is locked by another taipan process${owner ? ` (pid ${owner.pid})` : ''}`, {
        hint: `wait for it to finish; if no taipan is running, remove '${lockPath}'`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
  }
}


/** Temporary downloads and extraction folders of `record` left by a killed process. */
async function removeLeftovers(dir: string, record: RepoDataRecord): Promise<void> {
  const stem = archiveStem(record.fn);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(`${record.fn}.partial-`) || name.startsWith(`.${stem}.extracting-`)) {
      await rm(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

function entryPaths(dir: string, record: RepoDataRecord): CacheEntry {
  return { record, dir: path.join(dir, archiveStem(record.fn)), archive: path.join(dir, record.fn) };
}

async function isValidEntry(dir: string, record: RepoDataRecord): Promise<boolean> {
  let cached: Partial<RepoDataRecord>;
  try {
    cached = JSON.parse(await readFile(path.join(dir, 'info', 'repodata_record.json'), 'utf8')) as Partial<RepoDataRecord>;
  } catch {
    return false;
  }
  if (record.sha256 && cached.sha256) return cached.sha256 === record.sha256;
  if (record.md5 && cached.md5) return cached.md5 === record.md5;
  return cached.name === record.name && cached.version === record.version && cached.build === record.build;
}

async function archiveIsGood(record: RepoDataRecord, archive: string): Promise<boolean> {
  try {
    await stat(archive);
  } catch {
    return false;
  }
  if (!record.sha256 && !record.md5) return false;
  try {
    await verifyArchive(record, archive);
    return true;
  } catch {
    await rm(archive, { force: true });
    return false;
  }
}

function envOffline(): boolean {
  const value = (process.env.TAIPAN_OFFLINE ?? process.env.CONDA_OFFLINE ?? '').toLowerCase();
  return value !== '' && !['0', 'false', 'no', 'off'].includes(value);
}

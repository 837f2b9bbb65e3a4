/**
 * The shared package cache (`pkgs` folder): each package once, as `<fn>` (the archive)
 * and `<stem>/` (extracted). An extracted folder counts as valid only once its
 * `info/repodata_record.json` is written, which is the last step, so an interrupted
 * extraction is redone rather than trusted.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { archiveStem } from '../../channels/repodata/records.js';
import { extractPackage } from '../../channels/archive/index.js';
import { writeJsonAtomically } from '../atomic-write.js';
import { fetchArchive, verifyArchive } from './fetch-archive.js';

export interface CacheEntry {
  readonly record: RepoDataRecord;
  /** The extracted package folder. */
  readonly dir: string;
  /** The archive in the cache. */
  readonly archive: string;
}

export type CacheEvent = { kind: 'reuse' | 'fetch' | 'extract'; record: RepoDataRecord };

export class PackageCache {
  readonly dirs: readonly string[];

  constructor(dirs: readonly string[]) {
    if (dirs.length === 0) throw new Error('a package cache needs at least one folder');
    this.dirs = dirs;
  }

  /** The writable cache folder. */
  get writableDir(): string {
    return this.dirs[0] as string;
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
    for (const dir of this.dirs) {
      const entry = entryPaths(dir, record);
      if (await isValidEntry(entry.dir, record)) {
        onEvent?.({ kind: 'reuse', record });
        return entry;
      }
    }
    const entry = entryPaths(this.writableDir, record);
    await mkdir(this.writableDir, { recursive: true });
    if (!(await archiveIsGood(record, entry.archive))) {
      onEvent?.({ kind: 'fetch', record });
      await fetchArchive(record, entry.archive);
    }
    onEvent?.({ kind: 'extract', record });
    await rm(entry.dir, { recursive: true, force: true });
    await extractPackage(entry.archive, entry.dir);
    await writeJsonAtomically(path.join(entry.dir, 'info', 'repodata_record.json'), record);
    return entry;
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

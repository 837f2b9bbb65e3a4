/**
 * Carrying out a transaction plan, in the stages conda uses: prepare (fetch and extract
 * every package into the cache, read its paths), verify (everything that can be checked
 * before the prefix is touched), execute (unlink, link, write conda-meta) and, on any
 * failure, reverse. A prefix that did not exist before a failed transaction is removed.
 */
import { lstat, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { isWindows, type Platform } from '../../channels/model/platform.js';
import { TaipanError } from '../../channels/model/errors.js';
import { readPathsJson } from '../../channels/archive/index.js';
import type { CacheEntry, CacheEvent, PackageCache } from '../package-cache/package-cache.js';
import { linkPackage, type PackagePathEntry } from '../link/link-package.js';
import { noarchPythonTargets } from '../link/noarch-python.js';
import { condaMetaDir, prefixRecordFileName, writePrefixRecord, type PrefixRecord } from '../prefix/prefix-record.js';
import { appendHistory } from '../prefix/history.js';
import { FileJournal, removeEmptyParents } from './journal.js';
import type { TransactionPlan } from './plan.js';

export type TransactionEvent =
  | CacheEvent
  | { kind: 'unlink'; record: RepoDataRecord }
  | { kind: 'link'; record: RepoDataRecord; clobbered: string[] };

export interface ExecuteOptions {
  readonly prefix: string;
  readonly platform: Platform;
  readonly plan: TransactionPlan<PrefixRecord>;
  readonly cache: PackageCache;
  /** The spec a user asked for, by package name (conda-meta `requested_spec`). */
  readonly requestedSpecs: ReadonlyMap<string, string>;
  /** The records the prefix holds after the transaction (to place noarch: python files). */
  readonly finalRecords: readonly RepoDataRecord[];
  readonly alwaysCopy?: boolean;
  readonly history: { command: string; toolVersion: string; updateSpecs?: string[]; removeSpecs?: string[] };
  readonly onEvent?: (event: TransactionEvent) => void;
}

interface PreparedLink {
  readonly entry: CacheEntry;
  readonly paths: readonly PackagePathEntry[];
}

const FETCH_CONCURRENCY = 4;

export async function executeTransaction(options: ExecuteOptions): Promise<void> {
  const prepared = await prepare(options);
  verify(options, prepared);
  const prefixExisted = await exists(options.prefix);
  const journal = new FileJournal(options.prefix);
  try {
    await mkdir(condaMetaDir(options.prefix), { recursive: true });
    for (const record of options.plan.unlink) await unlinkRecord(options.prefix, record, journal, options.onEvent);
    for (const item of prepared) await linkRecord(options, item, journal);
  } catch (error) {
    await journal.rollback();
    if (!prefixExisted) await rm(options.prefix, { recursive: true, force: true });
    throw error;
  }
  await journal.commit();
  await appendHistory(options.prefix, {
    date: new Date(),
    ...options.history,
    unlinked: options.plan.unlink,
    linked: options.plan.link,
  });
}

async function prepare(options: ExecuteOptions): Promise<PreparedLink[]> {
  const records = options.plan.link;
  const results: PreparedLink[] = new Array(records.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const index = next++;
      const record = records[index] as RepoDataRecord;
      const entry = await options.cache.get(record, options.onEvent);
      const paths = (await readPathsJson(entry.dir)).paths;
      results[index] = { entry, paths };
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, records.length) }, worker));
  return results;
}

function verify(options: ExecuteOptions, prepared: readonly PreparedLink[]): void {
  const prefixLength = Buffer.byteLength(options.prefix);
  for (const { entry, paths } of prepared) {
    for (const p of paths) {
      if (p.prefix_placeholder && p.file_mode === 'binary' && prefixLength > Buffer.byteLength(p.prefix_placeholder)) {
        throw new TaipanError(
          'LINK_FAILED',
          `'${entry.record.fn}' has a binary prefix placeholder of ${Buffer.byteLength(p.prefix_placeholder)} bytes in '${p._path}', shorter than the prefix '${options.prefix}' (${prefixLength} bytes)`,
          { hint: 'choose a shorter environment path; nothing was changed' },
        );
      }
    }
  }
}

async function unlinkRecord(
  prefix: string,
  record: PrefixRecord,
  journal: FileJournal,
  onEvent: ExecuteOptions['onEvent'],
): Promise<void> {
  onEvent?.({ kind: 'unlink', record });
  const files = record.paths_data?.paths?.map((p) => p._path) ?? record.files ?? [];
  for (const file of files) {
    const target = path.join(prefix, file);
    await journal.displace(target);
    await removeEmptyParents(path.dirname(target), prefix);
  }
  await journal.displace(path.join(condaMetaDir(prefix), prefixRecordFileName(record)));
}

async function linkRecord(options: ExecuteOptions, item: PreparedLink, journal: FileJournal): Promise<void> {
  const { record } = item.entry;
  const targetPath =
    record.noarch === 'python'
      ? noarchPythonTargets(options.finalRecords.find((r) => r.name === 'python'), isWindows(options.platform), record.name)
      : undefined;
  const result = await linkPackage(item.entry.dir, options.prefix, item.paths, journal, {
    alwaysCopy: options.alwaysCopy,
    targetPath,
  });
  const metaFile = path.join(condaMetaDir(options.prefix), prefixRecordFileName(record));
  await journal.displace(metaFile);
  journal.willCreate(metaFile);
  await writePrefixRecord(options.prefix, {
    ...record,
    files: result.paths.filter((p) => p.path_type !== 'directory').map((p) => p._path),
    paths_data: { paths_version: 1, paths: result.paths },
    link: { source: item.entry.dir, type: result.linkType },
    extracted_package_dir: item.entry.dir,
    package_tarball_full_path: item.entry.archive,
    requested_spec: options.requestedSpecs.get(record.name) ?? '',
  });
  options.onEvent?.({ kind: 'link', record, clobbered: result.clobbered });
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Carrying out a transaction plan, in the stages conda uses: prepare (fetch and extract
 * every package into the cache, read its paths and link.json), then, holding the prefix
 * lock, repair any interrupted earlier transaction, verify (everything that can be checked
 * before the prefix is touched, including where every file goes), execute (unlink, promote
 * clobbered copies, link, write conda-meta) through an on-disk journal and, on any
 * failure, reverse. A prefix that did not exist before a failed transaction is removed.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { isWindows, type Platform } from '../../channels/model/platform.js';
import { TaipanError } from '../../channels/model/errors.js';
import { asDiskError } from '../../channels/disk-errors.js';
import { readLinkJson, readPathsJson } from '../../channels/archive/index.js';
import type { CacheEntry, CacheEvent, PackageCache } from '../package-cache/package-cache.js';
import { pythonInfo } from '../link/noarch-python.js';
import { condaMetaDir, readPrefixRecords, type PrefixRecord } from '../prefix/prefix-record.js';
import { formatHistoryEntry } from '../prefix/history.js';
import { withPrefixLock, type LockHolder } from '../lock.js';
import { Journal, recoverJournal } from './journal.js';
import { planLayout, type PackageToLink, type TransactionLayout } from './layout.js';
import { linkStep, type Notice } from './link-step.js';
import { promoteStep, unlinkStep } from './unlink-step.js';
import type { TransactionPlan } from './plan.js';
import { pathExists } from '../../channels/util/fs.js';

export type { Notice } from './link-step.js';
export { recoverPrefix } from './recover.js';

export type TransactionEvent =
  | CacheEvent
  | { kind: 'unlink'; record: RepoDataRecord }
  /** `clobbered`: files no package owned that were in the prefix and were replaced. */
  | { kind: 'link'; record: RepoDataRecord; clobbered: string[] }
  | Notice;

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
  /** Called once when another process holds the prefix's lock and this one waits. */
  readonly onLockWait?: (holder: LockHolder | undefined) => void;
}

interface Prepared extends PackageToLink {
  readonly entry: CacheEntry;
}

const FETCH_CONCURRENCY = 4;

/** Run `options.plan` against `options.prefix`; on failure the prefix is as it was. */
export async function executeTransaction(options: ExecuteOptions): Promise<void> {
  const prepared = await prepare(options);
  const prefixExisted = await pathExists(options.prefix);
  const windows = isWindows(options.platform);
  const python = pythonInfo(options.finalRecords, windows);
  try {
    await mkdir(condaMetaDir(options.prefix), { recursive: true }).catch(async (error: unknown) => {
      throw asDiskError(await mkdirCause(options.prefix, error), `the environment '${options.prefix}'`, 'nothing was changed');
    });
    await withPrefixLock(
      options.prefix,
      async () => {
        await recoverJournal(options.prefix);
        const installed = await readPrefixRecords(options.prefix);
        checkPlanIsCurrent(options, installed);
        const layout = planLayout({ installed, unlink: options.plan.unlink, link: prepared, python });
        verify(options, prepared, layout);
        await verifySources(prepared);
        await run(options, prepared, layout, prefixExisted);
      },
      { onWait: options.onLockWait },
    );
  } catch (error) {
    if (!prefixExisted) await rm(options.prefix, { recursive: true, force: true });
    throw error;
  }
}

async function run(options: ExecuteOptions, prepared: readonly Prepared[], layout: TransactionLayout, prefixExisted: boolean): Promise<void> {
  const { prefix } = options;
  const windows = isWindows(options.platform);
  const python = pythonInfo(options.finalRecords, windows);
  const history = formatHistoryEntry({ date: new Date(), ...options.history, unlinked: options.plan.unlink, linked: options.plan.link });
  const journal = await Journal.begin(prefix, { prefixExisted, history });
  const notify = (notice: Notice): void => options.onEvent?.(notice);
  try {
    const context = { prefix, journal, windows, notify };
    for (const record of options.plan.unlink) {
      options.onEvent?.({ kind: 'unlink', record });
      await unlinkStep(context, record);
    }
    await promoteStep(context, layout.promotions);
    for (const [i, item] of prepared.entries()) {
      const { record } = item;
      const { replaced } = await linkStep(
        { ...context, python, alwaysCopy: options.alwaysCopy, requestedSpec: options.requestedSpecs.get(record.name) ?? '' },
        layout.packages[i] as TransactionLayout['packages'][number],
        item.entry,
      );
      options.onEvent?.({ kind: 'link', record, clobbered: replaced });
    }
  } catch (error) {
    await journal.rollback();
    throw asDiskError(error, `into the environment '${prefix}'`, 'the transaction was rolled back and the environment is as it was');
  }
  await journal.commit();
}

async function prepare(options: ExecuteOptions): Promise<Prepared[]> {
  const records = options.plan.link;
  const results: Prepared[] = new Array(records.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const index = next++;
      const record = records[index] as RepoDataRecord;
      const entry = await options.cache.get(record, options.onEvent);
      const [paths, linkJson] = await Promise.all([readPathsJson(entry.dir), readLinkJson(entry.dir)]);
      results[index] = { record, entry, paths: paths.paths, ...(linkJson ? { linkJson } : {}) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, records.length) }, worker));
  return results;
}

/** Every file paths.json promises must be in the extracted package (conda's verify step). */
async function verifySources(prepared: readonly Prepared[]): Promise<void> {
  for (const { entry, paths } of prepared) {
    for (const p of paths) {
      // Symlinks may be rebuilt from paths.json alone (see link-package.ts), folders made.
      if (p.path_type !== 'hardlink') continue;
      if (!(await pathExists(path.join(entry.dir, p._path)))) {
        throw new TaipanError('LINK_FAILED', `'${entry.record.fn}' lists '${p._path}' in its paths.json, but the extracted package has no such file`, {
          hint: `the archive is incomplete; remove '${entry.dir}' from the package cache and try again, or report the package to its channel; nothing was changed`,
        });
      }
    }
  }
}

/**
 * The plan was computed from conda-meta before the lock was taken; another process (or
 * the repair of an interrupted transaction) may have changed the prefix since.
 */
function checkPlanIsCurrent(options: ExecuteOptions, installed: readonly PrefixRecord[]): void {
  const key = (r: RepoDataRecord): string => `${r.name}-${r.version}-${r.build}`;
  const have = new Set(installed.map(key));
  const leaving = new Set(options.plan.unlink.map((r) => r.name));
  const stale =
    options.plan.unlink.find((r) => !have.has(key(r))) ??
    options.plan.link.find((r) => installed.some((i) => i.name === r.name) && !leaving.has(r.name));
  if (stale) {
    throw new TaipanError('PREFIX_CHANGED', `the environment '${options.prefix}' changed while taipan was solving ('${stale.name}' is not as expected)`, {
      hint: 'run the command again; nothing was changed',
    });
  }
}

function verify(options: ExecuteOptions, prepared: readonly Prepared[], layout: TransactionLayout): void {
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
  for (const pkg of layout.packages) {
    for (const t of [...pkg.targets.map((x) => x.target), ...pkg.entryPoints.map((e) => e.target)]) {
      const parts = t.split('/');
      if (t.startsWith('/') || parts.includes('..') || /^[A-Za-z]:/.test(t)) {
        throw new TaipanError('UNSAFE_ARCHIVE_ENTRY', `package path '${t}' of '${pkg.record.fn}' points outside the prefix '${options.prefix}'`);
      }
    }
  }
}


/**
 * The real reason a recursive mkdir of `prefix` failed: on a read-only file system Node
 * reports ENOENT, so the first missing folder is made alone to get EROFS/EACCES/ENOSPC.
 */
async function mkdirCause(prefix: string, error: unknown): Promise<unknown> {
  let missing = path.resolve(prefix);
  while (!(await pathExists(path.dirname(missing))) && path.dirname(missing) !== missing) missing = path.dirname(missing);
  try {
    await mkdir(missing);
    await rm(missing, { recursive: true, force: true });
  } catch (cause) {
    return cause;
  }
  return error;
}

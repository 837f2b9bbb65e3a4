/**
 * Carrying out a transaction plan, in the stages conda uses: prepare (fetch and extract
 * every package into the cache, read its paths and link.json), then, holding the prefix
 * lock, repair any interrupted earlier transaction, verify (everything that can be checked
 * before the prefix is touched, including where every file goes), execute (unlink, promote
 * clobbered copies, link, write conda-meta) through an on-disk journal and, on any
 * failure, reverse. A prefix that did not exist before a failed transaction is removed.
 *
 * The plan is solved before the lock is taken, so another taipan may change the prefix
 * in between (two installs started together). Holding the lock, the prefix is compared
 * with what the plan was solved against; when it changed, the request is solved again
 * (through `replan`) against the prefix as it now is, and that plan is carried out: both
 * requests end installed, one after the other, as a user expects.
 */
import { mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { isWindows, type Platform } from '../../channels/model/platform.js';
import { TaipanError } from '../../channels/model/errors.js';
import { asDiskError } from '../../channels/util/disk-errors.js';
import { readLinkJson, readPathsJson } from '../../channels/archive/package-metadata.js';
import type { CacheEntry, CacheEvent, PackageCache } from '../package-cache/package-cache.js';
import { pythonInfo } from '../link/noarch-python.js';
import { prefixRecordFileName, readPrefixRecords, type PrefixRecord } from '../prefix/prefix-record.js';
import { NAME_MAX_BYTES } from '../../channels/archive/entry-path.js';
import { formatHistoryEntry } from '../prefix/history.js';
import { condaMetaDir, historyFile } from '../prefix/prefix-files.js';
import { lexicalPathProblem, PrefixPathGuard } from '../prefix/prefix-paths.js';
import { forgetPrefixRecords } from '../prefix/prefix.js';
import { withPrefixLock, type LockHolder } from '../lock.js';
import { Journal, recoverJournal } from './journal.js';
import { planLayout, type PackageToLink, type TransactionLayout } from './layout.js';
import { linkStep, type Notice } from './link-step.js';
import { promoteStep, unlinkStep } from './unlink-step.js';
import { sameArchive, type TransactionPlan } from './plan.js';
import { pathExists } from '../../channels/util/fs.js';

export type { Notice } from './link-step.js';
export { recoverPrefix } from './recover.js';

export type TransactionEvent =
  | CacheEvent
  | { kind: 'unlink'; record: RepoDataRecord }
  /** `clobbered`: files no package owned that were in the prefix and were replaced. */
  | { kind: 'link'; record: RepoDataRecord; clobbered: string[] }
  | Notice;

/** A solved request: what to change, and what the prefix holds afterwards. */
export interface PlannedTransaction {
  readonly plan: TransactionPlan<PrefixRecord>;
  /** The spec a user asked for, by package name (conda-meta `requested_spec`). */
  readonly requestedSpecs: ReadonlyMap<string, string>;
  /** The records the prefix holds after the transaction (to place noarch: python files). */
  readonly finalRecords: readonly RepoDataRecord[];
  /**
   * What the prefix held when the plan was solved. When given, any difference under the
   * lock counts as a change; without it only the plan's own records are compared.
   */
  readonly installed?: readonly RepoDataRecord[];
}

export interface ExecuteOptions extends PlannedTransaction {
  readonly prefix: string;
  readonly platform: Platform;
  readonly cache: PackageCache;
  /**
   * Solve the request again against the prefix as it is now; called holding the lock when
   * the prefix changed since the plan was solved. Undefined from it: the user declined the
   * new plan. Without `replan` a changed prefix is an error (PREFIX_CHANGED).
   */
  readonly replan?: () => Promise<PlannedTransaction | undefined>;
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

/** How many times a request is solved again when the prefix keeps changing under it. */
const MAX_REPLANS = 3;

/**
 * Run `options.plan` against `options.prefix`; on failure the prefix is as it was. Returns
 * the transaction carried out (another one than `options` when the request was solved
 * again), or undefined when the user declined the new plan.
 */
export async function executeTransaction(options: ExecuteOptions): Promise<PlannedTransaction | undefined> {
  const { prefix } = options;
  let prepared = await prepare(options, options.plan.link, []);
  const prefixExisted = await pathExists(prefix);
  try {
    await mkdir(condaMetaDir(prefix), { recursive: true }).catch(async (error: unknown) => {
      throw asDiskError(await mkdirCause(prefix, error), `the environment '${prefix}'`, 'nothing was changed');
    });
    const done = await withPrefixLock(
      prefix,
      async () => {
        let createdHere = false;
        // What this process read of the records is stale from here on, whatever happens.
        forgetPrefixRecords(prefix);
        try {
          await recoverJournal(prefix);
          let installed = await readPrefixRecords(prefix);
          // Another taipan may have made this prefix while this one waited for the lock.
          createdHere = !prefixExisted && installed.length === 0 && !(await pathExists(historyFile(prefix)));
          let current: PlannedTransaction = options;
          for (let replans = 0; changedSincePlan(current, installed); replans++) {
            if (options.replan === undefined || replans === MAX_REPLANS) throw prefixChanged(prefix, current, installed);
            const again = await options.replan();
            if (again === undefined) return undefined;
            current = again;
            prepared = await prepare(options, current.plan.link, prepared);
            installed = await readPrefixRecords(prefix);
          }
          if (current.plan.link.length === 0 && current.plan.unlink.length === 0) return current;
          const python = pythonInfo(current.finalRecords, isWindows(options.platform));
          const layout = planLayout({ installed, unlink: current.plan.unlink, link: prepared, python });
          verify(prefix, prepared, layout);
          await verifySources(prepared);
          await run({ ...options, ...current }, prepared, layout, !createdHere);
          return current;
        } catch (error) {
          // Removed while the lock is held, so a taipan waiting for it never sees half of it.
          if (createdHere) await clearNewPrefix(prefix);
          throw error;
        }
      },
      { onWait: options.onLockWait },
    );
    if (done === undefined && !prefixExisted) await removeIfEmpty(prefix);
    return done;
  } catch (error) {
    // Only empty folders go: a prefix another taipan filled in the meantime stays.
    if (!prefixExisted) await removeIfEmpty(prefix);
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
    const context = { prefix, journal, windows, notify, guard: new PrefixPathGuard(prefix) };
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
    forgetPrefixRecords(prefix);
    throw asDiskError(error, `into the environment '${prefix}'`, 'the transaction was rolled back and the environment is as it was');
  }
  await journal.commit();
  forgetPrefixRecords(prefix);
}

/** Fetch and extract `records` into the cache; `done` holds packages prepared before. */
async function prepare(options: ExecuteOptions, records: readonly RepoDataRecord[], done: readonly Prepared[]): Promise<Prepared[]> {
  const results: Prepared[] = new Array(records.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const index = next++;
      const record = records[index] as RepoDataRecord;
      const before = done.find((p) => p.record.url === record.url && sameArchive(p.record, record));
      if (before !== undefined) {
        results[index] = { ...before, record };
        continue;
      }
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
 * True when the prefix is not what `planned` was solved against: another process (or the
 * repair of an interrupted transaction) changed it since. With the solve's snapshot any
 * difference counts (a new package may conflict with the plan, or be needed by it);
 * without one, a record the plan removes is gone or one it adds appeared.
 */
/** A record's identity in a prefix: name, version and build. */
const distKey = (r: RepoDataRecord): string => `${r.name}-${r.version}-${r.build}`;

function changedSincePlan(planned: PlannedTransaction, installed: readonly PrefixRecord[]): boolean {
  const key = distKey;
  const have = new Set(installed.map(key));
  if (planned.installed !== undefined) {
    return planned.installed.length !== installed.length || planned.installed.some((r) => !have.has(key(r)));
  }
  return staleRecord(planned, installed) !== undefined;
}

function staleRecord(planned: PlannedTransaction, installed: readonly PrefixRecord[]): RepoDataRecord | undefined {
  const key = distKey;
  const have = new Set(installed.map(key));
  const leaving = new Set(planned.plan.unlink.map((r) => r.name));
  return (
    planned.plan.unlink.find((r) => !have.has(key(r))) ??
    planned.plan.link.find((r) => installed.some((i) => i.name === r.name) && !leaving.has(r.name)) ??
    (planned.installed ?? []).find((r) => !have.has(key(r))) ??
    installed.find((r) => !(planned.installed ?? installed).some((i) => key(i) === key(r)))
  );
}

function prefixChanged(prefix: string, planned: PlannedTransaction, installed: readonly PrefixRecord[]): TaipanError {
  const stale = staleRecord(planned, installed);
  return new TaipanError('PREFIX_CHANGED', `the environment '${prefix}' changed while taipan was solving${stale ? ` ('${stale.name}' is not as expected)` : ''}`, {
    hint: 'another taipan is changing it; run the command again once it is done; nothing was changed',
  });
}

/** A failed transaction's new prefix, emptied but for the lock this process holds. */
async function clearNewPrefix(prefix: string): Promise<void> {
  for (const name of await readdir(prefix).catch(() => [] as string[])) {
    if (name !== 'conda-meta') await rm(path.join(prefix, name), { recursive: true, force: true });
  }
  for (const name of await readdir(condaMetaDir(prefix)).catch(() => [] as string[])) {
    if (!name.startsWith('.taipan.lock')) await rm(path.join(condaMetaDir(prefix), name), { recursive: true, force: true });
  }
}

async function removeIfEmpty(prefix: string): Promise<void> {
  await rmdir(condaMetaDir(prefix)).catch(() => undefined);
  await rmdir(prefix).catch(() => undefined);
}

function verify(prefix: string, prepared: readonly Prepared[], layout: TransactionLayout): void {
  const prefixLength = Buffer.byteLength(prefix);
  for (const { entry, paths } of prepared) {
    // The record goes to conda-meta/<name>-<version>-<build>.json, one file name.
    const recordFile = prefixRecordFileName(entry.record);
    if (Buffer.byteLength(recordFile) > NAME_MAX_BYTES) {
      throw new TaipanError('INVALID_RECORD', `'${entry.record.fn}' cannot be installed: its record 'conda-meta/${recordFile.slice(0, 60)}…' would be ${Buffer.byteLength(recordFile)} bytes, longer than file systems allow (${NAME_MAX_BYTES})`, {
        hint: "the channel gives the package a name, version and build far too long; nothing was changed",
      });
    }
    for (const p of paths) {
      if (p.prefix_placeholder && p.file_mode === 'binary' && prefixLength > Buffer.byteLength(p.prefix_placeholder)) {
        throw new TaipanError(
          'LINK_FAILED',
          `'${entry.record.fn}' has a binary prefix placeholder of ${Buffer.byteLength(p.prefix_placeholder)} bytes in '${p._path}', shorter than the prefix '${prefix}' (${prefixLength} bytes)`,
          { hint: 'choose a shorter environment path; nothing was changed' },
        );
      }
    }
  }
  // Checked again, on disk, as each file is linked; here nothing has been touched yet.
  for (const pkg of layout.packages) {
    for (const t of [...pkg.targets.map((x) => x.originalPath ?? x.target), ...pkg.entryPoints.map((e) => e.originalPath ?? e.target)]) {
      const problem = lexicalPathProblem(t, 'payload');
      if (problem !== undefined) {
        throw new TaipanError('UNSAFE_ARCHIVE_ENTRY', `refusing to link '${t}' of the package '${pkg.record.fn}' into '${prefix}': ${problem}`, {
          hint: 'the package is malformed or malicious; nothing was changed',
        });
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

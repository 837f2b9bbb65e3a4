/**
 * One install service under every front end (the CLI's create, install, update, remove and
 * env commands, and the builder's environments): plan a request against a prefix opened
 * once, ask the caller's `confirm`, and carry the plan out through executeTransaction.
 * When another taipan changed the prefix while this one waited for its lock, the request
 * is solved again and the new plan confirmed before anything is touched. The service
 * prints nothing: it tells its caller what happens through typed events and returns what
 * was done, so every front end gets the same re-solve, progress and safety checks.
 */
import type { RepoDataRecord } from '../channels/model/package-record.js';
import type { Platform } from '../channels/model/platform.js';
import { setEnvVars } from './activation/env-vars.js';
import { solveClone } from './clone.js';
import type { ExplicitPackage } from './env-file/spec-file.js';
import { solveExplicit } from './explicit-install.js';
import type { LockHolder } from './lock.js';
import type { PackageCache, PackageProgress } from './package-cache/package-cache.js';
import { checkPipPossible, runPipInstall } from './pip.js';
import { Prefix } from './prefix/prefix.js';
import { registerEnvironment } from './registry.js';
import { solveInstall, solveRemove, type InstallRequest, type SolvedRequest } from './solve-request.js';
import type { TransactionEvent } from './transaction/execute.js';

/** What to plan; the same request is solved again when the prefix changed under the lock. */
export type PlanRequest =
  /** Package specs solved against channels: create, install, update, env create/update. */
  | ({ readonly kind: 'solve' } & Omit<InstallRequest, 'prefix' | 'platform' | 'opened'>)
  /** An @EXPLICIT or lock file: exactly its packages, hash-checked, no solve. */
  | { readonly kind: 'explicit'; readonly mode: 'create' | 'install'; readonly packages: readonly ExplicitPackage[] }
  /** `create --clone`: the packages of the environment at `source`. */
  | { readonly kind: 'clone'; readonly source: string }
  /** `remove`: the packages the specs name, what needs them, and what only they needed. */
  | { readonly kind: 'remove'; readonly specs: readonly string[] };

/** A plan ready to be shown and confirmed. */
export interface InstallPlan {
  readonly prefix: string;
  readonly solved: SolvedRequest;
  /** The records the package cache does not hold yet: what will be downloaded. */
  readonly fetch: readonly RepoDataRecord[];
  /** Nothing to link and nothing to unlink. */
  readonly empty: boolean;
}

export type InstallEvent =
  /** Channels are loading and the request is being solved; `solved` follows, even on failure. */
  | { readonly kind: 'solving' }
  | { readonly kind: 'solved' }
  /** A plan is ready (`again`: after another process changed the prefix). */
  | { readonly kind: 'plan'; readonly plan: InstallPlan; readonly again: boolean }
  /** Another process holds the prefix's lock; this one waits. */
  | { readonly kind: 'lock-wait'; readonly holder: LockHolder | undefined }
  /** Another process changed the prefix while this one waited: the request is solved again. */
  | { readonly kind: 'replan' }
  /** Bytes of one package received. */
  | { readonly kind: 'download'; readonly progress: PackageProgress }
  /** The cache's reuse/fetch/extract, then each unlink, link and package notice. */
  | TransactionEvent
  /** What was done, told before the registry, the variables and the pip section follow. */
  | { readonly kind: 'outcome'; readonly outcome: InstallOutcome };

export interface InstallServiceRequest {
  readonly prefix: string;
  readonly platform: Platform;
  readonly request: PlanRequest;
  /** The package cache to use, given the listener of its download progress. */
  readonly packageCache: (onDownload: (progress: PackageProgress) => void) => PackageCache;
  /** Plan only: nothing is fetched, linked or asked. */
  readonly dryRun?: boolean;
  readonly alwaysCopy?: boolean;
  /** What conda-meta/history records about the transaction. */
  readonly history: { readonly command: string; readonly toolVersion: string; readonly updateSpecs?: string[]; readonly removeSpecs?: string[] };
  /** Asked before a plan that changes something is carried out (again after a re-solve); absent: go ahead. */
  readonly confirm?: (plan: InstallPlan) => Promise<boolean>;
  readonly onEvent?: (event: InstallEvent) => void;
  /** Remember the prefix in the environments registry once it was changed (create). */
  readonly register?: boolean;
  /** Environment variables the prefix keeps (an environment.yml's `variables`), set once it was changed. */
  readonly variables?: Readonly<Record<string, string>>;
  /** An environment.yml's `pip:` section, run by the environment's pip unless this is a dry run. */
  readonly pip?: { readonly requirements: readonly string[]; readonly cwd: string };
}

export interface InstallOutcome {
  /** done: carried out (possibly as an empty re-solved plan); dry-run, empty and declined: nothing touched. */
  readonly status: 'done' | 'dry-run' | 'empty' | 'declined';
  /** The last plan made: the one carried out when done. */
  readonly plan: InstallPlan;
  /** True when the prefix was changed. */
  readonly changed: boolean;
}

export async function installIntoPrefix(request: InstallServiceRequest): Promise<InstallOutcome> {
  const outcome = await carryOut(request);
  request.onEvent?.({ kind: 'outcome', outcome });
  if (outcome.changed && request.register) await registerEnvironment(request.prefix);
  if (outcome.changed && request.variables && Object.keys(request.variables).length > 0) await setEnvVars(request.prefix, request.variables);
  // As the CLI always did: the pip section runs unless this is a dry run.
  if (!request.dryRun && request.pip && request.pip.requirements.length > 0) {
    await runPipInstall(request.prefix, request.platform, request.pip.requirements, request.pip.cwd);
  }
  return outcome;
}

async function carryOut(request: InstallServiceRequest): Promise<InstallOutcome> {
  const emit = (event: InstallEvent): void => request.onEvent?.(event);
  const cache = request.packageCache((progress) => emit({ kind: 'download', progress }));
  // Opened once: the solve and any re-solve read the records through it.
  const opened = await Prefix.open(request.prefix);
  let latest = await makePlan(request, opened, cache, false);
  if (request.dryRun) return { status: 'dry-run', plan: latest, changed: false };
  if (latest.empty) return { status: 'empty', plan: latest, changed: false };
  if (request.confirm && !(await request.confirm(latest))) return { status: 'declined', plan: latest, changed: false };
  const replan = async (): Promise<SolvedRequest | undefined> => {
    emit({ kind: 'replan' });
    latest = await makePlan(request, opened, cache, true);
    if (!latest.empty && request.confirm && !(await request.confirm(latest))) return undefined;
    return latest.solved;
  };
  // Imported only now: a dry run or a declined plan never loads the transaction machinery.
  const { executeTransaction } = await import('./transaction/execute.js');
  const done = await executeTransaction({
    prefix: request.prefix,
    platform: request.platform,
    plan: latest.solved.plan,
    installed: latest.solved.installed,
    cache,
    requestedSpecs: latest.solved.requestedSpecs,
    finalRecords: latest.solved.finalRecords,
    alwaysCopy: request.alwaysCopy,
    replan,
    ...(request.onEvent ? { onLockWait: (holder: LockHolder | undefined) => emit({ kind: 'lock-wait', holder }) } : {}),
    history: request.history,
    onEvent: emit,
  });
  if (done === undefined) return { status: 'declined', plan: latest, changed: false };
  return { status: 'done', plan: latest, changed: !latest.empty };
}

async function makePlan(request: InstallServiceRequest, opened: Prefix, cache: PackageCache, again: boolean): Promise<InstallPlan> {
  request.onEvent?.({ kind: 'solving' });
  let solved: SolvedRequest;
  try {
    solved = await solve(request, opened, cache);
    checkPipPossible(request.pip?.requirements ?? [], solved.finalRecords);
  } finally {
    request.onEvent?.({ kind: 'solved' });
  }
  const fetch = await notInCache(cache, solved.plan.link);
  const plan = { prefix: request.prefix, solved, fetch, empty: solved.plan.link.length === 0 && solved.plan.unlink.length === 0 };
  request.onEvent?.({ kind: 'plan', plan, again });
  return plan;
}

/** The records `cache` does not hold yet: what fetching them downloads. */
export async function notInCache(cache: PackageCache, records: readonly RepoDataRecord[]): Promise<RepoDataRecord[]> {
  const out: RepoDataRecord[] = [];
  for (const record of records) if (!(await cache.has(record))) out.push(record);
  return out;
}

function solve(request: InstallServiceRequest, opened: Prefix, cache: PackageCache): Promise<SolvedRequest> {
  const { prefix, platform } = request;
  const wanted = request.request;
  switch (wanted.kind) {
    case 'clone':
      return solveClone(wanted.source);
    case 'explicit':
      return solveExplicit({ prefix, mode: wanted.mode, packages: wanted.packages, cache, opened });
    case 'remove':
      return solveRemove(prefix, wanted.specs, opened);
    case 'solve': {
      const { kind: _kind, ...rest } = wanted;
      return solveInstall({ ...rest, prefix, platform, opened });
    }
  }
}

/**
 * Showing a transaction plan, asking, and carrying it out with progress: the part that
 * create, install, remove and the env commands share. When another taipan changed the
 * prefix while this one waited for its lock, the request is solved again (`resolve`) and
 * the new plan shown, and asked about, before it is carried out.
 */
import type { Platform } from '../channels/model/platform.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import type { SolvedRequest } from '../environments/solve-request.js';
import type { TransactionEvent } from '../environments/transaction/execute.js';
import { lockWaitMessage } from './lock-wait.js';
import type { TaipanConfig } from './config/load.js';
import { confirm } from './confirm.js';
import { commandLine, packageCache, TOOL_VERSION } from './context.js';
import type { TransactionOptions } from './options.js';
import type { Output } from './output.js';
import { DownloadMeter, Progress } from './progress.js';
import { planJson, planTable } from './report-plan.js';

export interface ApplyRequest {
  prefix: string;
  platform: Platform;
  solved: SolvedRequest;
  options: TransactionOptions;
  updateSpecs?: string[];
  removeSpecs?: string[];
  config: TaipanConfig;
  /** Solve the request again against the prefix as it now is (see the header). */
  resolve?: () => Promise<SolvedRequest>;
}

/** Carries the plan out unless it is a dry run or declined; true when the prefix was changed. */
export async function applyTransaction(output: Output, request: ApplyRequest): Promise<boolean> {
  const { prefix, solved, options } = request;
  const progress = new Progress(options);
  let meter: DownloadMeter | undefined;
  const cache = packageCache(request.config, {
    offline: options.offline,
    onDownload: (p) => meter?.update(p.record.url, p.bytes, p.total),
  });
  const missing = async (records: readonly RepoDataRecord[]): Promise<RepoDataRecord[]> => {
    const out = [];
    for (const record of records) if (!(await cache.has(record))) out.push(record);
    return out;
  };
  let fetch = await missing(solved.plan.link);
  const empty = solved.plan.link.length === 0 && solved.plan.unlink.length === 0;

  if (options.json && (options.dryRun || empty)) {
    output.json(planJson(prefix, solved.plan, fetch, Boolean(options.dryRun)));
    return false;
  }
  if (!options.json) output.text(planTable(prefix, solved.plan));
  if (options.dryRun || empty) {
    if (!options.json && options.dryRun) output.text('Dry run: nothing was changed.\n');
    return false;
  }
  if (!options.yes && !options.json && !(await confirm('Proceed ([y]/n)? '))) {
    output.text('Nothing was changed.\n');
    return false;
  }
  meter = new DownloadMeter(progress, fetch.length);
  let total = solved.plan.link.length;
  let linked = 0;
  const resolve = request.resolve;
  const replan = resolve && (async (): Promise<SolvedRequest | undefined> => {
    progress.done();
    output.warn(`'${prefix}' was changed by another taipan while this one waited; solving the request again`);
    const again = await resolve();
    fetch = await missing(again.plan.link);
    meter = new DownloadMeter(progress, fetch.length);
    total = again.plan.link.length;
    if (!options.json) output.text(planTable(prefix, again.plan));
    const empty = again.plan.link.length === 0 && again.plan.unlink.length === 0;
    if (!empty && !options.yes && !options.json && !(await confirm('Proceed ([y]/n)? '))) return undefined;
    return again;
  });
  // Imported only now: a dry run or a declined plan never loads the transaction machinery.
  const { executeTransaction } = await import('../environments/transaction/execute.js');
  const done = await executeTransaction({
    prefix,
    platform: request.platform,
    plan: solved.plan,
    installed: solved.installed,
    cache,
    requestedSpecs: solved.requestedSpecs,
    finalRecords: solved.finalRecords,
    alwaysCopy: options.copy,
    replan,
    onLockWait: (holder) => output.warn(lockWaitMessage(prefix, holder)),
    history: { command: commandLine(), toolVersion: TOOL_VERSION, updateSpecs: request.updateSpecs, removeSpecs: request.removeSpecs },
    onEvent: (event: TransactionEvent) => {
      if (event.kind === 'link') linked++;
      progress.update(`${event.kind.padEnd(7)} ${event.record.name}-${event.record.version}  [${linked}/${total} linked]`);
      if (event.kind === 'notice' && !options.json) event.level === 'warning' ? output.warn(event.text.trimEnd()) : output.text(`${event.text.trimEnd()}\n`);
      if (event.kind === 'link' && event.clobbered.length > 0 && !options.quiet && !options.json) {
        output.warn(`'${event.record.name}' replaced files of another package: ${event.clobbered.slice(0, 5).join(', ')}`);
      }
    },
  });
  progress.done();
  if (done === undefined) {
    output.text('Nothing was changed.\n');
    return false;
  }
  if (options.json) output.json(planJson(prefix, done.plan, fetch, false));
  else if (done.plan.link.length > 0 || done.plan.unlink.length > 0) output.text(`Done: ${done.plan.link.length} linked, ${done.plan.unlink.length} unlinked in '${prefix}'.\n`);
  return done.plan.link.length > 0 || done.plan.unlink.length > 0;
}

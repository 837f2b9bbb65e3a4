/**
 * Showing a transaction plan, asking, and carrying it out with progress: the part that
 * create, install, remove and the env commands share.
 */
import type { Platform } from '../channels/model/platform.js';
import type { SolvedRequest } from '../environments/solve-request.js';
import { executeTransaction, type TransactionEvent } from '../environments/transaction/execute.js';
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
  const fetch = [];
  for (const record of solved.plan.link) if (!(await cache.has(record))) fetch.push(record);
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
  const total = solved.plan.link.length;
  let linked = 0;
  await executeTransaction({
    prefix,
    platform: request.platform,
    plan: solved.plan,
    cache,
    requestedSpecs: solved.requestedSpecs,
    finalRecords: solved.finalRecords,
    alwaysCopy: options.copy,
    onLockWait: (holder) => output.warn(`waiting for another taipan${holder ? ` (pid ${holder.pid})` : ''} to finish with '${prefix}'…`),
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
  if (options.json) output.json(planJson(prefix, solved.plan, fetch, false));
  else output.text(`Done: ${solved.plan.link.length} linked, ${solved.plan.unlink.length} unlinked in '${prefix}'.\n`);
  return true;
}

/**
 * The terminal side of the install service (environments/install-service.ts) for create,
 * install, update, remove and the env commands: the plan table, the question, progress
 * and the closing line. Planning, the re-solve after another taipan changed the prefix,
 * and carrying the plan out all happen in the service.
 */
import type { Platform } from '../channels/model/platform.js';
import { installIntoPrefix, type InstallEvent, type InstallOutcome, type InstallServiceRequest, type PlanRequest } from '../environments/install-service.js';
import { lockWaitMessage } from './lock-wait.js';
import type { TaipanConfig } from './config/load.js';
import { confirm } from './confirm.js';
import { commandLine, packageCache, TOOL_VERSION } from './context.js';
import type { TransactionOptions } from './options.js';
import type { Output } from './output.js';
import { DownloadMeter, Progress } from './progress.js';
import { planJson, planTable } from './report-plan.js';

export interface ApplyRequest extends Pick<InstallServiceRequest, 'register' | 'variables' | 'pip'> {
  prefix: string;
  platform: Platform;
  request: PlanRequest;
  options: TransactionOptions;
  updateSpecs?: string[];
  removeSpecs?: string[];
  config: TaipanConfig;
}

/** Plan `request`, show it, ask, and carry it out unless it is a dry run or declined. */
export async function applyTransaction(output: Output, request: ApplyRequest): Promise<InstallOutcome> {
  const { prefix, options, config } = request;
  const progress = new Progress(options);
  let meter: DownloadMeter | undefined;
  // Downloads count from the first plan on (an @EXPLICIT file's archives are read while planning).
  let fetchCount: number | undefined;
  let total = 0;
  let linked = 0;
  const onEvent = (event: InstallEvent): void => {
    switch (event.kind) {
      case 'solving':
        if (request.request.kind !== 'remove') progress.update('loading channels and solving…');
        return;
      case 'solved':
        return progress.done();
      case 'replan':
        progress.done();
        return output.warn(`'${prefix}' was changed by another taipan while this one waited; solving the request again`);
      case 'plan':
        fetchCount = event.plan.fetch.length;
        meter = undefined;
        total = event.plan.solved.plan.link.length;
        if (!options.json) output.text(planTable(prefix, event.plan.solved.plan, event.plan.fetch));
        return;
      case 'lock-wait':
        return output.warn(lockWaitMessage(prefix, event.holder));
      case 'download':
        if (fetchCount === undefined) return;
        meter ??= new DownloadMeter(progress, fetchCount);
        return meter.update(event.progress.record.url, event.progress.bytes, event.progress.total);
      case 'outcome':
        return reportOutcome(output, progress, options, event.outcome);
      default:
        if (event.kind === 'link') linked++;
        progress.update(`${event.kind.padEnd(7)} ${event.record.name}-${event.record.version}  [${linked}/${total} linked]`);
        if (event.kind === 'notice' && !options.json) event.level === 'warning' ? output.warn(event.text.trimEnd()) : output.text(`${event.text.trimEnd()}\n`);
        if (event.kind === 'link' && event.clobbered.length > 0 && !options.quiet && !options.json) {
          output.warn(`'${event.record.name}' replaced files of another package: ${event.clobbered.slice(0, 5).join(', ')}`);
        }
    }
  };
  return installIntoPrefix({
    prefix,
    platform: request.platform,
    request: request.request,
    packageCache: (onDownload) => packageCache(config, { offline: options.offline, onDownload }),
    dryRun: options.dryRun,
    alwaysCopy: options.copy,
    history: { command: commandLine(), toolVersion: TOOL_VERSION, updateSpecs: request.updateSpecs, removeSpecs: request.removeSpecs },
    ...(options.yes || options.json ? {} : { confirm: () => confirm('Proceed ([y]/n)? ') }),
    onEvent,
    register: request.register,
    variables: request.variables,
    pip: request.pip,
  });
}

function reportOutcome(output: Output, progress: Progress, options: TransactionOptions, outcome: InstallOutcome): void {
  const { prefix, solved, fetch } = outcome.plan;
  switch (outcome.status) {
    case 'dry-run':
    case 'empty':
      if (options.json) output.json(planJson(prefix, solved.plan, fetch, Boolean(options.dryRun)));
      else if (options.dryRun) output.text('Dry run: nothing was changed.\n');
      return;
    case 'declined':
      progress.done();
      output.text('Nothing was changed.\n');
      return;
    case 'done':
      progress.done();
      if (options.json) output.json(planJson(prefix, solved.plan, fetch, false));
      else if (outcome.changed) output.text(`Done: ${solved.plan.link.length} linked, ${solved.plan.unlink.length} unlinked in '${prefix}'.\n`);
  }
}

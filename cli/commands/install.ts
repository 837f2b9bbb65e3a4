/**
 * `taipan create` and `taipan install`: solve first, show the plan, then fetch, extract
 * and link transactionally.
 */
import type { Command } from 'commander';
import { solveInstall, solveRemove, type SolvedRequest } from '../../environments/solve-request.js';
import { executeTransaction, type TransactionEvent } from '../../environments/transaction/execute.js';
import type { Platform } from '../../channels/model/platform.js';
import {
  commandLine,
  packageCache,
  parseChannels,
  resolvePrefix,
  targetPlatform,
  TOOL_VERSION,
  type OutputOptions,
  type PrefixOptions,
} from '../context.js';
import { planJson, planTable } from '../report-plan.js';
import { Progress } from '../progress.js';
import { confirm } from '../confirm.js';
import type { Output } from '../output.js';
import type { TaipanConfig } from '../config.js';

interface InstallOptions extends OutputOptions, PrefixOptions {
  channel?: string[];
  platform?: string;
  deps?: boolean;
  copy?: boolean;
  forceReinstall?: boolean;
  overrideChannels?: boolean;
}

export function registerInstallCommands(program: Command, output: Output, config: () => TaipanConfig): void {
  for (const mode of ['create', 'install'] as const) {
    withTransactionOptions(
      program
        .command(mode)
        .description(mode === 'create' ? 'create a new environment from package specs' : 'install packages into an existing environment')
        .argument('[specs...]', 'package specs, e.g. zlib "numpy>=1.20" conda-forge::python=3.12')
        .option('-c, --channel <channel>', 'a channel to read (folder, file:// URL or name); repeatable', collect, [])
        .option('--override-channels', 'do not read the channels from the config files')
        .option('--platform <subdir>', 'solve for another platform (e.g. linux-64)')
        .option('--no-deps', 'install only the named packages, not their dependencies')
        .option('--copy', 'copy files into the environment instead of hard-linking them')
        .option('--force-reinstall', 'relink the named packages even when they are installed'),
    ).action(async (specs: string[], options: InstallOptions) => {
      const settings = config();
      const prefix = resolvePrefix(options, settings);
      const platform = targetPlatform(options.platform);
      const progress = new Progress(options);
      progress.update('loading channels and solving…');
      const solved = await solveInstall({
        prefix,
        platform,
        channels: parseChannels(options.channel, settings, options.overrideChannels),
        specs,
        mode,
        noDeps: options.deps === false,
        forceReinstall: options.forceReinstall,
      }).finally(() => progress.done());
      await applyTransaction(output, { prefix, platform, solved, options, updateSpecs: specs, config: settings });
    });
  }

  withTransactionOptions(
    program
      .command('remove')
      .alias('uninstall')
      .description('remove packages (and what depends on them) from an environment')
      .argument('<specs...>', 'names or specs of installed packages'),
  ).action(async (specs: string[], options: InstallOptions) => {
    const settings = config();
    const prefix = resolvePrefix(options, settings);
    const solved = await solveRemove(prefix, specs);
    await applyTransaction(output, { prefix, platform: targetPlatform(undefined), solved, options, removeSpecs: specs, config: settings });
  });
}

function withTransactionOptions(command: Command): Command {
  return command
    .option('-p, --prefix <path>', 'the environment folder')
    .option('-n, --name <name>', 'the environment name (under the envs folder)')
    .option('--dry-run', 'only show what would be done')
    .option('--json', "print conda's JSON instead of text")
    .option('-y, --yes', 'do not ask for confirmation')
    .option('-q, --quiet', 'print nothing but errors');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface ApplyRequest {
  prefix: string;
  platform: Platform;
  solved: SolvedRequest;
  options: InstallOptions;
  updateSpecs?: string[];
  removeSpecs?: string[];
  config: TaipanConfig;
}

async function applyTransaction(output: Output, request: ApplyRequest): Promise<void> {
  const { prefix, solved, options } = request;
  const cache = packageCache(request.config);
  const fetch = [];
  for (const record of solved.plan.link) if (!(await cache.has(record))) fetch.push(record);
  const empty = solved.plan.link.length === 0 && solved.plan.unlink.length === 0;

  if (options.json && (options.dryRun || empty)) {
    output.json(planJson(prefix, solved.plan, fetch, Boolean(options.dryRun)));
    return;
  }
  if (!options.json) output.text(planTable(prefix, solved.plan));
  if (options.dryRun || empty) {
    if (!options.json && options.dryRun) output.text('Dry run: nothing was changed.\n');
    return;
  }
  if (!options.yes && !options.json && !(await confirm('Proceed ([y]/n)? '))) {
    output.text('Nothing was changed.\n');
    return;
  }
  const progress = new Progress(options);
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
    history: { command: commandLine(), toolVersion: TOOL_VERSION, updateSpecs: request.updateSpecs, removeSpecs: request.removeSpecs },
    onEvent: (event: TransactionEvent) => {
      if (event.kind === 'link') linked++;
      progress.update(`${event.kind.padEnd(7)} ${event.record.name}-${event.record.version}  [${linked}/${total} linked]`);
      if (event.kind === 'link' && event.clobbered.length > 0 && !options.quiet && !options.json) {
        output.warn(`'${event.record.name}' replaced files of another package: ${event.clobbered.slice(0, 5).join(', ')}`);
      }
    },
  });
  progress.done();
  if (options.json) output.json(planJson(prefix, solved.plan, fetch, false));
  else output.text(`Done: ${solved.plan.link.length} linked, ${solved.plan.unlink.length} unlinked in '${prefix}'.\n`);
}

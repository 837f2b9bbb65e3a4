/**
 * `taipan create`, `install`, `update` and `remove`: the request is turned into one for the
 * install service (environments/install-service.ts), which solves first, then fetches,
 * extracts and links transactionally; this file only wires options to it. `--file` takes
 * spec lists, environment.yml files and @EXPLICIT files, as conda and mamba do.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { Platform } from '../../channels/model/platform.js';
import type { ChannelPriority } from '../../solver/index.js';
import { TaipanError } from '../../channels/model/errors.js';
import { MatchSpec } from '../../channels/model/match-spec/index.js';
import { readRequestFiles, EMPTY_FILE_REQUEST, type FileRequest } from '../../environments/env-file/request-files.js';
import { distToSpec, packagesAtRevision, readRevisions, revertSpecs } from '../../environments/revisions.js';
import { environmentName } from '../../environments/activation/activation.js';
import { shellWord } from '../../environments/activation/shells.js';
import type { PlanRequest } from '../../environments/install-service.js';
import { applyTransaction } from '../apply-transaction.js';
import { announceLockWaits } from '../lock-wait.js';
import { announceHistoryWarnings } from '../history-warnings.js';
import { setting, type TaipanConfig } from '../config/load.js';
import { channelIndexOptions, envsDirs, parseChannels, resolvePrefix, solverBackend, targetPlatform } from '../context.js';
import { removeWholeEnvironment } from '../remove-environment.js';
import { collect, withChannelOptions, withOutputOptions, withPrefixOptions, type TransactionOptions } from '../options.js';
import type { Output } from '../output.js';

export interface InstallFlow {
  readonly mode: 'create' | 'install';
  readonly prefix: string;
  readonly platform: Platform;
  readonly specs: readonly string[];
  readonly files: FileRequest;
  /** Folder the pip section's relative paths are relative to. */
  readonly pipCwd?: string;
  readonly options: TransactionOptions;
  readonly config: TaipanConfig;
  /** `create --clone`: the prefix whose packages are copied. */
  readonly cloneFrom?: string;
  /** `update`: the names to move forward, or all of them. */
  readonly update?: readonly string[] | 'all';
  /** What conda-meta/history records when it is not the specs themselves (`--revision`). */
  readonly historySpecs?: { readonly updateSpecs: string[]; readonly removeSpecs: string[] };
}

/** The whole create/install path, shared with `env create` and `env update`. */
export async function runInstallFlow(output: Output, flow: InstallFlow): Promise<void> {
  const { options, config, files } = flow;
  announceLockWaits(output);
  const outcome = await applyTransaction(output, {
    prefix: flow.prefix,
    platform: flow.platform,
    request: planRequest(flow),
    options: { ...options, copy: options.copy || config.values.always_copy?.value === true },
    updateSpecs: flow.historySpecs?.updateSpecs ?? [...flow.specs, ...files.specs],
    removeSpecs: flow.historySpecs?.removeSpecs,
    config,
    register: flow.mode === 'create',
    variables: files.variables,
    pip: { requirements: files.pip, cwd: flow.pipCwd ?? process.cwd() },
  });
  if (outcome.changed && flow.mode === 'create' && !options.json) output.text(activationHint(flow.prefix, envsDirs(config)));
}

/** conda's closing words after create: how to step into the new environment, and out again. */
function activationHint(prefix: string, envsFolders: readonly string[]): string {
  const target = environmentName(prefix, envsFolders[0]) ?? shellWord(prefix);
  return `\nTo activate this environment, use\n\n    $ taipan activate ${target}\n\nTo deactivate an active environment, use\n\n    $ taipan deactivate\n\n`;
}

/** What `flow` asks the install service to plan (and plan again, when the prefix changed under it). */
function planRequest(flow: InstallFlow): PlanRequest {
  const { options, config, files } = flow;
  if (flow.cloneFrom) return { kind: 'clone', source: flow.cloneFrom };
  if (files.explicit.length > 0) {
    if (flow.specs.length > 0) throw new TaipanError('INVALID_ARGUMENT', 'an @EXPLICIT file cannot be combined with package specs');
    return { kind: 'explicit', mode: flow.mode, packages: files.explicit };
  }
  const channelNames = [...(options.channel ?? []), ...files.channels];
  return {
    kind: 'solve',
    channels: parseChannels(channelNames, config, options.overrideChannels),
    specs: [...flow.specs, ...files.specs],
    mode: flow.mode,
    noDeps: options.deps === false,
    forceReinstall: options.forceReinstall,
    prune: options.prune,
    channelPriority: channelPriority(config),
    update: flow.update,
    indexOptions: channelIndexOptions(config, { offline: options.offline }),
    updateModifier: options.freezeInstalled ? 'freeze-installed' : options.updateDeps ? 'update-deps' : undefined,
    onlyDeps: options.onlyDeps,
    addPipAsPythonDependency: setting(config, 'add_pip_as_python_dependency'),
    backend: solverBackend(config, options.solver),
    pinnedSpecs: setting(config, 'pinned_packages') ?? [],
  };
}

/** Checked against the setting's choices when it was read. */
function channelPriority(config: TaipanConfig): ChannelPriority | undefined {
  return setting(config, 'channel_priority') as ChannelPriority | undefined;
}

export function registerInstallCommands(program: Command, output: Output, config: () => TaipanConfig): void {
  announceHistoryWarnings(output);
  for (const mode of ['create', 'install'] as const) {
    withOutputOptions(withChannelOptions(withPrefixOptions(program.command(mode))))
      .description(mode === 'create' ? 'create a new environment from package specs' : 'install packages into an existing environment')
      .argument('[specs...]', 'package specs, e.g. zlib "numpy>=1.20" conda-forge::python=3.12')
      .option('--file <file>', 'read specs from a file: a spec list, an environment.yml or an @EXPLICIT file; repeatable', collect, [])
      .option('--no-deps', 'install only the named packages, not their dependencies')
      .option('--only-deps', 'install only the dependencies of the named packages')
      .option('--freeze-installed', 'do not change any installed package')
      .option('--update-deps', "also update the named packages' installed dependencies")
      .option('--no-update-deps', 'change installed dependencies only where needed (the default)')
      .option('--force-reinstall', 'relink the named packages even when they are installed')
      .option('--revision <n>', 'install: go back to revision N of the environment (see `taipan list --revisions`)')
      .option('--clone <env>', 'create: copy the packages of another environment (name or path)')
      .action(async (specs: string[], options: TransactionOptions & { revision?: string; clone?: string }) => {
        const settings = config();
        const platform = targetPlatform(options.platform);
        if (options.clone !== undefined) {
          if (mode !== 'create' || specs.length > 0) throw new TaipanError('INVALID_ARGUMENT', '--clone goes with `taipan create` and no specs');
          const source = options.clone.includes('/') || options.clone.includes('\\') ? path.resolve(options.clone) : resolvePrefix({ name: options.clone }, settings);
          const prefix = resolvePrefix(options, settings, process.env, true);
          await runInstallFlow(output, { mode, prefix, platform, specs: [], files: EMPTY_FILE_REQUEST, options, config: settings, cloneFrom: source });
          return;
        }
        if (options.revision !== undefined) {
          if (mode !== 'install' || specs.length > 0) throw new TaipanError('INVALID_ARGUMENT', '--revision goes with `taipan install` and no specs');
          const prefix = resolvePrefix(options, settings);
          const revisions = await readRevisions(prefix);
          const target = packagesAtRevision(revisions, Number(options.revision)).map(distToSpec);
          const historySpecs = revertSpecs(revisions, Number(options.revision));
          await runInstallFlow(output, { mode, prefix, platform, specs: target, files: EMPTY_FILE_REQUEST, options: { ...options, prune: true }, config: settings, historySpecs });
          return;
        }
        const files = options.file && options.file.length > 0 ? await readRequestFiles(options.file, platform) : EMPTY_FILE_REQUEST;
        const named = files.environments.find((e) => e.name)?.name;
        // create names its environment (conda's rule); install without -n/-p acts on the active one.
        const prefix = resolvePrefix(options.prefix || options.name || !named ? options : { name: named }, settings, process.env, mode === 'create');
        const pipCwd = options.file?.[0] ? path.dirname(path.resolve(options.file[0])) : undefined;
        await runInstallFlow(output, { mode, prefix, platform, specs, files, pipCwd, options, config: settings });
      });
  }

  withOutputOptions(withChannelOptions(withPrefixOptions(program.command('update'))))
    .alias('upgrade')
    .description('update installed packages to the newest versions the environment allows')
    .argument('[names...]', 'installed package names to update')
    .option('--all', 'update every installed package')
    .action(async (names: string[], options: TransactionOptions & { all?: boolean }) => {
      if (names.length === 0 && !options.all) throw new TaipanError('INVALID_ARGUMENT', 'name the packages to update, or use --all');
      if (names.length > 0 && options.all) throw new TaipanError('INVALID_ARGUMENT', 'give package names or --all, not both');
      const settings = config();
      const prefix = resolvePrefix(options, settings);
      const specs = names.map((n) => MatchSpec.parse(n).name);
      await runInstallFlow(output, {
        mode: 'install',
        prefix,
        platform: targetPlatform(options.platform),
        specs,
        files: EMPTY_FILE_REQUEST,
        options,
        config: settings,
        update: options.all ? 'all' : specs,
      });
    });

  withOutputOptions(withPrefixOptions(program.command('remove')))
    .alias('uninstall')
    .description('remove packages (and what depends on them) from an environment')
    .argument('[specs...]', 'names or specs of installed packages')
    .option('--all', 'remove the whole environment (conda\'s idiom for `env remove`)')
    .action(async (specs: string[], options: TransactionOptions & { all?: boolean }) => {
      const settings = config();
      const prefix = resolvePrefix(options, settings);
      if (options.all) {
        if (specs.length > 0) throw new TaipanError('INVALID_ARGUMENT', '--all removes the whole environment; give no package names with it');
        return removeWholeEnvironment(output, prefix, options, envsDirs(settings));
      }
      if (specs.length === 0) throw new TaipanError('INVALID_ARGUMENT', 'no packages to remove', { hint: 'name the packages, or pass --all to remove the whole environment' });
      announceLockWaits(output);
      await applyTransaction(output, {
        prefix,
        platform: targetPlatform(undefined),
        request: { kind: 'remove', specs },
        options,
        removeSpecs: specs,
        config: settings,
      });
    });
}

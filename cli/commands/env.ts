/** `taipan env create|update|export|list|remove`: environments described by files. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { TaipanError } from '../../channels/model/errors.js';
import { readRequestFiles } from '../../environments/env-file/request-files.js';
import { environmentYaml, exportEnvironment } from '../../environments/export.js';
import { announceHistoryWarnings } from '../history-warnings.js';
import { isEnvironment } from '../../environments/prefix/prefix-record.js';
import { listEnvironments } from '../../environments/registry.js';
import type { TaipanConfig } from '../config/load.js';
import { envsDirs, resolvePrefix, targetPlatform, type PrefixOptions } from '../context.js';
import { withChannelOptions, withOutputOptions, withPrefixOptions, type TransactionOptions } from '../options.js';
import type { Output } from '../output.js';
import { removeWholeEnvironment } from '../remove-environment.js';
import { runInstallFlow } from './install.js';
import { registerEnvVarCommands } from './shell.js';

interface EnvFileOptions extends Omit<TransactionOptions, 'file'> {
  file: string;
}

export function registerEnvCommands(program: Command, output: Output, config: () => TaipanConfig): void {
  announceHistoryWarnings(output);
  const env = program.command('env').description('manage environments described by environment.yml files');
  registerEnvVarCommands(env, output, config);

  for (const mode of ['create', 'update'] as const) {
    withOutputOptions(withChannelOptions(withPrefixOptions(env.command(mode))))
      .description(mode === 'create' ? 'create an environment from an environment.yml' : 'update an environment from an environment.yml')
      .option('-f, --file <file>', 'the environment file', 'environment.yml')
      .option('--prune', 'remove installed packages the file does not need (update only)')
      .action(async (options: EnvFileOptions) => {
        const settings = config();
        const platform = targetPlatform(options.platform);
        const files = await readRequestFiles([options.file], platform);
        const described = files.environments[0];
        for (const warning of described?.warnings ?? []) output.warn(warning);
        const target: PrefixOptions =
          options.prefix || options.name ? options : described?.name ? { name: described.name } : described?.prefix ? { prefix: described.prefix } : {};
        // create must name its environment; update falls back to the active one, as conda's does.
        if (mode === 'create' && !target.prefix && !target.name) {
          throw new TaipanError('INVALID_ARGUMENT', `'${options.file}' names no environment`, { hint: 'give one with -n NAME or -p PREFIX' });
        }
        const prefix = resolvePrefix(target, settings);
        await runInstallFlow(output, {
          mode: mode === 'create' ? 'create' : 'install',
          prefix,
          platform,
          specs: [],
          files,
          pipCwd: path.dirname(path.resolve(options.file)),
          options: { ...options, file: [options.file] },
          config: settings,
        });
      });
  }

  withPrefixOptions(env.command('export'))
    .description('print the environment as an environment.yml')
    .option('--from-history', 'only the specs that were asked for, not every package')
    .option('--no-builds', 'leave out build strings')
    .option('-f, --file <file>', 'write to this file instead of printing')
    .option('--json', 'print JSON')
    .action(async (options: PrefixOptions & { fromHistory?: boolean; builds?: boolean; file?: string; json?: boolean }) => {
      const prefix = resolvePrefix(options, config());
      await requireEnvironment(prefix);
      const exported = await exportEnvironment(prefix, { fromHistory: options.fromHistory, noBuilds: options.builds === false, name: options.name });
      if (options.json) return output.json(exported);
      const text = environmentYaml(exported);
      if (options.file) await writeFile(options.file, text);
      else output.text(text);
    });

  env
    .command('list')
    .description('list the known environments')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const envs = await listEnvironments(envsDirs(config()));
      if (options.json) return output.json({ envs: envs.map((e) => e.prefix) });
      const width = Math.max(4, ...envs.map((e) => (e.name ?? '').length));
      output.text(`# taipan environments:\n#\n${envs.map((e) => `${(e.name ?? '').padEnd(width)}  ${e.prefix}`).join('\n')}\n`);
    });

  withPrefixOptions(env.command('remove'))
    .description('remove an environment and everything in it')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print JSON')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (options: PrefixOptions & { yes?: boolean; json?: boolean }) => {
      await removeWholeEnvironment(output, resolvePrefix(options, config()), options, envsDirs(config()));
    });
}

async function requireEnvironment(prefix: string): Promise<void> {
  if (!(await isEnvironment(prefix))) {
    throw new TaipanError('PREFIX_NOT_FOUND', `'${prefix}' is not an environment (it has no conda-meta folder)`, {
      hint: 'see the known environments with `taipan env list`',
    });
  }
}

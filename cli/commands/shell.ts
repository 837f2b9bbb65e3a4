/**
 * `taipan shell hook|activate|deactivate`, `taipan run` and `taipan env config vars`:
 * using an environment without editing rc files.
 */
import { spawn } from 'node:child_process';
import os, { constants as osConstants } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { TaipanError } from '../../channels/model/errors.js';
import { currentPlatform } from '../../channels/model/platform.js';
import { activate, activatedEnvironment, deactivate, environmentName } from '../../environments/activation/activation.js';
import { readEnvVars, setEnvVars, unsetEnvVars } from '../../environments/activation/env-vars.js';
import { parseShell, renderChanges, scriptExtension, shellHook, shellWord, type ShellName } from '../../environments/activation/shells.js';
import { hookLine, initShell, reverseInitShell } from '../../environments/activation/shell-init.js';
import { isEnvironment } from '../../environments/prefix/prefix-record.js';
import type { TaipanConfig } from '../config/load.js';
import { envsDirs, resolvePrefix, type PrefixOptions } from '../context.js';
import { withPrefixOptions } from '../options.js';
import type { Output } from '../output.js';

/** How the shell hook calls this very installation of taipan. */
function selfCommand(): string {
  return `${shellWord(process.execPath)} ${shellWord(path.resolve(process.argv[1] ?? 'taipan'))}`;
}

/** `activate NAME`, `activate PATH`, or nothing: the configured `default_environment` (conda's base). */
async function resolveTarget(target: string | undefined, config: TaipanConfig): Promise<{ prefix: string; displayName: string }> {
  if (!target) {
    if (config.values.default_environment === undefined) {
      throw new TaipanError('INVALID_ARGUMENT', 'name the environment to activate', {
        hint: 'taipan activate NAME or taipan activate /path/to/env (or set `default_environment` in ~/.taipanrc)',
      });
    }
    // Not the active environment: activating with no name goes to the default, as conda's goes to base.
    const prefix = resolvePrefix({}, config, { ...process.env, CONDA_PREFIX: '' });
    return { prefix, displayName: environmentName(prefix, envsDirs(config)[0]) ?? prefix };
  }
  const looksLikePath = target.includes('/') || target.includes('\\') || target.startsWith('.');
  const prefix = looksLikePath ? path.resolve(target) : resolvePrefix({ name: target }, config);
  if (!looksLikePath && !(await isEnvironment(prefix))) {
    throw new TaipanError('PREFIX_NOT_FOUND', `no environment named '${target}' in ${envsDirs(config).map((d) => `'${d}'`).join(', ')}`, {
      hint: 'see the known environments with `taipan env list`',
    });
  }
  return { prefix, displayName: looksLikePath ? prefix : target };
}

/** config `changeps1` (default true): whether activation shows `(name) ` in the prompt. */
function changePrompt(config: TaipanConfig): boolean {
  return config.values.changeps1?.value !== false;
}

/** The shell the user is typing in, from $SHELL, for advice; bash when it is not one taipan knows. */
function userShell(): ShellName {
  try {
    return parseShell(path.basename(process.env.SHELL ?? 'bash'));
  } catch {
    return 'bash';
  }
}

export function registerShellCommands(program: Command, output: Output, config: () => TaipanConfig): void {
  const shell = program.command('shell').description('shell integration: hook, activate, deactivate');
  shell
    .command('hook')
    .description('print the shell function that makes `taipan activate` work; eval it in your shell')
    .option('-s, --shell <shell>', 'bash, zsh, fish, powershell or cmd', 'bash')
    .action((options: { shell: string }) => {
      output.text(shellHook(parseShell(options.shell), selfCommand()));
    });
  shell
    .command('activate')
    .description('print the commands that activate an environment in the given shell')
    .argument('[env]', 'environment name or path')
    .option('-s, --shell <shell>', 'bash, zsh, fish, powershell or cmd', 'bash')
    .option('--stack', 'keep the current environment on PATH below the new one')
    .action(async (target: string | undefined, options: { shell: string; stack?: boolean }) => {
      const shellName = parseShell(options.shell);
      const { prefix, displayName } = await resolveTarget(target, config());
      const changes = await activate(prefix, process.env, {
        platform: currentPlatform(),
        stack: options.stack,
        scriptExtension: scriptExtension(shellName),
        displayName,
        changePrompt: changePrompt(config()),
      });
      output.text(renderChanges(shellName, changes, 'activate'));
    });
  shell
    .command('deactivate')
    .description('print the commands that deactivate the current environment')
    .option('-s, --shell <shell>', 'bash, zsh, fish, powershell or cmd', 'bash')
    .action(async (options: { shell: string }) => {
      const shellName = parseShell(options.shell);
      const changes = await deactivate(process.env, { platform: currentPlatform(), scriptExtension: scriptExtension(shellName), changePrompt: changePrompt(config()) });
      output.text(renderChanges(shellName, changes, 'deactivate'));
    });

  // Typed as a plain command, `taipan activate` cannot change the shell it was typed in:
  // say how to load the shell function that can, instead of commander's "unknown command".
  for (const word of ['activate', 'deactivate'] as const) {
    program
      .command(word)
      .description(`${word} an environment in this shell (needs the shell hook: \`taipan init\`)`)
      .argument('[args...]')
      .allowUnknownOption()
      .helpOption(false)
      .action(() => {
        const shellName = userShell();
        throw new TaipanError('NO_SHELL_HOOK', `\`taipan ${word}\` changes the running shell, which needs taipan's shell function, and this shell has not loaded it`, {
          hint: `load it in this shell with \`${hookLine(shellName, 'taipan')}\`, or run \`taipan init --shell ${shellName}\` once and open a new shell`,
        });
      });
  }

  program
    .command('init')
    .description("add taipan's shell hook to your shell profile (reversible with --reverse)")
    .option('-s, --shell <shell>', 'bash, zsh, fish, powershell or cmd', 'bash')
    .option('--reverse', 'remove the block that init added')
    .action(async (options: { shell: string; reverse?: boolean }) => {
      const shellName = parseShell(options.shell);
      const home = process.env.HOME ?? os.homedir();
      const { file, changed } = options.reverse ? await reverseInitShell(shellName, home) : await initShell(shellName, home, selfCommand());
      output.text(
        changed
          ? `${options.reverse ? 'Removed taipan from' : 'Added taipan to'} '${file}'. Open a new shell for it to take effect.\n`
          : `'${file}' needed no change.\n`,
      );
    });

  withPrefixOptions(program.command('run'))
    .description('run a command in an environment (activated), passing its exit code through')
    .argument('<command...>', 'the command and its arguments')
    .passThroughOptions()
    .action(async (command: string[], options: PrefixOptions) => {
      const prefix = resolvePrefix(options, config());
      if (!(await isEnvironment(prefix))) throw new TaipanError('PREFIX_NOT_FOUND', `'${prefix}' is not an environment`);
      const platform = currentPlatform();
      const env = await activatedEnvironment(prefix, process.env, platform);
      process.exitCode = await runActivated(command, env, prefix);
    });
}

/**
 * Runs the command with the environment's variables; when the environment has activate.d
 * scripts they are sourced first by a POSIX shell, as `conda run` does.
 */
function runActivated(command: string[], env: NodeJS.ProcessEnv, prefix: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = command as [string, ...string[]];
    const script = `for f in "$CONDA_PREFIX"/etc/conda/activate.d/*.sh; do [ -f "$f" ] && . "$f"; done; exec "$@"`;
    const child =
      process.platform === 'win32'
        ? spawn(file, args, { env, stdio: 'inherit' })
        : spawn('/bin/sh', ['-c', script, 'taipan-run', file, ...args], { env, stdio: 'inherit' });
    child.on('error', (error) =>
      reject(new TaipanError('COMMAND_FAILED', `cannot run '${file}' in '${prefix}': ${error.message}`, { cause: error })),
    );
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1)));
  });
}

/** `taipan env config vars list|set|unset`, registered under the `env` command. */
export function registerEnvVarCommands(env: Command, output: Output, config: () => TaipanConfig): void {
  const vars = env.command('config').description('per-environment settings').command('vars').description('environment variables set on activation');
  withPrefixOptions(vars.command('list'))
    .option('--json', 'print JSON')
    .action(async (options: PrefixOptions & { json?: boolean }) => {
      const values = await readEnvVars(resolvePrefix(options, config()));
      if (options.json) return output.json(values);
      output.text(Object.entries(values).map(([k, v]) => `${k} = ${v}\n`).join(''));
    });
  withPrefixOptions(vars.command('set'))
    .argument('<assignments...>', 'NAME=VALUE pairs')
    .action(async (assignments: string[], options: PrefixOptions) => {
      const values: Record<string, string> = {};
      for (const item of assignments) {
        const at = item.indexOf('=');
        if (at <= 0) throw new TaipanError('INVALID_ARGUMENT', `'${item}' is not NAME=VALUE`);
        values[item.slice(0, at)] = item.slice(at + 1);
      }
      const prefix = resolvePrefix(options, config());
      if (!(await isEnvironment(prefix))) throw new TaipanError('PREFIX_NOT_FOUND', `'${prefix}' is not an environment`);
      await setEnvVars(prefix, values);
      output.text('To make your changes take effect please reactivate your environment\n');
    });
  withPrefixOptions(vars.command('unset'))
    .argument('<names...>', 'variable names')
    .action(async (names: string[], options: PrefixOptions) => {
      await unsetEnvVars(resolvePrefix(options, config()), names);
      output.text('To make your changes take effect please reactivate your environment\n');
    });
}

#!/usr/bin/env node
/**
 * The taipan command line. Commands only wire the modules together; a TaipanError is
 * printed as one short paragraph with its hint, and a stack trace only with --verbose.
 */
import { Command } from 'commander';
import { isTaipanError } from '../channels/model/errors.js';
import { nodeVersionWarning, TOOL_VERSION } from './context.js';
import { registerInstallCommands } from './commands/install.js';
import { registerListCommand } from './commands/list.js';
import { registerEnvCommands } from './commands/env.js';
import { registerShellCommands } from './commands/shell.js';
import { registerConfigCommand } from './commands/config.js';
import { registerInfoCommand } from './commands/info.js';
import { registerCleanCommand } from './commands/clean.js';
import { registerIndexCommand, registerSearchCommand } from './commands/index-search.js';
import { registerRenderCommand } from './commands/render.js';
import { registerBuildCommand } from './commands/build.js';
import { registerLockCommand } from './commands/lock.js';
import { registerPackCommands } from './commands/pack.js';
import { registerBundleCommand } from './commands/bundle.js';
import { registerServeCommand } from './commands/serve.js';
import { registerMirrorCommand } from './commands/mirror.js';
import { consoleOutput } from './output.js';
import { extractVerbose } from './verbose-flag.js';
import { loadConfig, type TaipanConfig } from './config/load.js';

export async function main(rawArgv: string[] = process.argv): Promise<number> {
  const { argv, verbose } = extractVerbose(rawArgv);
  const output = consoleOutput();
  const program = new Command('taipan')
    .description('a conda-compatible package and environment manager')
    .version(TOOL_VERSION, '-V, --version')
    .option('-v, --verbose', 'show stack traces of errors (accepted anywhere)')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .hook('preAction', (_root, command) => {
      output.quiet = Boolean(command.opts().quiet);
    });
  let config: TaipanConfig | undefined;
  const settings = (): TaipanConfig => (config ??= loadConfig());
  registerInstallCommands(program, output, settings);
  registerListCommand(program, output, settings);
  registerEnvCommands(program, output, settings);
  registerShellCommands(program, output, settings);
  registerConfigCommand(program, output);
  registerInfoCommand(program, output, settings);
  registerCleanCommand(program, output, settings);
  registerIndexCommand(program, output);
  registerSearchCommand(program, output, settings);
  registerRenderCommand(program, output);
  registerBuildCommand(program, output, settings);
  registerLockCommand(program, output, settings);
  registerPackCommands(program, output, settings);
  registerBundleCommand(program, output, settings);
  registerServeCommand(program, output, settings);
  registerMirrorCommand(program, output, settings);
  const nodeWarning = nodeVersionWarning();
  if (nodeWarning) output.warn(nodeWarning);
  try {
    await program.parseAsync(argv);
    // `taipan run` sets the exit code of the command it ran.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error, verbose, argv.includes('--json'));
  }
}

function reportError(error: unknown, verbose: boolean, json: boolean): number {
  const commanderCode = (error as { code?: string }).code;
  if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) {
    // commander already printed its message (or the help / version text).
    return (error as { exitCode?: number }).exitCode ?? 1;
  }
  if (json) {
    const body = isTaipanError(error) ? { success: false, error: error.toJSON() } : { success: false, error: { code: 'INTERNAL', message: String(error) } };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  }
  if (isTaipanError(error)) {
    process.stderr.write(`error: ${error.message}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
  process.stderr.write(`error: unexpected failure: ${(error as Error)?.message ?? String(error)}\n`);
  process.stderr.write(verbose ? `${(error as Error)?.stack ?? ''}\n` : 'hint: run again with --verbose for details, and report it\n');
  return 2;
}

main().then((code) => {
  process.exitCode = code;
});

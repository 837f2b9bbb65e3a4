#!/usr/bin/env node
/**
 * The taipan command line. Commands only wire the modules together; a TaipanError is
 * printed as one short paragraph with its hint, and a stack trace only with --verbose.
 */
import { Command } from 'commander';
import { isTaipanError } from '../channels/model/errors.js';
import { nodeVersionWarning, TOOL_VERSION } from './version.js';
import type { Output } from './output.js';
import { consoleOutput, dropOutputOnClosedPipe } from './output.js';
import { extractVerbose } from './verbose-flag.js';
import { stopOnSignals } from './interrupt.js';
import { setInvalidRecordListener } from '../environments/prefix/invalid-records.js';
import { loadConfig, type TaipanConfig } from './config/load.js';

type Register = (program: Command, output: Output, settings: () => TaipanConfig) => void;

/**
 * Each command's module, by the words that name it, in help order. Only the module of the
 * command being run is imported (the rest, for `--help` or an unknown word): a command
 * then loads its own dependencies only, so `taipan shell activate` or `list` does not pay
 * for the solver, the builder and the HTTP stack.
 */
const COMMANDS: readonly { readonly words: readonly string[]; readonly load: () => Promise<Register> }[] = [
  { words: ['create', 'install', 'update', 'upgrade', 'remove', 'uninstall'], load: async () => (await import('./commands/install.js')).registerInstallCommands },
  { words: ['list'], load: async () => (await import('./commands/list.js')).registerListCommand },
  { words: ['env'], load: async () => (await import('./commands/env.js')).registerEnvCommands },
  // After env: it adds `env config vars` to the env command.
  { words: ['shell', 'init', 'run', 'env'], load: async () => (await import('./commands/shell.js')).registerShellCommands },
  { words: ['config'], load: async () => (await import('./commands/config.js')).registerConfigCommand },
  { words: ['info'], load: async () => (await import('./commands/info.js')).registerInfoCommand },
  { words: ['clean'], load: async () => (await import('./commands/clean.js')).registerCleanCommand },
  { words: ['index'], load: async () => (await import('./commands/index-search.js')).registerIndexCommand },
  { words: ['search'], load: async () => (await import('./commands/index-search.js')).registerSearchCommand },
  { words: ['render'], load: async () => (await import('./commands/render.js')).registerRenderCommand },
  { words: ['build'], load: async () => (await import('./commands/build.js')).registerBuildCommand },
  { words: ['lock'], load: async () => (await import('./commands/lock.js')).registerLockCommand },
  { words: ['pack', 'unpack'], load: async () => (await import('./commands/pack.js')).registerPackCommands },
  { words: ['bundle'], load: async () => (await import('./commands/bundle.js')).registerBundleCommand },
  { words: ['serve'], load: async () => (await import('./commands/serve.js')).registerServeCommand },
  { words: ['mirror'], load: async () => (await import('./commands/mirror.js')).registerMirrorCommand },
];

/** The first word after the script that is not an option names the command. */
function commandWord(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((arg) => !arg.startsWith('-'));
}

const OWN_SIGNALS = new Set(['run', 'shell', 'init', 'serve']);
const CHANGES_ENVIRONMENTS = new Set(['create', 'install', 'update', 'upgrade', 'remove', 'uninstall', 'env']);

/** Where an interrupted command may hold a transaction: its -p/-n prefix, or a named environment (`env create -f`). */
async function candidatePrefixes(options: { prefix?: string; name?: string }, settings: () => TaipanConfig): Promise<string[]> {
  const { resolvePrefix, envsDirs } = await import('./context.js');
  const { readdirSync } = await import('node:fs');
  const path = await import('node:path');
  const found: string[] = [];
  try {
    found.push(resolvePrefix(options, settings()));
  } catch {
    // no prefix named: the named environments below are still looked at
  }
  let dirs: string[] = [];
  try {
    dirs = envsDirs(settings());
  } catch {
    // no readable config: the prefix above is all there is
  }
  for (const dir of dirs) {
    try {
      for (const entry of readdirSync(dir)) found.push(path.join(dir, entry));
    } catch {
      // no such envs folder
    }
  }
  return found;
}

async function registerCommands(program: Command, output: Output, settings: () => TaipanConfig, argv: readonly string[]): Promise<void> {
  const word = commandWord(argv);
  if (word === undefined && argv.some((arg) => arg === '-V' || arg === '--version')) return;
  const named = COMMANDS.filter((c) => word !== undefined && c.words.includes(word));
  for (const command of named.length > 0 ? named : COMMANDS) (await command.load())(program, output, settings);
}

export async function main(rawArgv: string[] = process.argv): Promise<number> {
  const { argv, verbose } = extractVerbose(rawArgv);
  dropOutputOnClosedPipe(process.stdout);
  dropOutputOnClosedPipe(process.stderr);
  const output = consoleOutput();
  warnOfInvalidRecords(output);
  const program = new Command('taipan')
    .description('a conda-compatible package and environment manager')
    .version(TOOL_VERSION, '-V, --version')
    .option('-v, --verbose', 'show stack traces of errors (accepted anywhere)')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .hook('preAction', (_root, command) => {
      output.quiet = Boolean(command.opts().quiet);
      actionOptions = command.opts();
    });
  let config: TaipanConfig | undefined;
  const settings = (): TaipanConfig => (config ??= loadConfig());
  let actionOptions: { prefix?: string; name?: string } = {};
  const word = commandWord(argv);
  // `run`, `shell` and `serve` leave Ctrl-C to the program they run (or handle it themselves).
  if (word === undefined || !OWN_SIGNALS.has(word)) {
    stopOnSignals({
      changesEnvironments: word !== undefined && CHANGES_ENVIRONMENTS.has(word),
      candidatePrefixes: () => candidatePrefixes(actionOptions, settings),
    });
  }
  await registerCommands(program, output, settings, argv);
  const nodeWarning = nodeVersionWarning();
  if (nodeWarning) output.warn(nodeWarning);
  try {
    await program.parseAsync(argv);
    // `taipan run` sets the exit code of the command it ran.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error, verbose, argv.includes('--json'), await environmentHint(error, actionOptions, settings));
  }
}

/** One warning per conda-meta file that is not a valid record (records are read several times). */
function warnOfInvalidRecords(output: Output): void {
  const told = new Set<string>();
  setInvalidRecordListener(({ file, problem }) => {
    if (told.has(file)) return;
    told.add(file);
    output.warn(`ignoring '${file}', which is not a valid installed-package record: ${problem}`);
  });
}

/** `-n scii` when `sci` exists: a hint naming it, for the errors that say an environment is missing. */
async function environmentHint(error: unknown, options: { name?: string }, settings: () => TaipanConfig): Promise<string | undefined> {
  if (!isTaipanError(error) || typeof options.name !== 'string') return undefined;
  if (error.code !== 'PREFIX_NOT_FOUND' && !error.message.includes('is not an environment')) return undefined;
  try {
    const { similarEnvironmentName } = await import('./context.js');
    const similar = similarEnvironmentName(options.name, settings());
    return similar === undefined ? undefined : `there is no environment named '${options.name}'; did you mean '${similar}'? (-n ${similar})`;
  } catch {
    return undefined;
  }
}

function reportError(error: unknown, verbose: boolean, json: boolean, extraHint?: string): number {
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
    if (extraHint) process.stderr.write(`hint: ${extraHint}\n`);
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

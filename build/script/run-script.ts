/**
 * Running a build (or test) script: written to a file, run by bash with `-e -x` as
 * conda-build does (cmd.exe for `.bat` files and on Windows; or the interpreter
 * rattler-build's `script.interpreter` names, or a script file's extension implies), after
 * a wrapper sources the activate.d scripts of the host and then the build environment (so
 * compilers set CC, CFLAGS, ...). Output is
 * streamed to the caller and appended to a log file; a failure names the log and quotes
 * its last lines.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { access, chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../../channels/model/errors.js';
import { shellQuote } from '../../channels/util/shell-quote.js';
import { lastLines } from '../run-tool.js';

export interface RunScriptOptions {
  /** Script lines, or a script file (absolute, or relative to `recipeDir`). */
  readonly script: readonly string[] | { readonly file: string };
  readonly recipeDir: string;
  /** Where the generated script files go. */
  readonly scriptDir: string;
  /** The base name of the generated files (`conda_build`, `run_test_0`). */
  readonly scriptName: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Environments whose activate.d scripts are sourced first, in order. */
  readonly activate: readonly string[];
  readonly logFile: string;
  /** What is run, for messages: "the build script of output 'zlib' (zlib-1.3-0) of recipe '…/meta.yaml'". */
  readonly what: string;
  /** The error code of a non-zero exit: BUILD_FAILED for build scripts, TEST_FAILED for tests. */
  readonly failureCode: 'BUILD_FAILED' | 'TEST_FAILED';
  /** rattler-build's interpreter name (python, perl, rscript, ...); default from the file's extension, else bash. */
  readonly interpreter?: string;
  readonly onOutput?: (text: string) => void;
}

const TAIL_LINES = 25;

/** Run the script; resolves when it exits 0, rejects with the log's tail otherwise. */
export async function runScript(options: RunScriptOptions): Promise<void> {
  const windows = process.platform === 'win32';
  const interpreter = interpreterOf(options, windows);
  await mkdir(options.scriptDir, { recursive: true });
  let command: string;
  if (interpreter.command === 'cmd') {
    if (!windows) {
      throw new TaipanError('COMMAND_FAILED', `cannot run ${options.what}: it is a Windows (cmd) script, and this is ${process.platform}`, {
        hint: 'build packages for win-* platforms on Windows',
      });
    }
    const scriptFile = Array.isArray(options.script) ? path.join(options.scriptDir, `${options.scriptName}_script.bat`) : await recipeScriptFile(options);
    if (Array.isArray(options.script)) await writeFile(scriptFile, `@echo on\r\n${(options.script as readonly string[]).join('\r\n')}\r\n`);
    command = scriptFile;
  } else if (interpreter.command === 'bash') {
    const scriptFile = path.join(options.scriptDir, `${options.scriptName}_script.sh`);
    await writeFile(scriptFile, await scriptBody(options));
    command = `bash -e -x ${shellQuote(scriptFile)}`;
  } else {
    const scriptFile = Array.isArray(options.script) ? path.join(options.scriptDir, `${options.scriptName}_script.${interpreter.extension}`) : await recipeScriptFile(options);
    if (Array.isArray(options.script)) await writeFile(scriptFile, `${(options.script as readonly string[]).join('\n')}\n`);
    command = `${interpreter.command} ${windows ? `"${scriptFile}"` : shellQuote(scriptFile)}`;
  }
  const wrapper = path.join(options.scriptDir, `${options.scriptName}.${windows ? 'bat' : 'sh'}`);
  await writeFile(wrapper, windows ? windowsWrapperText(options.activate, options.cwd, command, interpreter.command === 'cmd') : wrapperText(options.activate, options.cwd, command));
  if (!windows) await chmod(wrapper, 0o755);

  await mkdir(path.dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  let tail = '';
  const status = await new Promise<number>((resolve, reject) => {
    const [shell, args] = windows ? [options.env.ComSpec ?? options.env.COMSPEC ?? 'cmd.exe', ['/d', '/c', wrapper]] : ['bash', [wrapper]];
    const child = spawn(shell, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      log.write(chunk);
      // Only the end matters for the error message; keep a bounded window of it.
      tail = (tail + text).slice(-16_384);
      options.onOutput?.(text);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  await new Promise<void>((resolve) => log.end(resolve));
  if (status !== 0) {
    throw new TaipanError(options.failureCode, `${options.what} failed with exit code ${status}; the log is '${options.logFile}'. Its last lines:\n${lastLines(tail, TAIL_LINES)}`, {
      hint: `read the whole log in '${options.logFile}'; the work folder '${options.scriptDir}' is kept for a look`,
    });
  }
}

async function scriptBody(options: RunScriptOptions): Promise<string> {
  if (Array.isArray(options.script)) return `${(options.script as readonly string[]).join('\n')}\n`;
  // The recipe's own file is run in place (it may source siblings relative to itself).
  return `. ${shellQuote(await recipeScriptFile(options))}\n`;
}

async function recipeScriptFile(options: RunScriptOptions): Promise<string> {
  const file = path.resolve(options.recipeDir, (options.script as { file: string }).file);
  try {
    await access(file);
  } catch (error) {
    throw new TaipanError('INVALID_ARGUMENT', `the script file '${file}' of ${options.what} does not exist`, { cause: error });
  }
  return file;
}

/** rattler-build's interpreters: the program (found on the activated PATH, build environment first) and a script file's extension. */
const INTERPRETERS: Record<string, { command: string; extension: string }> = {
  bash: { command: 'bash', extension: 'sh' },
  python: { command: 'python', extension: 'py' },
  perl: { command: 'perl', extension: 'pl' },
  rscript: { command: 'Rscript', extension: 'R' },
  ruby: { command: 'ruby', extension: 'rb' },
  node: { command: 'node', extension: 'js' },
  nodejs: { command: 'node', extension: 'js' },
  nushell: { command: 'nu', extension: 'nu' },
  nu: { command: 'nu', extension: 'nu' },
  powershell: { command: 'pwsh', extension: 'ps1' },
};

/** cmd.exe runs `.bat` scripts, and script lines on Windows, as conda-build and rattler-build do there. */
const CMD = { command: 'cmd', extension: 'bat' };

function interpreterOf(options: RunScriptOptions, windows: boolean): { command: string; extension: string } {
  if (options.interpreter) {
    const known = INTERPRETERS[options.interpreter.toLowerCase()];
    if (!known) {
      throw new TaipanError('RECIPE', `${options.what} asks for the interpreter '${options.interpreter}', which taipan does not know`, {
        hint: `use one of ${Object.keys(INTERPRETERS).join(', ')}`,
      });
    }
    return known;
  }
  if (!Array.isArray(options.script)) {
    const extension = path.extname((options.script as { file: string }).file).slice(1).toLowerCase();
    if (extension === 'bat' || extension === 'cmd') return CMD;
    const byExtension = Object.values(INTERPRETERS).find((i) => i.extension.toLowerCase() === extension);
    if (byExtension) return byExtension;
  }
  return windows ? CMD : INTERPRETERS.bash!;
}

/**
 * The Windows wrapper: the environments' activate.d `.bat` scripts, then the script from
 * the work folder. A `.bat` is `call`ed so control comes back and its errorlevel is passed
 * on; another interpreter's command line is run as it is.
 */
export function windowsWrapperText(activate: readonly string[], cwd: string, command: string, batch: boolean): string {
  const lines = ['@echo off', 'rem Generated by taipan build: activate the environments, then run the script.'];
  for (const prefix of activate) {
    lines.push(`for %%f in ("${path.win32.join(prefix, 'etc', 'conda', 'activate.d')}\\*.bat") do call "%%f"`);
  }
  lines.push(`cd /d "${cwd}"`, batch ? `call "${command}"` : command, 'exit /b %ERRORLEVEL%', '');
  return lines.join('\r\n');
}

function wrapperText(activate: readonly string[], cwd: string, command: string): string {
  const lines = ['#!/bin/bash', '# Generated by taipan build: activate the environments, then run the script.'];
  for (const prefix of activate) {
    lines.push(`for f in ${shellQuote(path.join(prefix, 'etc', 'conda', 'activate.d'))}/*.sh; do`, '  if [ -f "$f" ]; then . "$f"; fi', 'done');
  }
  lines.push(`cd ${shellQuote(cwd)}`, `exec ${command}`, '');
  return lines.join('\n');
}


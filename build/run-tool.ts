/**
 * Running the system tools the builder relies on (git, patch, tar, unzip) and collecting
 * their output, so a failure can quote what the tool said. A missing tool is its own
 * error, naming the tool, rather than a bare ENOENT.
 */
import { spawn } from 'node:child_process';
import { TaipanError } from '../channels/model/errors.js';

export interface ToolResult {
  readonly status: number;
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
}

export interface ToolOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Run `command args` to completion; resolves with its exit status (never rejects on a non-zero exit). */
export function runTool(command: string, args: readonly string[], options: ToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new TaipanError('COMMAND_FAILED', `'${command}' is not installed (the builder needs it)`, { cause: error, hint: `install ${command} and put it on PATH` })
          : error,
      );
    });
    child.on('close', (code, signal) => resolve({ status: code ?? (signal ? 128 : 1), output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/** Run a tool that must succeed; a failure quotes the last lines of its output. */
export async function runToolChecked(command: string, args: readonly string[], what: string, options: ToolOptions = {}): Promise<string> {
  const result = await runTool(command, args, options);
  if (result.status !== 0) {
    throw new TaipanError('COMMAND_FAILED', `${what} failed: \`${command} ${args.join(' ')}\` exited with ${result.status}:\n${lastLines(result.output, 15)}`);
  }
  return result.output;
}

/** The last `count` non-empty lines of `text`, indented for an error message. */
export function lastLines(text: string, count: number): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-count)
    .map((l) => `  ${l}`)
    .join('\n');
}

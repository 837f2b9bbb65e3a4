/**
 * Running the real, built CLI (`dist/cli/main.js`, made by `npm test`'s build step) as a
 * separate process, the way a user runs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CLI = path.resolve(process.cwd(), 'dist', 'cli', 'main.js');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** An empty home, so the developer's own ~/.condarc and caches never leak into a test. */
const TEST_HOME = mkdtempSync(path.join(os.tmpdir(), 'taipan-home-'));
const removeTestHome = (): void => rmSync(TEST_HOME, { recursive: true, force: true });
// Jest loads this module once per test file: remove the home when that file is done.
if (typeof afterAll === 'function') afterAll(removeTestHome);
else process.once('exit', removeTestHome);

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd?: string): CliResult {
  if (!existsSync(CLI)) throw new Error(`'${CLI}' is missing: run \`npm run build\` first (npm test does)`);
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    ...(cwd ? { cwd } : {}),
    env: { ...process.env, HOME: TEST_HOME, USERPROFILE: TEST_HOME, ...env },
    timeout: 120_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** runCli without blocking this process, for tests whose HTTP server runs in it. */
export function runCliAsync(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`'${CLI}' is missing: run \`npm run build\` first (npm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, HOME: TEST_HOME, USERPROFILE: TEST_HOME, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

/** runCli that must succeed: its stdout, or an error carrying the command and its stderr. */
export function runCliOk(args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const result = runCli(args, env);
  if (result.status !== 0) throw new Error(`taipan ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

/**
 * Ctrl-C (SIGINT) and SIGTERM: stop at once and say in one line what became of the work.
 * Downloads, solves and repodata fetches change nothing a user sees. A transaction that
 * had begun changing a prefix is undone by its journal, here and now: the journal's own
 * repair runs in a child process while this one is frozen in `spawnSync` (so none of its
 * pending file operations can run alongside), then this process exits.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { condaMetaDir, prefixLockPath } from '../environments/prefix/prefix-files.js';

/** What the CLI knows of the running command, asked only when a signal comes. */
export interface InterruptContext {
  /** True for commands that change environments (create, install, remove, env ...). */
  readonly changesEnvironments: boolean;
  /** Folders the command may be changing: its -p/-n prefix, the named environments. */
  candidatePrefixes(): Promise<readonly string[]>;
}

const EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Handle SIGINT and SIGTERM for the rest of the process's life. */
export function stopOnSignals(context: InterruptContext): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    void stop(context, signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function stop(context: InterruptContext, signal: NodeJS.Signals): Promise<never> {
  const code = EXIT_CODES[signal] ?? 1;
  // A progress line may be open on the terminal: clear it so the message stands alone.
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  let line = 'interrupted';
  try {
    if (context.changesEnvironments) line = await undoTransactions(context);
  } catch (error) {
    line = `interrupted; repairing the environment failed (${(error as Error).message}): the next taipan command repairs it`;
  }
  process.stderr.write(`${line}\n`);
  process.exit(code);
}

/** Roll back the transaction this process is running, if any; the line to print. */
async function undoTransactions(context: InterruptContext): Promise<string> {
  // Loaded only now: a command that never took a lock has none to give back.
  const { holdsPrefixLock } = await import('../environments/lock.js');
  const held = (await context.candidatePrefixes()).filter((prefix) => holdsPrefixLock(prefix));
  if (held.length === 0) return 'interrupted: nothing was changed';
  const outcomes = held.map(repairInChild);
  if (outcomes.every((outcome) => outcome === 'none' || outcome === 'rolled-back')) {
    return outcomes.includes('rolled-back') ? 'interrupted: the transaction was rolled back; nothing was changed' : 'interrupted: nothing was changed';
  }
  if (outcomes.includes('finished')) return 'interrupted: the transaction had been committed, and it was completed';
  return `interrupted: the environment could not be repaired now; the next taipan command on '${held[0]}' repairs it`;
}

/**
 * The journal's repair for `prefix`, in a child that takes the prefix lock this process
 * gives up for it. Blocking on purpose: this process must not touch the prefix meanwhile.
 */
function repairInChild(prefix: string): string {
  rmSync(prefixLockPath(prefix), { recursive: true, force: true });
  const recover = new URL('../environments/transaction/recover.js', import.meta.url).href;
  const script = [
    // A second Ctrl-C reaches the whole process group: the repair finishes regardless.
    "process.on('SIGINT', () => {}); process.on('SIGTERM', () => {});",
    `const { recoverPrefix } = await import(${JSON.stringify(recover)});`,
    'process.stdout.write(await recoverPrefix(process.argv[1]));',
  ].join('\n');
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, prefix], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: path.dirname(fileURLToPath(import.meta.url)),
    // The test-only crash switches are for the interrupted run, not for its repair.
    env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TAIPAN_TEST_'))),
  });
  removeIfEmpty(condaMetaDir(prefix));
  removeIfEmpty(prefix);
  return child.status === 0 ? child.stdout.trim() : 'failed';
}

/** A new prefix interrupted before its first file is an empty folder: it goes. */
function removeIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // gone already, or not empty: either way nothing to do
  }
}

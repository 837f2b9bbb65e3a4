/**
 * The on-disk undo log of a transaction, so that a transaction killed at any point (power
 * cut, SIGKILL, a closed laptop) is repaired by the next run instead of leaving files
 * without records or records without files.
 *
 * Two files in conda-meta:
 * - `.taipan-transaction.json`, written atomically: the transaction exists, whether it has
 *   committed, and the history entry it appends when done.
 * - `.taipan-transaction.log`, append-only, one JSON line per file operation, written
 *   BEFORE the operation it describes (write-ahead). Each operation is reversible from its
 *   line alone: `create` (undo: remove the path) or `move` (undo: move it back). Nothing in
 *   the prefix is ever deleted before commit; removed and overwritten files are moved into
 *   `.taipan-trash/<id>/`, which commit empties.
 *
 * Undo and finish are idempotent, so a repair that is itself killed is simply redone.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomically } from '../../channels/util/fs.js';
import { condaMetaDir } from '../prefix/prefix-files.js';
import { TRASH_DIR } from '../../channels/model/prefix-layout.js';
import { appendHistory } from '../prefix/history.js';
import { countFileOperation } from './kill-hook.js';
import { testFaultPoint } from '../../channels/util/test-hooks.js';
import { pathExists } from '../../channels/util/fs.js';

/** The folder, under a prefix, where a transaction keeps what it moved out of the way. */
export { TRASH_DIR };
const STATE_FILE = '.taipan-transaction.json';
const LOG_FILE = '.taipan-transaction.log';

/** One line of the log; paths are relative to the prefix, with forward slashes. */
export type JournalEntry = { op: 'create'; path: string } | { op: 'move'; from: string; to: string };

interface JournalState {
  version: 1;
  id: string;
  pid: number;
  phase: 'running' | 'committed';
  /** Whether the prefix existed before; a failed `create` removes what it made. */
  prefixExisted: boolean;
  /** The conda-meta/history text to append once the transaction is done. */
  history: string;
}

/** What a repair found and did. */
export interface RecoveryResult {
  readonly outcome: 'none' | 'rolled-back' | 'finished';
  /** Set when the interrupted transaction had created the prefix and nothing of it is left. */
  readonly prefixWasNew?: boolean;
}

function statePath(prefix: string): string {
  return path.join(condaMetaDir(prefix), STATE_FILE);
}

function logPath(prefix: string): string {
  return path.join(condaMetaDir(prefix), LOG_FILE);
}

/** True when conda-meta holds a transaction's journal (running elsewhere, or interrupted). */
export async function journalExists(prefix: string): Promise<boolean> {
  for (const file of [statePath(prefix), logPath(prefix)]) {
    try {
      await lstat(file);
      return true;
    } catch {
      // look at the next
    }
  }
  return false;
}

/** The write-ahead journal of the running transaction. */
export class Journal {
  private trashCounter = 0;
  private closed = false;

  private constructor(
    readonly prefix: string,
    private readonly state: JournalState,
    private readonly fd: number,
  ) {}

  /**
   * Start a transaction's journal. The caller holds the prefix lock and has already
   * repaired any earlier interrupted transaction (so there is no journal yet).
   */
  static async begin(prefix: string, options: { prefixExisted: boolean; history: string }): Promise<Journal> {
    await mkdir(condaMetaDir(prefix), { recursive: true });
    const state: JournalState = {
      version: 1,
      id: `${process.pid}-${Date.now()}`,
      pid: process.pid,
      phase: 'running',
      prefixExisted: options.prefixExisted,
      history: options.history,
    };
    // The log exists (empty) before the state names the transaction, so a reader that
    // sees the state always finds a log.
    const fd = openSync(logPath(prefix), 'w');
    await writeJsonAtomically(statePath(prefix), state);
    return new Journal(prefix, state, fd);
  }

  private get trashDir(): string {
    return path.join(this.prefix, TRASH_DIR, this.state.id);
  }

  private relative(target: string): string {
    return path.relative(this.prefix, target).split(path.sep).join('/');
  }

  private write(entry: JournalEntry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }

  /**
   * Create `target` with `make` (which may also create its parent folders), logging it
   * first. `target` must not exist: move an old file away with `displace` before.
   */
  async create<T>(target: string, make: () => Promise<T>): Promise<T> {
    this.write({ op: 'create', path: this.relative(target) });
    testFaultPoint('link', 'open', target);
    const result = await make();
    countFileOperation();
    return result;
  }

  /** Log paths a tool outside this process (python's compileall) is about to create. */
  willCreate(targets: readonly string[]): void {
    for (const target of targets) this.write({ op: 'create', path: this.relative(target) });
  }

  /** Move `from` to `to` (both in the prefix), logging it first; `to` must not exist. */
  async move(from: string, to: string): Promise<void> {
    this.write({ op: 'move', from: this.relative(from), to: this.relative(to) });
    await mkdir(path.dirname(to), { recursive: true });
    await rename(from, to);
    countFileOperation();
  }

  /** Move an existing file or symlink into the trash; false when nothing (or a folder) is there. */
  async displace(target: string): Promise<boolean> {
    try {
      if ((await lstat(target)).isDirectory()) return false;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    await this.move(target, path.join(this.trashDir, String(this.trashCounter++)));
    return true;
  }

  /** Make the transaction final: mark it committed, then drop the trash and append history. */
  async commit(): Promise<void> {
    this.close();
    await writeJsonAtomically(statePath(this.prefix), { ...this.state, phase: 'committed' });
    await finish(this.prefix, { ...this.state, phase: 'committed' });
  }

  /** Undo every logged operation, newest first, and forget the transaction. */
  async rollback(): Promise<void> {
    this.close();
    await rollBack(this.prefix, await readLog(this.prefix));
    await forget(this.prefix, this.state.id);
  }

  private close(): void {
    if (this.closed) return;
    closeSync(this.fd);
    this.closed = true;
  }
}

/**
 * Repair the prefix after a transaction that was interrupted: finish it when it had
 * committed (only cleanup was left), roll it back otherwise. The caller holds the lock.
 */
export async function recoverJournal(prefix: string): Promise<RecoveryResult> {
  await removeStaleTempFiles(prefix);
  let state: JournalState;
  try {
    state = JSON.parse(await readFile(statePath(prefix), 'utf8')) as JournalState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // No state: a killed `begin` may have left an empty log, nothing else.
    await rm(logPath(prefix), { force: true });
    return { outcome: 'none' };
  }
  if (state.phase === 'committed') {
    await finish(prefix, state);
    return { outcome: 'finished' };
  }
  await rollBack(prefix, await readLog(prefix));
  await forget(prefix, state.id);
  return { outcome: 'rolled-back', prefixWasNew: !state.prefixExisted };
}

async function readLog(prefix: string): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await readFile(logPath(prefix), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    // A line cut short by the kill describes an operation that never started.
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      break;
    }
  }
  return entries;
}

async function rollBack(prefix: string, entries: readonly JournalEntry[]): Promise<void> {
  const abs = (relative: string): string => path.join(prefix, ...relative.split('/'));
  for (const entry of [...entries].reverse()) {
    if (entry.op === 'create') {
      const target = abs(entry.path);
      await removePath(target);
      await removeEmptyParents(path.dirname(target), prefix);
    } else {
      const from = abs(entry.from);
      const to = abs(entry.to);
      if (!(await pathExists(to))) continue; // never moved, or already moved back
      await removePath(from);
      await mkdir(path.dirname(from), { recursive: true });
      await rename(to, from);
      await removeEmptyParents(path.dirname(to), prefix);
    }
  }
}

/** Cleanup after commit; every step can run twice without harm. */
async function finish(prefix: string, state: JournalState): Promise<void> {
  await rm(path.join(prefix, TRASH_DIR, state.id), { recursive: true, force: true });
  await removeEmptyParents(path.join(prefix, TRASH_DIR), prefix);
  await appendHistory(prefix, state.history);
  await rm(logPath(prefix), { force: true });
  await rm(statePath(prefix), { force: true });
}

async function forget(prefix: string, id: string): Promise<void> {
  await rm(path.join(prefix, TRASH_DIR, id), { recursive: true, force: true });
  await removeEmptyParents(path.join(prefix, TRASH_DIR), prefix);
  await rm(logPath(prefix), { force: true });
  await rm(statePath(prefix), { force: true });
}

/** `writeJsonAtomically` temp files that a kill left between write and rename. */
async function removeStaleTempFiles(prefix: string): Promise<void> {
  const names = await readdir(condaMetaDir(prefix)).catch(() => [] as string[]);
  for (const name of names) {
    if (/\.tmp-\d+$/.test(name)) await rm(path.join(condaMetaDir(prefix), name), { force: true });
  }
}

async function removePath(target: string): Promise<void> {
  try {
    const info = await lstat(target);
    if (info.isDirectory()) await rmdir(target).catch(() => undefined);
    else await rm(target, { force: true });
  } catch {
    // already gone
  }
}


/** Remove empty folders from `dir` up to (not including) `stop`. */
export async function removeEmptyParents(dir: string, stop: string): Promise<void> {
  let current = dir;
  while (current.startsWith(stop + path.sep) && current !== stop) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    current = path.dirname(current);
  }
}

/**
 * The repair every command runs before it reads or changes a prefix: a transaction that
 * was interrupted (killed, power cut) is finished when it had committed and rolled back
 * otherwise, so the prefix is never seen half-changed.
 */
import { readdir, rmdir } from 'node:fs/promises';
import { withPrefixLock, type LockHolder } from '../lock.js';
import { condaMetaDir } from '../prefix/prefix-files.js';
import { journalExists, recoverJournal } from './journal.js';
import { pathExists } from '../../channels/util/fs.js';

/** True when `prefix` has the journal of a transaction that did not finish. */
export async function hasInterruptedTransaction(prefix: string): Promise<boolean> {
  return journalExists(prefix);
}

/**
 * Repair `prefix` after an interrupted transaction (finish or roll it back), holding its
 * lock. Every command that reads or changes a prefix calls this first. A prefix that the
 * interrupted transaction had created, and that is empty again, is removed.
 */
export async function recoverPrefix(prefix: string, options: { onLockWait?: (holder: LockHolder | undefined) => void } = {}): Promise<'none' | 'rolled-back' | 'finished'> {
  if (!(await pathExists(condaMetaDir(prefix)))) return 'none';
  const result = await withPrefixLock(prefix, () => recoverJournal(prefix), { onWait: options.onLockWait });
  if (result.prefixWasNew) {
    // Only folders that are empty go: anything else in the prefix stays.
    if ((await readdir(condaMetaDir(prefix)).catch(() => ['?'])).length === 0) await rmdir(condaMetaDir(prefix)).catch(() => undefined);
    await rmdir(prefix).catch(() => undefined);
  }
  return result.outcome;
}


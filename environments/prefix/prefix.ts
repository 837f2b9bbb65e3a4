/**
 * A prefix as a command sees it: opened once (the path made absolute, an interrupted
 * transaction repaired explicitly, under the lock), and its records read once per command
 * instead of once per reader. Its own paths are named in prefix-files.ts, the check of
 * paths payload may not touch is prefix-paths.ts.
 *
 * Reading never writes: the repair that used to hide inside the record reader happens here,
 * when the prefix is opened, and a transaction forgets the records it changes.
 */
import path from 'node:path';
import { holdsPrefixLock } from '../lock.js';
import { hasInterruptedTransaction, recoverPrefix } from '../transaction/recover.js';
import { isEnvironment, readPrefixRecords, type PrefixRecord } from './prefix-record.js';

/** Records read in this process, by absolute prefix; dropped whenever a transaction may change them. */
const recordsRead = new Map<string, Promise<PrefixRecord[]>>();

export class Prefix {
  private constructor(readonly path: string) {}

  /**
   * Open the prefix at `location` (which need not exist yet): when a transaction on it was
   * interrupted (killed, power cut), it is finished or rolled back first, so nothing reads
   * files without records or records without files.
   */
  static async open(location: string): Promise<Prefix> {
    const prefix = new Prefix(path.resolve(location));
    if (!holdsPrefixLock(prefix.path) && (await hasInterruptedTransaction(prefix.path))) {
      await recoverPrefix(prefix.path);
      forgetPrefixRecords(prefix.path);
    }
    return prefix;
  }

  /** A prefix is an environment when it has conda-meta/ (conda's own test). */
  isEnvironment(): Promise<boolean> {
    return isEnvironment(this.path);
  }

  /** The valid installed records, sorted by name; read once until a transaction changes them. */
  records(): Promise<PrefixRecord[]> {
    let read = recordsRead.get(this.path);
    if (read === undefined) {
      read = readPrefixRecords(this.path);
      recordsRead.set(this.path, read);
      read.catch(() => recordsRead.delete(this.path));
    }
    return read.then((records) => [...records]);
  }
}

/** Drop what was read of `prefix`'s records: a transaction is about to change them, or did. */
export function forgetPrefixRecords(prefix: string): void {
  recordsRead.delete(path.resolve(prefix));
}

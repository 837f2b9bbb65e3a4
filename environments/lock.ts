/**
 * One writer per prefix. Two taipan processes changing the same environment would
 * interleave their files and records, so each takes `conda-meta/.taipan.lock` first
 * (proper-lockfile: an atomic mkdir, kept fresh while held, taken over when stale).
 *
 * A lock left by a process that was killed is taken over at once when its owner is known
 * to be dead (same host, pid gone), rather than after proper-lockfile's stale timeout: the
 * next run after a crash should not sit waiting for a process that no longer exists.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { TaipanError } from '../channels/model/errors.js';
import { condaMetaDir, prefixLockPath } from './prefix/prefix-files.js';
import { isProcessAlive, writeFileAtomically } from '../channels/util/fs.js';
import { asDiskError } from '../channels/util/disk-errors.js';

export interface PrefixLockOptions {
  /** Called once when another process holds the lock and this one starts waiting. */
  readonly onWait?: (holder: LockHolder | undefined) => void;
  /** Give up after this long (ms); default 10 minutes. */
  readonly timeoutMs?: number;
}

/** Who holds a prefix lock, as far as its owner file says. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

const RETRY_MS = 200;

/** Retries before a wait is announced without knowing its holder (the owner file comes just after the lock). */
const ANNOUNCE_UNKNOWN_AFTER = 5;

/** Told about waits whose caller gave no `onWait` (a reader repairing a prefix first, say). */
let defaultOnWait: ((prefix: string, holder: LockHolder | undefined) => void) | undefined;

/** Set (or clear) the listener for lock waits no caller asked about; the CLI prints a line. */
export function setDefaultLockWaitListener(listener: ((prefix: string, holder: LockHolder | undefined) => void) | undefined): void {
  defaultOnWait = listener;
}

/** Prefixes whose lock this process holds (a reader inside a transaction must not wait for itself). */
const held = new Set<string>();

/** True when this process holds `prefix`'s lock right now. */
export function holdsPrefixLock(prefix: string): boolean {
  return held.has(path.resolve(prefix));
}

const lockPath = prefixLockPath;

function ownerPath(prefix: string): string {
  return `${lockPath(prefix)}-owner`;
}

/** Run `action` holding the prefix's lock (creating conda-meta when needed). */
export async function withPrefixLock<T>(prefix: string, action: () => Promise<T>, options: PrefixLockOptions = {}): Promise<T> {
  const release = await acquirePrefixLock(prefix, options);
  try {
    return await action();
  } finally {
    await release();
  }
}

/** Take the prefix's lock, waiting for another process when needed; returns the release. */
export async function acquirePrefixLock(prefix: string, options: PrefixLockOptions = {}): Promise<() => Promise<void>> {
  await mkdir(condaMetaDir(prefix), { recursive: true }).catch((error: unknown) => {
    throw asDiskError(error, `the environment '${prefix}'`, 'nothing was changed');
  });
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let recreated = 0;
  const onWait = options.onWait ?? (defaultOnWait && ((holder: LockHolder | undefined) => defaultOnWait?.(prefix, holder)));
  let announced = false;
  let tries = 0;
  for (;;) {
    try {
      const release = await lockfile.lock(condaMetaDir(prefix), {
        lockfilePath: lockPath(prefix),
        realpath: false,
        stale: 10_000,
        // A lost lock (its folder removed under us) is reported by the next writer's
        // consistency checks; throwing from a timer here would only crash the process.
        onCompromised: () => undefined,
      });
      const holder: LockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
      try {
        // Whole or not at all: an empty owner file (a full disk) would outlive the lock.
        await removeOwnerTemporaries(prefix);
        await writeFileAtomically(ownerPath(prefix), JSON.stringify(holder));
      } catch (error) {
        await release().catch(() => undefined);
        throw asDiskError(error, `the lock of the environment '${prefix}'`, 'nothing was changed');
      }
      held.add(path.resolve(prefix));
      return async () => {
        held.delete(path.resolve(prefix));
        await rm(ownerPath(prefix), { force: true });
        await release().catch(() => undefined);
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        // The prefix was removed while this process waited (a failed create of another taipan).
        // Retried at once the first time; after that at the pace and within the deadline of a wait.
        await mkdir(condaMetaDir(prefix), { recursive: true });
        if (recreated++ === 0) continue;
      } else if (code !== 'ELOCKED') {
        throw asDiskError(error, `the lock of the environment '${prefix}'`, 'nothing was changed');
      }
    }
    const holder = await readHolder(prefix);
    if (holder && holder.host === os.hostname() && !isProcessAlive(holder.pid)) {
      // Its owner was killed: the lock protects nothing any more.
      await rm(lockPath(prefix), { recursive: true, force: true });
      await rm(ownerPath(prefix), { force: true });
      continue;
    }
    if (!announced && (holder !== undefined || ++tries >= ANNOUNCE_UNKNOWN_AFTER)) {
      onWait?.(holder);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new TaipanError('PREFIX_LOCKED', `the environment '${prefix}' is locked by another taipan process${holder ? ` (pid ${holder.pid} on ${holder.host})` : ''}`, {
        hint: `wait for it to finish; if no taipan is running, remove '${lockPath(prefix)}'`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/** Owner files a killed holder was writing (they never became the owner file): only a holder writes one. */
async function removeOwnerTemporaries(prefix: string): Promise<void> {
  const stem = `${path.basename(ownerPath(prefix))}.tmp-`;
  for (const name of await readdir(condaMetaDir(prefix)).catch(() => [] as string[])) {
    if (name.startsWith(stem)) await rm(path.join(condaMetaDir(prefix), name), { force: true });
  }
}

async function readHolder(prefix: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(ownerPath(prefix), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}


/**
 * The line a command prints while another taipan holds the lock of the prefix it needs,
 * so a user sees why nothing moves and which process to look at.
 */
import os from 'node:os';
import { setDefaultLockWaitListener, type LockHolder } from '../environments/lock.js';
import type { Output } from './output.js';

export function lockWaitMessage(prefix: string, holder: LockHolder | undefined): string {
  const by = holder === undefined ? 'another taipan process' : `pid ${holder.pid}${holder.host === os.hostname() ? '' : ` on ${holder.host}`}`;
  return `waiting for the lock on '${prefix}' held by ${by}…`;
}

/** Print the line also for waits deep inside a command (reading a prefix repairs it first). */
export function announceLockWaits(output: Output): void {
  setDefaultLockWaitListener((prefix, holder) => output.warn(lockWaitMessage(prefix, holder)));
}

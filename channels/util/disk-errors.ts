/**
 * File-system failures that are the disk's or the permissions' fault, not taipan's nor the
 * package's: no space, quota, read-only file system, permission denied, I/O error. They
 * become DISK_ERROR with the path and a hint, instead of an "unexpected failure".
 */
import { TaipanError, isTaipanError } from '../model/errors.js';

const DISK_CODES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  EFBIG: 'the file is too large for the file system',
};

/** True for an operating-system error of writing to disk (see DISK_CODES). */
export function isDiskError(error: unknown): error is NodeJS.ErrnoException {
  if (isTaipanError(error) || !(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code in DISK_CODES && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/**
 * DISK_ERROR for `error` when it is a disk error, else `error` unchanged. `what` says what
 * was being written ("the package cache '/x/pkgs'"); `outcome` what state things are in.
 */
export function asDiskError(error: unknown, what: string, outcome: string): unknown {
  if (!isDiskError(error)) return error;
  const code = error.code as string;
  const where = error.path ? ` ('${error.path}')` : '';
  return new TaipanError('DISK_ERROR', `cannot write ${what}: ${DISK_CODES[code]} (${code}${where})`, {
    cause: error,
    hint: `${outcome}. ${code === 'ENOSPC' || code === 'EDQUOT' ? 'Free some space and run the command again' : code === 'EIO' ? 'Check the disk' : 'Check the permissions and mount options of that folder, or use another folder'}`,
  });
}

/** The operating-system error behind `error`: itself, or the cause of a DISK_ERROR made lower down. */
export function diskErrorCause(error: unknown): NodeJS.ErrnoException | undefined {
  if (isDiskError(error)) return error;
  if (isTaipanError(error) && error.code === 'DISK_ERROR' && isDiskError(error.cause)) return error.cause;
  return undefined;
}

/** True for a disk (or quota) with no room left: the folder written to is full, not broken. */
export function isFullDisk(error: NodeJS.ErrnoException | undefined): boolean {
  return error?.code === 'ENOSPC' || error?.code === 'EDQUOT';
}

/**
 * TEST-ONLY fault injection for the package cache and the repodata cache, in the spirit of
 * the linker's `TAIPAN_TEST_KILL_AFTER` (environments/transaction/kill-hook.ts). Both are
 * read from the environment and do nothing when unset; the reliability suite
 * (test/reliability) sets them on the child processes it starts. Never set them otherwise.
 *
 * - `TAIPAN_TEST_KILL_IN=<site>:<n>`: SIGKILL this process at the n-th operation of `site`
 *   (nothing, not even a `finally`, runs after it).
 * - `TAIPAN_TEST_FS_FAULT=<CODE>:<site>:<n>`: the n-th operation of `site` fails with the
 *   file-system error CODE (ENOSPC, EACCES, EROFS, EIO, EDQUOT), shaped exactly like the
 *   error node:fs throws (`code`, `errno`, `syscall`), as if the disk had refused a write.
 *
 * Sites (each counted separately, per process):
 * - `download`: a chunk of a package archive written to its temporary file;
 * - `extract`: a file, link or folder written while extracting a package into the cache;
 * - `cache`: a package cache entry being committed (archive renamed, record written);
 * - `repodata`: a chunk of a repodata file written to the repodata cache;
 * - `link`: a file created in a prefix by a transaction (before it is written).
 */
import os from 'node:os';

export type FaultSite = 'download' | 'extract' | 'cache' | 'repodata' | 'link';

const counters = new Map<FaultSite, number>();

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EACCES: 'permission denied',
  EROFS: 'read-only file system',
  EIO: 'i/o error',
  EDQUOT: 'disk quota exceeded',
};

/** Count one operation of `site`; dies or throws when the environment says so. */
export function testFaultPoint(site: FaultSite, syscall = 'write', target?: string, env: NodeJS.ProcessEnv = process.env): void {
  const kill = env.TAIPAN_TEST_KILL_IN;
  const fault = env.TAIPAN_TEST_FS_FAULT;
  if ((kill === undefined || kill === '') && (fault === undefined || fault === '')) return;
  const count = (counters.get(site) ?? 0) + 1;
  counters.set(site, count);
  if (kill) {
    const [killSite, n] = kill.split(':');
    if (killSite === site && Number(n) === count) process.kill(process.pid, 'SIGKILL');
  }
  if (fault) {
    const [code = 'EIO', faultSite, n] = fault.split(':');
    if (faultSite === site && Number(n) === count) throw errnoError(code, syscall, target);
  }
}

/** An Error shaped like node:fs's own. */
function errnoError(code: string, syscall: string, target: string | undefined): NodeJS.ErrnoException {
  const text = ERRNO_TEXT[code] ?? code.toLowerCase();
  const error = new Error(`${code}: ${text}, ${syscall}${target ? ` '${target}'` : ''}`) as NodeJS.ErrnoException;
  error.code = code;
  error.errno = -((os.constants.errno as Record<string, number>)[code] ?? 5);
  error.syscall = syscall;
  if (target) error.path = target;
  return error;
}

/**
 * Opening a file of the served folder so that nothing outside it is ever read: the file's
 * real path (every symlink, of the file and of its parent folders, resolved) must lie under
 * the folder's real path. Symlinks that stay inside are served; those that leave are not.
 * The file is opened without following a symlink and without blocking (a FIFO would
 * otherwise hang the request), must be a regular file, and on Linux its open descriptor is
 * asked where it really is, so a folder swapped for a symlink between the check and the
 * open is caught too. Callers answer `undefined` with the same 404 as a missing file.
 */
import { constants } from 'node:fs';
import { open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface OpenedFile {
  readonly handle: FileHandle;
  readonly size: number;
  readonly mtimeMs: number;
}

/** True when the real path `file` is the real folder `root` or lies under it. */
export function isInside(root: string, file: string): boolean {
  const prefix = root.endsWith(path.sep) ? root : `${root}${path.sep}`;
  return file === root || file.startsWith(prefix);
}

/** The regular file `root/…names`, opened, when its real path stays under `root` (a real path). */
export async function openInside(root: string, names: readonly string[]): Promise<OpenedFile | undefined> {
  let real: string;
  try {
    real = await realpath(path.join(root, ...names));
  } catch {
    return undefined;
  }
  if (real === root || !isInside(root, real)) return undefined;
  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const info = await handle.stat();
    if (info.isFile() && (await descriptorInside(root, handle))) return { handle, size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    // Unreadable: answered as missing.
  }
  await handle.close().catch(() => undefined);
  return undefined;
}

/** Where the open descriptor really points (Linux); elsewhere the real-path check above stands. */
async function descriptorInside(root: string, handle: FileHandle): Promise<boolean> {
  if (process.platform !== 'linux') return true;
  let where: string;
  try {
    where = await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return true;
  }
  return isInside(root, where);
}

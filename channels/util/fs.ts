/** Small file-system helpers that every layer above the data model shares. */
import { lstat, rename, rm, writeFile } from 'node:fs/promises';

/** True when something (file, folder or symlink, even a dangling one) is at `target`. */
export async function pathExists(target: string): Promise<boolean> {
  try {
    await lstat(target);
    return true;
  } catch {
    return false;
  }
}

/**
 * Write then rename, so a reader (or a crash) sees the whole file or none of it; a failed
 * write (a full disk) removes its temporary file, so it leaves nothing either.
 */
export async function writeFileAtomically(file: string, content: string | Uint8Array): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(temp, content);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

export async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  await writeFileAtomically(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Whether a process of this machine is alive (EPERM: alive, but not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

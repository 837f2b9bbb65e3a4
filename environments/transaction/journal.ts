/**
 * The undo log of a transaction. Files a transaction creates are recorded before they
 * exist; files it removes or overwrites are moved aside (never deleted) until the
 * transaction commits, so a failure at any point can put the prefix back as it was.
 */
import { lstat, mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';

export class FileJournal {
  private readonly created: string[] = [];
  private readonly displaced: { original: string; saved: string }[] = [];
  private readonly trashDir: string;
  private readonly prefix: string;
  private counter = 0;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.trashDir = path.join(prefix, '.taipan-trash', `${process.pid}-${Date.now()}`);
  }

  /** Record a path that is about to be created. */
  willCreate(target: string): void {
    this.created.push(target);
  }

  /** Move an existing file or symlink out of the way; false when nothing was there. */
  async displace(target: string): Promise<boolean> {
    try {
      const info = await lstat(target);
      if (info.isDirectory()) return false;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    await mkdir(this.trashDir, { recursive: true });
    const saved = path.join(this.trashDir, String(this.counter++));
    await rename(target, saved);
    this.displaced.push({ original: target, saved });
    return true;
  }

  /** Undo everything: remove what was created, put back what was moved aside. */
  async rollback(): Promise<void> {
    for (const target of [...this.created].reverse()) {
      try {
        const info = await lstat(target);
        if (info.isDirectory()) await rmdir(target).catch(() => undefined);
        else await rm(target, { force: true });
      } catch {
        // already gone
      }
      await removeEmptyParents(path.dirname(target), this.prefix);
    }
    for (const { original, saved } of [...this.displaced].reverse()) {
      await mkdir(path.dirname(original), { recursive: true });
      await rename(saved, original);
    }
    await this.dropTrash();
  }

  /** Make the transaction final: what was moved aside is deleted. */
  async commit(): Promise<void> {
    await this.dropTrash();
  }

  private async dropTrash(): Promise<void> {
    await rm(this.trashDir, { recursive: true, force: true });
    const parent = path.dirname(this.trashDir);
    if ((await readdir(parent).catch(() => ['?'])).length === 0) await rmdir(parent).catch(() => undefined);
  }
}

/** Remove empty folders from `dir` up to (not including) `stop`. */
export async function removeEmptyParents(dir: string, stop: string): Promise<void> {
  let current = dir;
  while (current.startsWith(stop) && current !== stop) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    current = path.dirname(current);
  }
}

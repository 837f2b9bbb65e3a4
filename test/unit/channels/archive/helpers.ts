/** Shared helpers of the archive tests: tree snapshots, reference extraction, a tiny pool. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the comparisons look at for one path. */
export interface NodeSnapshot {
  type: 'file' | 'dir' | 'symlink';
  sha256?: string;
  target?: string;
  executable?: boolean;
}

/** Relative path → snapshot, for every path under `root` (symlinks not followed). */
export async function snapshotTree(root: string): Promise<Map<string, NodeSnapshot>> {
  const out = new Map<string, NodeSnapshot>();
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(path.join(root, rel))).sort()) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const abs = path.join(root, childRel);
      const info = await lstat(abs);
      if (info.isSymbolicLink()) {
        out.set(childRel, { type: 'symlink', target: await readlink(abs) });
      } else if (info.isDirectory()) {
        out.set(childRel, { type: 'dir' });
        await walk(childRel);
      } else {
        const sha256 = createHash('sha256').update(await readFile(abs)).digest('hex');
        out.set(childRel, { type: 'file', sha256, executable: (info.mode & 0o100) !== 0 });
      }
    }
  };
  await walk('');
  return out;
}

/** Snapshot as a plain sorted object (readable jest diffs). */
export function asObject(tree: Map<string, NodeSnapshot>): Record<string, NodeSnapshot> {
  return Object.fromEntries([...tree.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Only the `info/` part of a snapshot. */
export function infoPart(tree: Map<string, NodeSnapshot>): Record<string, NodeSnapshot> {
  return asObject(new Map([...tree].filter(([p]) => p === 'info' || p.startsWith('info/'))));
}

/**
 * Extract with the system tools: `tar xjf` for .tar.bz2; `unzip` then `zstd -d | tar x` of
 * the `pkg-*` then `info-*` members (found by base name, the reader's documented choice).
 */
export async function referenceExtract(archive: string, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  if (archive.endsWith('.tar.bz2')) {
    await tolerateEmptySymlinks(run('tar', ['xjf', archive, '-C', dest]));
    return;
  }
  const unzipped = await mkdtemp(path.join(os.tmpdir(), 'taipan-ref-unzip-'));
  try {
    await run('unzip', ['-qq', archive, '-d', unzipped]);
    const { stdout } = await run('unzip', ['-Z1', archive]);
    const members = stdout.split('\n').filter((m) => m !== '' && !m.endsWith('/'));
    for (const prefix of ['pkg-', 'info-']) {
      for (const member of members.filter((m) => path.posix.basename(m).startsWith(prefix) && m.endsWith('.tar.zst'))) {
        await tolerateEmptySymlinks(run('sh', ['-c', 'zstd -dc "$1" | tar xf - -C "$2"', 'sh', path.join(unzipped, member), dest]));
      }
    }
  } finally {
    await rm(unzipped, { recursive: true, force: true });
  }
}

/**
 * GNU tar reports symlinks with an empty target (zlib-1.2.11-h1de35cc_3.conda has two),
 * skips them and exits 2 having extracted the rest: accept exactly that failure.
 */
async function tolerateEmptySymlinks(command: Promise<unknown>): Promise<void> {
  try {
    await command;
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '');
    const lines = stderr.split('\n').filter((line) => line !== '');
    const benign = (line: string): boolean => /Cannot create symlink to .{0,3}: No such file or directory|Exiting with failure status/.test(line);
    if (lines.length === 0 || !lines.every(benign)) throw err;
  }
}

/** Run `task` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  // allSettled: on a failure, let the other workers finish before reporting it, so that
  // the caller's cleanup does not race with extractions still writing.
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results;
}

/** A fresh temporary folder. */
export async function tempDir(label: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `taipan-${label}-`));
}

/**
 * Giving an output the files of its cache build (rattler-build's restore): the cache's
 * work folder is copied into the output's SRC_DIR, and the files its script added to
 * PREFIX into the output's host prefix, with the cache's prefix path rewritten to the
 * output's (both are padded to one length, so binaries keep their size). Absolute symlinks
 * into the cache's prefix are pointed into the output's. A file that a package of the
 * output's host environment already installed is left alone: it belongs to that package
 * (and may be a hard link into the package cache, which must never be written).
 */
import { chmod, cp, lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathExists } from '../../channels/util/fs.js';
import type { BuiltCache } from './build-cache.js';

/** The cache's work folder into `srcDir`, before the output's own sources go on top. */
export async function restoreWorkDir(built: BuiltCache, srcDir: string): Promise<void> {
  await mkdir(srcDir, { recursive: true });
  await cp(built.srcDir, srcDir, { recursive: true, verbatimSymlinks: true, force: true });
}

/** The cache's new prefix files into `hostPrefix`; returns the prefix-relative files written. */
export async function restorePrefixFiles(built: BuiltCache, hostPrefix: string): Promise<string[]> {
  const target = { hostPrefix };
  const written: string[] = [];
  for (const relative of built.files) {
    const from = path.join(built.hostPrefix, relative);
    const to = path.join(target.hostPrefix, relative);
    if (await pathExists(to)) continue;
    await mkdir(path.dirname(to), { recursive: true });
    const info = await lstat(from);
    if (info.isSymbolicLink()) {
      await symlink(retarget(await readlink(from), built.hostPrefix, target.hostPrefix), to);
    } else {
      await writeFile(to, rewritePrefix(await readFile(from), built.hostPrefix, target.hostPrefix));
      await chmod(to, info.mode & 0o7777);
    }
    written.push(relative);
  }
  return written;
}

/**
 * `data` with every occurrence of `from` replaced by `to`. Paths of equal length are
 * replaced anywhere; otherwise only in text (a binary would change its offsets).
 */
export function rewritePrefix(data: Buffer, from: string, to: string): Buffer {
  const needle = Buffer.from(from);
  if (from === to || data.indexOf(needle) < 0) return data;
  const replacement = Buffer.from(to);
  if (needle.length !== replacement.length && data.includes(0)) return data;
  const parts: Buffer[] = [];
  let start = 0;
  for (let at = data.indexOf(needle); at >= 0; at = data.indexOf(needle, start)) {
    parts.push(data.subarray(start, at), replacement);
    start = at + needle.length;
  }
  parts.push(data.subarray(start));
  return Buffer.concat(parts);
}

function retarget(link: string, fromPrefix: string, toPrefix: string): string {
  if (!path.isAbsolute(link)) return link;
  const inside = path.relative(fromPrefix, link);
  if (inside.startsWith('..') || path.isAbsolute(inside)) return link;
  return path.join(toPrefix, inside);
}

/**
 * Deterministic tarballs of a package folder, shared by both writers. The facts follow
 * rattler_package_streaming and conda-package-handling 2: `info/` first then the rest, each
 * part sorted by path component (rattler sorts `Path`s); one fixed mtime (rattler's
 * 2023-01-01T00:00:00Z by default); no uid/gid/user/group names (node-tar's `portable`);
 * symlinks stored as symlinks; permission bits kept (minus group/other write, which only
 * reflect the builder's umask); only files, symlinks and *empty* folders are listed —
 * conda packages do not carry folder entries, but an empty folder would otherwise be lost.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Pack } from 'tar';
import { TaipanError } from '../model/errors.js';
import { TAR } from '../util/libraries.js';

export interface WriteCommonOptions {
  /** mtime written for every entry; default 2023-01-01T00:00:00Z (rattler's fixed date). */
  mtime?: Date;
}

/** rattler's fixed timestamp for reproducible packages. */
export const DEFAULT_PACKAGE_MTIME = new Date(Date.UTC(2023, 0, 1, 0, 0, 0));

/** Relative POSIX paths of a package folder, split and ordered as they go into archives. */
export interface PackageFileList {
  /** Everything under `info/`, sorted. */
  info: string[];
  /** Everything else (the payload), sorted. */
  pkg: string[];
}

/** Compare two relative paths component by component, bytewise (Rust `Path` ordering). */
export function comparePackagePaths(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = Buffer.compare(Buffer.from(left[i] as string), Buffer.from(right[i] as string));
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

/** List a package folder: files, symlinks (not followed) and empty folders. */
export async function listPackageFiles(srcDir: string): Promise<PackageFileList> {
  const all: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let children: Dirent[];
    try {
      children = await readdir(path.join(srcDir, rel), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && rel === '') {
        throw new TaipanError('INVALID_ARGUMENT', `cannot write a package from '${srcDir}': the folder does not exist`);
      }
      throw err;
    }
    if (children.length === 0 && rel !== '') all.push(rel);
    for (const child of children) {
      const childRel = rel === '' ? child.name : `${rel}/${child.name}`;
      if (child.isDirectory()) await walk(childRel);
      else if (child.isFile() || child.isSymbolicLink()) all.push(childRel);
      else throw new TaipanError('INVALID_ARGUMENT', `cannot put '${path.join(srcDir, childRel)}' in a package: not a file, symlink or folder`);
    }
  };
  await walk('');
  const info = all.filter((p) => p === 'info' || p.startsWith('info/')).sort(comparePackagePaths);
  const pkg = all.filter((p) => !(p === 'info' || p.startsWith('info/'))).sort(comparePackagePaths);
  return { info, pkg };
}

/**
 * A tar stream of `paths` (relative to `srcDir`, in that order). node-tar's Pack emits
 * entries in the order they were added and writes pax headers for long names.
 */
export async function packTar(srcDir: string, paths: readonly string[], options: WriteCommonOptions = {}): Promise<Pack> {
  const { Pack } = await TAR.load();
  const pack = new Pack({
    cwd: srcDir,
    portable: true, // no uid/gid/uname/gname/atime/ctime; umask-independent modes
    mtime: options.mtime ?? DEFAULT_PACKAGE_MTIME,
    noDirRecurse: true, // only the listed (empty) folders, not their content twice
    follow: false, // symlinks stay symlinks
    strict: true,
  });
  for (const p of paths) pack.add(p);
  pack.end();
  return pack;
}

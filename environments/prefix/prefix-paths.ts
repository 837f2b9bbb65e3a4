/**
 * The one check every path that taipan writes into or removes from a prefix goes through,
 * whether it comes from a package (link) or from a conda-meta record (unlink): relative,
 * without `..`, not one of the files taipan keeps in the prefix, and, on disk, not leading
 * out of the prefix or into those files through a symlinked folder.
 *
 * Records and packages are hostile until checked: a record planted in conda-meta, or a user's
 * symlink inside the prefix, must never make taipan write or delete anything elsewhere.
 */
import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { isAbsoluteTarget, normalizeEntryPath, resolveLinkTargetLexically } from '../../channels/archive/entry-path.js';
import { reservedPayloadPath, reservedRecordPath } from '../../channels/model/prefix-layout.js';

/** Which list of reserved names applies: a package's payload, or what a record may list. */
export type PathOrigin = 'payload' | 'record';

/** Why a prefix-relative path may not be used, lexically; undefined when it may. */
export function lexicalPathProblem(relative: string, origin: PathOrigin): string | undefined {
  const checked = normalizeEntryPath(relative);
  if (!checked.ok) return checked.reason;
  if (checked.path === '') return 'the path names the environment folder itself';
  const reserved = origin === 'payload' ? reservedPayloadPath(checked.path) : reservedRecordPath(checked.path);
  return reserved === undefined ? undefined : `the path is inside '${reserved}', which belongs to the package manager, not to a package`;
}

/**
 * Why a symlink at prefix-relative `relative` may not point at `target`: absolute, climbing
 * out of the prefix, or into taipan's own files (writing through it would reach them).
 */
export function symlinkTargetProblem(relative: string, target: string): string | undefined {
  if (isAbsoluteTarget(target)) return `the symlink points at the absolute path '${target}'`;
  const resolved = resolveLinkTargetLexically(relative, target);
  if (resolved === undefined) return `the symlink to '${target}' leads out of the environment`;
  const reserved = reservedPayloadPath(resolved);
  return reserved === undefined ? undefined : `the symlink to '${target}' leads into '${reserved}', which belongs to the package manager`;
}

/**
 * Checks paths of one prefix lexically and on disk. The real path of each folder is looked
 * up once; {@link forget} drops what is known when the transaction makes a symlink or moves
 * a folder away, since either can change where a folder leads.
 */
export class PrefixPathGuard {
  readonly #prefix: string;
  #realPrefix: string | undefined;
  /** Absolute folder -> its real path relative to the real prefix ('' for the prefix). */
  readonly #folders = new Map<string, string>();

  constructor(prefix: string) {
    this.#prefix = path.resolve(prefix);
  }

  /** Why `relative` may not be written or removed in the prefix; undefined when it may. */
  problem(relative: string, origin: PathOrigin): string | undefined {
    const lexical = lexicalPathProblem(relative, origin);
    if (lexical !== undefined) return lexical;
    const clean = (normalizeEntryPath(relative) as { path: string }).path;
    const folder = this.#realFolder(path.posix.dirname(clean));
    if (folder === undefined) return 'a folder on the way is a symlink that leads out of the environment (or nowhere)';
    const real = folder.real === '' ? folder.rest : path.posix.join(folder.real, folder.rest);
    const reserved = origin === 'payload' ? reservedPayloadPath(real) : reservedRecordPath(real);
    if (reserved !== undefined) return `a folder on the way is a symlink into '${reserved}', which belongs to the package manager`;
    return undefined;
  }

  /** Forget the folders' real paths (after a symlink was made or a folder moved). */
  forget(): void {
    this.#folders.clear();
  }

  /**
   * The real path, relative to the real prefix, of the deepest existing folder of `relDir`,
   * and the part of `relDir` below it (made later as plain folders) joined with the base
   * name; undefined when the existing folder is outside the prefix.
   */
  #realFolder(relDir: string): { real: string; rest: string } | undefined {
    const missing: string[] = [];
    let current = relDir === '.' ? '' : relDir;
    for (;;) {
      const real = this.#realOf(current);
      if (real === null) return undefined;
      if (real !== undefined) return { real, rest: missing.join('/') };
      if (current === '') return { real: '', rest: missing.join('/') };
      missing.unshift(path.posix.basename(current));
      current = path.posix.dirname(current) === '.' ? '' : path.posix.dirname(current);
    }
  }

  /** Real prefix-relative path of an existing folder; undefined when missing, null when outside. */
  #realOf(relDir: string): string | null | undefined {
    const abs = relDir === '' ? this.#prefix : path.join(this.#prefix, relDir);
    const known = this.#folders.get(abs);
    if (known !== undefined) return known;
    let real: string;
    try {
      real = realpathSync.native(abs);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A dangling symlink is no folder to make later: where it would lead is unknown. A path too
      // long to name cannot exist, and creating it fails with a LINK_FAILED that says so.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return isSymlink(abs) ? null : undefined;
      if (code === 'ELOOP') return null;
      throw error;
    }
    this.#realPrefix ??= realpathSync.native(this.#prefix);
    const relative = path.relative(this.#realPrefix, real);
    if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return null;
    const posix = relative.split(path.sep).join('/');
    this.#folders.set(abs, posix);
    return posix;
  }
}

function isSymlink(abs: string): boolean {
  try {
    return lstatSync(abs).isSymbolicLink();
  } catch {
    return false;
  }
}

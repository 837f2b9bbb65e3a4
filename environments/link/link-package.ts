/**
 * Linking one extracted package's files into a prefix, following its info/paths.json: hard
 * links by default (the cache and the prefix then share inodes), a copy where a hard link
 * is impossible (another device, a file system without them) or the package says
 * `no_link`, a rewritten copy where a prefix placeholder must be replaced (long or spaced
 * shebangs then go through /usr/bin/env), symlinks kept as symlinks. Every path goes
 * through the transaction's journal, so it is undone if the transaction fails or dies.
 */
import { createHash } from 'node:crypto';
import { chmod, copyFile, link, lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../../channels/model/errors.js';
import { isNameTooLong } from '../../channels/archive/entry-path.js';
import type { PrefixPathEntry, LinkType } from '../prefix/prefix-record.js';
import type { Journal } from '../transaction/journal.js';
import { adHocSign, needsAdHocSignature } from './macos-codesign.js';
import { replacePrefixPlaceholder } from './placeholder.js';
import { relocateScript } from './shebang.js';
import { lexicalPathProblem, PrefixPathGuard, symlinkTargetProblem } from '../prefix/prefix-paths.js';

/** One entry of a package's info/paths.json. */
export interface PackagePathEntry {
  _path: string;
  path_type: 'hardlink' | 'softlink' | 'directory';
  sha256?: string;
  size_in_bytes?: number;
  file_mode?: 'text' | 'binary';
  prefix_placeholder?: string;
  no_link?: boolean;
}

/** Where one package path goes: its place in the prefix, or its clobbered copy's. */
export interface LinkTarget {
  readonly entry: PackagePathEntry;
  /** Prefix-relative destination (after noarch relocation and clobber decisions). */
  readonly target: string;
  /** Set when another package has the path: `target` is then under `__clobbers__/`. */
  readonly originalPath?: string;
}

export interface LinkOptions {
  /** Copy every file instead of hard-linking (`--copy`, `always_copy`). */
  readonly alwaysCopy?: boolean;
  /** Windows prefixes keep shebangs as they are. */
  readonly windows?: boolean;
  /** The transaction's path checks (one per transaction, so folders are resolved once). */
  readonly guard?: PrefixPathGuard;
}

export interface LinkResult {
  readonly paths: PrefixPathEntry[];
  readonly linkType: LinkType;
  /** Files no package owned that were in the way and were replaced (moved to the trash). */
  readonly replaced: string[];
}

const HARDLINK_FALLBACK_CODES = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK', 'EOPNOTSUPP']);

/** Link `targets` of the package extracted at `packageDir` into `prefix`. */
export async function linkPackage(
  packageDir: string,
  prefix: string,
  targets: readonly LinkTarget[],
  journal: Journal,
  options: LinkOptions = {},
): Promise<LinkResult> {
  const paths: PrefixPathEntry[] = [];
  const replaced: string[] = [];
  const entries = targets.map((t) => t.entry);
  let copied = false;
  const guard = options.guard ?? new PrefixPathGuard(prefix);
  for (const { entry, target: relative, originalPath } of targets) {
    const source = path.join(packageDir, entry._path);
    const target = path.join(prefix, relative);
    assertLinkable(guard, packageDir, entry._path, relative, originalPath);
    const recorded: PrefixPathEntry = { ...entry, _path: relative, ...(originalPath ? { original_path: originalPath } : {}) };
    try {
      if (entry.path_type === 'directory') {
        if (!(await isDirectory(target))) await journal.create(target, () => mkdir(target, { recursive: true }));
        paths.push(recorded);
        continue;
      }
      if (await journal.displace(target)) {
        replaced.push(relative);
        guard.forget(); // what was moved away may have been a folder something resolved through
      }
      await journal.create(target, async () => {
        await mkdir(path.dirname(target), { recursive: true });
        if (entry.path_type === 'softlink') {
          const linkTarget = await symlinkTarget(source, entry, entries);
          // Judged where the package put it: a clobbered copy keeps its target text unchanged.
          const problem = symlinkTargetProblem(originalPath ?? relative, linkTarget);
          if (problem !== undefined) throw unsafePackagePath(packageDir, entry._path, problem);
          await symlink(linkTarget, target);
          guard.forget();
        } else if (entry.prefix_placeholder) {
          const data = relocate(await readFile(source), entry, prefix, options.windows ?? false);
          await writeFile(target, data);
          await chmod(target, (await stat(source)).mode & 0o7777);
          let written = data;
          if (entry.file_mode === 'binary' && needsAdHocSignature(data)) {
            await adHocSign(target);
            written = await readFile(target); // the signature changed the bytes
          }
          recorded.sha256_in_prefix = createHash('sha256').update(written).digest('hex');
          copied = true;
        } else if (options.alwaysCopy || entry.no_link) {
          await copyFile(source, target);
          copied = true;
        } else {
          copied = (await hardLinkOrCopy(source, target)) || copied;
        }
      });
    } catch (error) {
      if (error instanceof TaipanError) throw error;
      if (isNameTooLong(error)) {
        throw new TaipanError('LINK_FAILED', `cannot link '${entry._path}' into '${prefix}': the full path is ${Buffer.byteLength(target)} bytes, longer than the file system allows (ENAMETOOLONG)`, {
          cause: error,
          hint: 'create the environment at a shorter path; the transaction was rolled back',
        });
      }
      throw new TaipanError('LINK_FAILED', `cannot link '${entry._path}' into '${prefix}': ${(error as Error).message}`, { cause: error });
    }
    paths.push(recorded);
  }
  return { paths, linkType: copied && options.alwaysCopy ? 3 : 1, replaced };
}

/** A placeholder file's bytes for this prefix; text files also get a runnable shebang. */
function relocate(data: Buffer, entry: PackagePathEntry, prefix: string, windows: boolean): Buffer {
  const placeholder = entry.prefix_placeholder as string;
  const mode = entry.file_mode ?? 'text';
  const replace = (d: Buffer): Buffer => replacePrefixPlaceholder(d, placeholder, prefix, mode);
  return mode === 'text' && !windows ? relocateScript(data, placeholder, prefix, replace) : replace(data);
}

/**
 * The target of a symlink entry. Some real packages (conda's own re-packed test archives)
 * store a declared softlink with an empty target or as an empty regular file; paths.json is
 * then the truth: its sha256 for the link is that of the file it points to, so the link is
 * rebuilt to the file of the same package with that hash, preferring the same folder.
 */
async function symlinkTarget(source: string, entry: PackagePathEntry, entries: readonly PackagePathEntry[]): Promise<string> {
  const stored = await readlink(source).catch(() => '');
  if (stored !== '') return stored;
  const candidates = entries.filter((e) => e.path_type === 'hardlink' && e.sha256 !== undefined && e.sha256 === entry.sha256);
  const folder = path.posix.dirname(entry._path);
  const best = candidates.find((e) => path.posix.dirname(e._path) === folder) ?? candidates[0];
  if (!best) {
    throw new TaipanError('LINK_FAILED', `the package's symlink '${entry._path}' has no target, and no file of the package matches its sha256`, {
      hint: 'the archive is damaged; report it to the channel that serves it',
    });
  }
  return path.posix.relative(folder, best._path);
}

/** Hard-links, or copies when the file system refuses; true when it copied. */
async function hardLinkOrCopy(source: string, target: string): Promise<boolean> {
  try {
    await link(source, target);
    return false;
  } catch (error) {
    if (!HARDLINK_FALLBACK_CODES.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    await copyFile(source, target);
    return true;
  }
}

async function isDirectory(target: string): Promise<boolean> {
  try {
    return (await lstat(target)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Refuse a package path that would land outside the prefix or on taipan's own files, on disk
 * too. A clobbered copy's place under `__clobbers__/` is taipan's choice, checked as a record path.
 */
function assertLinkable(guard: PrefixPathGuard, packageDir: string, declared: string, relative: string, originalPath: string | undefined): void {
  const problem =
    lexicalPathProblem(declared, 'payload') ??
    guard.problem(originalPath ?? relative, 'payload') ??
    (originalPath === undefined ? undefined : guard.problem(relative, 'record'));
  if (problem !== undefined) throw unsafePackagePath(packageDir, declared, problem);
}

/** UNSAFE_ARCHIVE_ENTRY naming the package (its cache folder) and the path. */
export function unsafePackagePath(packageDir: string, declared: string, problem: string): TaipanError {
  return new TaipanError('UNSAFE_ARCHIVE_ENTRY', `refusing to link '${declared}' of the package '${path.basename(packageDir)}': ${problem}`, {
    hint: 'the package is malformed or malicious; the transaction was rolled back and nothing outside it was touched',
  });
}

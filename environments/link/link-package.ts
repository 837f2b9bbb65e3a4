/**
 * Linking one extracted package into a prefix, following its info/paths.json: hard links
 * by default (the cache and the prefix then share inodes), a copy where a hard link is
 * impossible (another device, a file system without them) or the package says `no_link`,
 * a rewritten copy where a prefix placeholder must be replaced, symlinks kept as symlinks.
 * Every path is recorded in the transaction's journal before it is created, and a file
 * already there is moved aside rather than deleted, so a failed transaction can be undone.
 */
import { createHash } from 'node:crypto';
import { chmod, copyFile, link, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../../channels/model/errors.js';
import type { PrefixPathEntry, LinkType } from '../prefix/prefix-record.js';
import type { FileJournal } from '../transaction/journal.js';
import { replacePrefixPlaceholder } from './placeholder.js';

export interface PackagePathEntry {
  _path: string;
  path_type: 'hardlink' | 'softlink' | 'directory';
  sha256?: string;
  size_in_bytes?: number;
  file_mode?: 'text' | 'binary';
  prefix_placeholder?: string;
  no_link?: boolean;
}

export interface LinkOptions {
  /** Copy every file instead of hard-linking (`--copy`, `always_copy`). */
  alwaysCopy?: boolean;
  /** Maps a package-relative path to its place in the prefix (noarch: python). */
  targetPath?: (relative: string) => string;
}

export interface LinkResult {
  readonly paths: PrefixPathEntry[];
  readonly linkType: LinkType;
  /** Paths that another package had already put there and that this one replaced. */
  readonly clobbered: string[];
}

const HARDLINK_FALLBACK_CODES = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK', 'EOPNOTSUPP']);

export async function linkPackage(
  packageDir: string,
  prefix: string,
  entries: readonly PackagePathEntry[],
  journal: FileJournal,
  options: LinkOptions = {},
): Promise<LinkResult> {
  const paths: PrefixPathEntry[] = [];
  const clobbered: string[] = [];
  let copied = false;
  for (const entry of entries) {
    const relative = options.targetPath ? options.targetPath(entry._path) : entry._path;
    const source = path.join(packageDir, entry._path);
    const target = path.join(prefix, relative);
    assertInside(prefix, target, entry._path);
    await mkdir(path.dirname(target), { recursive: true });
    if (await journal.displace(target)) clobbered.push(relative);
    journal.willCreate(target);
    const recorded: PrefixPathEntry = { ...entry, _path: relative };
    try {
      if (entry.path_type === 'directory') {
        await mkdir(target, { recursive: true });
      } else if (entry.path_type === 'softlink') {
        await symlink(await symlinkTarget(source, entry, entries), target);
      } else if (entry.prefix_placeholder) {
        const data = replacePrefixPlaceholder(await readFile(source), entry.prefix_placeholder, prefix, entry.file_mode ?? 'text');
        await writeFile(target, data);
        await chmod(target, (await stat(source)).mode & 0o7777);
        recorded.sha256_in_prefix = createHash('sha256').update(data).digest('hex');
        copied = true;
      } else if (options.alwaysCopy || entry.no_link) {
        await copyFile(source, target);
        copied = true;
      } else {
        copied = (await hardLinkOrCopy(source, target)) || copied;
      }
    } catch (error) {
      if (error instanceof TaipanError) throw error;
      throw new TaipanError('LINK_FAILED', `cannot link '${entry._path}' into '${prefix}': ${(error as Error).message}`, { cause: error });
    }
    paths.push(recorded);
  }
  return { paths, linkType: copied && options.alwaysCopy ? 3 : 1, clobbered };
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

function assertInside(prefix: string, target: string, declared: string): void {
  const relative = path.relative(prefix, target);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new TaipanError('UNSAFE_ARCHIVE_ENTRY', `package path '${declared}' points outside the prefix '${prefix}'`);
  }
}

/**
 * Writes tar entries into a folder without ever touching anything outside it.
 *
 * Policy (refuse, never strip — a stripped path installs something the packager did not
 * write):
 * - names: no absolute paths, drive letters, `..` segments or NUL bytes;
 * - symlinks: the target must be relative and stay inside the folder, both lexically and
 *   when resolved on disk through the symlinks already extracted; all symlinks are checked
 *   again once the whole archive is written, because a later entry can change what an
 *   earlier link resolves to;
 * - hard links: the target must be a regular file extracted earlier, inside the folder;
 * - writing *through* a symlinked folder is allowed (tar does it, and packages with
 *   `lib/python3.1 -> python3.10` rely on it) only when the real path stays inside;
 * - an existing file or symlink at an entry's path is unlinked first (as tar does), so a
 *   write never follows it; replacing a folder by a non-folder is refused;
 * - device files and fifos are refused, and so are files with the setuid or setgid bit:
 *   no package needs to install a program that runs with its owner's rights.
 * Symlinks stay symlinks; file modes keep their permission bits (see {@link fileMode}).
 *
 * Metadata calls (lstat, mkdir, symlink, chmod...) and small-file writes are synchronous on
 * purpose: entries must be handled strictly in order, so async calls would only add a
 * thread-pool round trip to each of them (measured: 3-4x slower on packages with a
 * thousand symlinks such as ncurses), and each call is microseconds. Large files stream.
 */
import {
  closeSync,
  fchmodSync,
  futimesSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  realpathSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { ReadEntry } from 'tar';
import { TaipanError } from '../model/errors.js';
import { isAbsoluteTarget, isNameTooLong, normalizeEntryPath, resolveLinkTargetLexically } from './entry-path.js';
import { corruptArchive, entryPathTooLong, unsafeEntry } from './errors.js';
import { testFaultPoint } from '../util/test-hooks.js';

/** Kind of a path written by an extraction. */
export type ExtractedType = 'file' | 'directory' | 'symlink' | 'hardlink';

/** One path written by an extraction, relative to the target folder (POSIX separators). */
export interface ExtractedEntry {
  path: string;
  type: ExtractedType;
  /** Files and hard links: sha256 (hex) and size of the bytes written. */
  sha256?: string;
  size?: number;
}

/** Limits against decompression bombs and lying metadata, and paths the caller forbids. */
export interface WriterPolicy {
  /** Refuse the archive once its entries declare more than this many bytes in total. */
  maxTotalBytes?: number;
  /**
   * Why a root-relative path may not be written (or be a symlink's destination), or
   * undefined when it may: a package's payload may not hold the prefix's own files.
   */
  refusePath?: (relative: string) => string | undefined;
}

/** What `info/paths.json` declares about a regular file of the payload. */
interface DeclaredFile {
  size?: number;
  sha256?: string;
}

/** Files up to this size are buffered and written at once; larger ones are streamed. */
const SMALL_FILE = 4 * 1024 * 1024;

/** The symlink hop limit of Linux: a chain longer than this never resolves. */
const MAX_SYMLINK_HOPS = 40;

/**
 * Mode given to an extracted file: the archive's permission bits (setuid/setgid files are
 * refused before this; sticky is dropped) without group/other write (what a 022 umask gives), and always owner
 * read+write so the cache can later be rewritten or deleted. Executable bits are kept.
 */
export function fileMode(archiveMode: number | undefined): number {
  return ((archiveMode ?? 0o644) & 0o755) | 0o600;
}

export class SafeTreeWriter {
  /** Everything written, in archive order (a path written twice appears twice). */
  readonly entries: ExtractedEntry[] = [];
  readonly #root: string;
  readonly #archivePath: string;
  /** Folders reached from the root without crossing a symlink; they cannot change later. */
  readonly #realDirs = new Map<string, string>();
  readonly #symlinks: { path: string; target: string; member: string | undefined }[] = [];
  /** Non-folder paths written so far: a second entry for one of them is refused. */
  readonly #written = new Map<string, ExtractedEntry>();
  /** Regular files `info/paths.json` declares, once that file has been extracted. */
  #declared: Map<string, DeclaredFile> | undefined;
  readonly #limits: WriterPolicy;
  #totalBytes = 0;

  /**
   * @param root an existing, empty folder given as its real path (no symlinks in it).
   * @param archivePath only used in error messages.
   */
  constructor(root: string, archivePath: string, limits: WriterPolicy = {}) {
    this.#root = root;
    this.#archivePath = archivePath;
    this.#limits = limits;
  }

  /** True when a file, link or hard link was already written at the (raw) entry name. */
  has(raw: string): boolean {
    const checked = normalizeEntryPath(raw);
    return checked.ok && this.#written.has(checked.path);
  }

  /** Write one tar entry (reading its body for files). `member` names the .conda member in errors. */
  async write(entry: ReadEntry, member?: string): Promise<void> {
    try {
      await this.#write(entry, member);
    } catch (error) {
      if (!isNameTooLong(error)) throw error;
      const checked = normalizeEntryPath(entry.path);
      throw entryPathTooLong(this.#archivePath, entry.path, path.join(this.#root, checked.ok ? checked.path : ''), member, error);
    }
  }

  async #write(entry: ReadEntry, member: string | undefined): Promise<void> {
    const raw = entry.path;
    const checked = normalizeEntryPath(raw);
    if (!checked.ok) throw this.#unsafe(raw, checked.reason, member);
    const rel = checked.path;
    this.#checkAllowed(rel, raw, member);
    testFaultPoint('extract', 'open', path.join(this.#root, rel));
    const selfLink = entry.type === 'Link' && normalizeEntryPath(entry.linkpath ?? '').ok && (normalizeEntryPath(entry.linkpath ?? '') as { path: string }).path === rel;
    if (rel !== '' && this.#written.has(rel) && entry.type !== 'Directory' && entry.type !== 'GNUDumpDir' && !selfLink) {
      // tar would let the later entry win silently; which one a user gets must not depend on that.
      throw this.#unsafe(raw, 'the archive holds this path twice (duplicate entry)', member);
    }
    switch (entry.type) {
      case 'Directory':
      case 'GNUDumpDir':
        if (rel !== '') await this.#ensureDir(rel, raw, member, true);
        this.entries.push({ path: rel, type: 'directory' });
        return;
      case 'File':
      case 'OldFile':
      case 'ContiguousFile':
        if (rel === '') throw this.#unsafe(raw, 'a file entry names the target folder itself', member);
        await this.#file(rel, entry, member);
        return;
      case 'SymbolicLink':
        if (rel === '') throw this.#unsafe(raw, 'a symlink entry names the target folder itself', member);
        await this.#symlink(rel, entry, member);
        return;
      case 'Link':
        if (rel === '') throw this.#unsafe(raw, 'a hard link entry names the target folder itself', member);
        await this.#hardlink(rel, entry, member);
        return;
      case 'CharacterDevice':
      case 'BlockDevice':
      case 'FIFO':
        throw this.#unsafe(raw, `${entry.type} entries have no place in a package`, member);
      default:
        throw new TaipanError(
          'UNSUPPORTED_ARCHIVE',
          `package archive '${this.#archivePath}' entry '${raw}' has tar type '${entry.type}', which taipan does not extract`,
        );
    }
  }

  /**
   * Re-check every extracted symlink against the final tree: an earlier link can be made to
   * lead outside by later entries (e.g. `b -> c/..` written before `c -> .`).
   */
  async verify(): Promise<void> {
    for (const link of this.#symlinks) {
      if (!(await this.#resolvesInside(link.path, link.target))) {
        throw this.#unsafe(link.path, `symlink to '${link.target}' leads outside the target folder through other symlinks`, link.member);
      }
    }
    // info/paths.json must tell the truth about every regular file it lists and the archive holds.
    for (const [rel, declared] of this.#declared ?? []) {
      const written = this.#written.get(rel);
      if (written?.sha256 === undefined) continue;
      if (declared.size !== undefined && declared.size !== written.size) {
        throw corruptArchive(this.#archivePath, `info/paths.json says '${rel}' is ${declared.size} bytes, the archive holds ${written.size}`);
      }
      if (declared.sha256 !== undefined && declared.sha256.toLowerCase() !== written.sha256) {
        throw corruptArchive(this.#archivePath, `info/paths.json gives '${rel}' the sha256 ${declared.sha256}, the archive's file has ${written.sha256}`);
      }
    }
  }

  /** Refuse an entry whose size breaks the limits or contradicts info/paths.json, before reading it. */
  #checkSize(rel: string, entry: ReadEntry, member: string | undefined): void {
    const size = entry.size ?? 0;
    const declared = this.#declared?.get(rel)?.size;
    if (declared !== undefined && size !== declared) {
      throw corruptArchive(this.#archivePath, `the entry is ${size} bytes but info/paths.json declares ${declared}`, { member, entry: entry.path });
    }
    this.#totalBytes += size;
    const max = this.#limits.maxTotalBytes;
    if (max !== undefined && this.#totalBytes > max) {
      throw this.#unsafe(
        entry.path,
        `the archive unpacks to more than ${max} bytes (a decompression bomb?); this entry alone declares ${size} bytes`,
        member,
      );
    }
  }

  /** Remember what info/paths.json declares (an unreadable one is judged later by the metadata readers). */
  #learnPathsJson(data: Buffer): void {
    try {
      const parsed = JSON.parse(data.toString('utf8')) as { paths?: unknown };
      if (!Array.isArray(parsed.paths)) return;
      const declared = new Map<string, DeclaredFile>();
      for (const p of parsed.paths as Record<string, unknown>[]) {
        if (typeof p?._path !== 'string' || (p.path_type !== undefined && p.path_type !== 'hardlink')) continue;
        const checked = normalizeEntryPath(p._path);
        if (!checked.ok) continue;
        declared.set(checked.path, {
          ...(typeof p.size_in_bytes === 'number' ? { size: p.size_in_bytes } : {}),
          ...(typeof p.sha256 === 'string' && /^[0-9a-fA-F]{64}$/.test(p.sha256) ? { sha256: p.sha256 } : {}),
        });
      }
      this.#declared = declared;
    } catch {
      // not JSON: reported as PACKAGE_METADATA when the package is read
    }
  }

  async #file(rel: string, entry: ReadEntry, member: string | undefined): Promise<void> {
    const special = (entry.mode ?? 0) & 0o6000;
    if (special !== 0) {
      const bits = special === 0o6000 ? 'setuid and setgid bits' : special === 0o4000 ? 'setuid bit' : 'setgid bit';
      throw this.#unsafe(entry.path, `the file has the ${bits} set (mode ${(entry.mode ?? 0).toString(8)}); taipan does not install programs that run with another user's rights`, member);
    }
    this.#checkSize(rel, entry, member);
    const abs = await this.#leaf(rel, entry.path, member);
    const mode = fileMode(entry.mode);
    const hash = createHash('sha256');
    let size = 0;
    if (entry.size <= SMALL_FILE) {
      // Small files (most of a package): read the body, then write it in one go.
      const data = await entry.concat();
      hash.update(data);
      size = data.length;
      if (rel === 'info/paths.json') this.#learnPathsJson(data);
      // 'wx' (O_CREAT|O_EXCL): never opens through a symlink planted at this path.
      const fd = openSync(abs, 'wx', 0o600);
      try {
        let offset = 0;
        while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
        // chmod after creating: the mode given to open() is reduced by the process umask.
        fchmodSync(fd, mode);
        // Keep mtimes: Python validates .pyc files against the source's mtime.
        if (entry.mtime !== undefined) futimesSync(fd, entry.mtime, entry.mtime);
      } finally {
        closeSync(fd);
      }
    } else {
      const handle = await open(abs, 'wx', 0o600);
      try {
        // Iterating the entry (a Minipass stream) keeps node-tar's parser flowing; piping it
        // into a Writable through stream.pipeline stalled the parser's drain signal.
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          hash.update(chunk);
          size += chunk.length;
          let offset = 0;
          while (offset < chunk.length) offset += (await handle.write(chunk, offset, chunk.length - offset)).bytesWritten;
        }
        await handle.chmod(mode);
        if (entry.mtime !== undefined) await handle.utimes(entry.mtime, entry.mtime);
      } finally {
        await handle.close();
      }
    }
    const written: ExtractedEntry = { path: rel, type: 'file', sha256: hash.digest('hex'), size };
    this.#written.set(rel, written);
    this.entries.push(written);
  }

  async #symlink(rel: string, entry: ReadEntry, member: string | undefined): Promise<void> {
    const target = entry.linkpath ?? '';
    if (target === '') throw corruptArchive(this.#archivePath, 'symlink without a target', { member, entry: entry.path });
    if (target.includes('\0')) throw this.#unsafe(entry.path, 'symlink target contains a NUL byte', member);
    if (isAbsoluteTarget(target)) {
      throw this.#unsafe(entry.path, `symlink to the absolute path '${target}' points outside the target folder`, member);
    }
    if (resolveLinkTargetLexically(rel, target) === undefined || !(await this.#resolvesInside(rel, target))) {
      throw this.#unsafe(entry.path, `symlink to '${target}' points outside the target folder`, member);
    }
    this.#checkAllowed(resolveLinkTargetLexically(rel, target) as string, entry.path, member, `symlink to '${target}' leads into`);
    const abs = await this.#leaf(rel, entry.path, member);
    symlinkSync(target, abs);
    this.#symlinks.push({ path: rel, target, member });
    const written: ExtractedEntry = { path: rel, type: 'symlink' };
    this.#written.set(rel, written);
    this.entries.push(written);
  }

  async #hardlink(rel: string, entry: ReadEntry, member: string | undefined): Promise<void> {
    const rawTarget = entry.linkpath ?? '';
    const checked = normalizeEntryPath(rawTarget);
    if (!checked.ok) throw this.#unsafe(entry.path, `hard link to '${rawTarget}': ${checked.reason}`, member);
    if (checked.path === '') throw this.#unsafe(entry.path, 'hard link to the target folder itself', member);
    if (checked.path === rel) return; // a link to itself changes nothing
    const targetAbs = realpathOrUndefined(path.join(this.#root, checked.path));
    if (targetAbs === undefined) {
      throw corruptArchive(this.#archivePath, `hard link to '${rawTarget}', which the archive did not contain before it`, {
        member,
        entry: entry.path,
      });
    }
    if (!this.#inside(targetAbs)) throw this.#unsafe(entry.path, `hard link to '${rawTarget}' leads outside the target folder`, member);
    if (!lstatSync(targetAbs).isFile()) {
      throw this.#unsafe(entry.path, `hard link to '${rawTarget}', which is not a regular file`, member);
    }
    const abs = await this.#leaf(rel, entry.path, member);
    linkSync(targetAbs, abs);
    const source = this.#written.get(checked.path);
    const written: ExtractedEntry = { path: rel, type: 'hardlink', ...(source?.sha256 !== undefined ? { sha256: source.sha256, size: source.size } : {}) };
    this.#written.set(rel, written);
    this.entries.push(written);
  }

  /** The absolute path to create an entry at: parent folders made, nothing left at the path. */
  async #leaf(rel: string, raw: string, member: string | undefined): Promise<string> {
    const parent = await this.#ensureDir(path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel), raw, member, false);
    const abs = path.join(parent, path.posix.basename(rel));
    const existing = lstatOrUndefined(abs);
    if (existing?.isDirectory()) {
      throw corruptArchive(this.#archivePath, `the entry would replace the folder '${rel}' extracted before it`, { member, entry: raw });
    }
    if (existing !== undefined) unlinkSync(abs);
    return abs;
  }

  /**
   * Make sure folder `rel` exists and return its real absolute path. Existing symlinked
   * folders are followed only when their real path is inside the root. When `asEntry` (a
   * directory entry) and `rel` itself is a symlink, it is replaced by a folder, as tar does.
   */
  async #ensureDir(rel: string, raw: string, member: string | undefined, asEntry: boolean): Promise<string> {
    if (rel === '') return this.#root;
    const known = this.#realDirs.get(rel);
    if (known !== undefined) return known;
    const segments = rel.split('/');
    let abs = this.#root;
    let direct = true; // no symlink crossed so far
    let sofar = '';
    for (const [index, segment] of segments.entries()) {
      sofar = sofar === '' ? segment : `${sofar}/${segment}`;
      const cached = direct ? this.#realDirs.get(sofar) : undefined;
      if (cached !== undefined) {
        abs = cached;
        continue;
      }
      const candidate = path.join(abs, segment);
      const info = lstatOrUndefined(candidate);
      if (info === undefined || (info.isSymbolicLink() && asEntry && index === segments.length - 1)) {
        if (info !== undefined) unlinkSync(candidate);
        mkdirSync(candidate);
      } else if (info.isSymbolicLink()) {
        const real = realpathOrUndefined(candidate);
        if (real === undefined) throw this.#unsafe(raw, `'${sofar}' is a symlink to a folder that does not exist`, member);
        if (!this.#inside(real)) throw this.#unsafe(raw, `'${sofar}' is a symlink leading outside the target folder`, member);
        this.#checkAllowed(path.relative(this.#root, real).split(path.sep).join('/'), raw, member, `'${sofar}' is a symlink leading into`);
        if (!statSync(real).isDirectory()) {
          throw corruptArchive(this.#archivePath, `'${sofar}' is a symlink to a file, not a folder`, { member, entry: raw });
        }
        abs = real;
        direct = false;
        continue;
      } else if (!info.isDirectory()) {
        throw corruptArchive(this.#archivePath, `'${sofar}' was extracted as a file but is used as a folder`, { member, entry: raw });
      }
      abs = candidate;
      if (direct) this.#realDirs.set(sofar, candidate);
    }
    return abs;
  }

  /**
   * Resolve `target` from the folder of the link at `linkRel` on disk, following the
   * symlinks that exist, lexically past the first missing component; false when it climbs
   * above the root or meets an absolute symlink.
   */
  async #resolvesInside(linkRel: string, target: string): Promise<boolean> {
    const stack: string[] = [];
    let pending = [...linkRel.split('/').slice(0, -1), ...target.split(/[\\/]/)];
    let hops = 0;
    let missing = false;
    while (pending.length > 0) {
      const segment = pending.shift() as string;
      if (segment === '' || segment === '.') continue;
      if (segment === '..') {
        if (stack.length === 0) return false;
        stack.pop();
        continue;
      }
      stack.push(segment);
      // Folders made by this extraction without crossing a symlink stay real folders.
      if (missing || this.#realDirs.has(stack.join('/'))) continue;
      const abs = path.join(this.#root, ...stack);
      const info = lstatOrUndefined(abs);
      if (info === undefined) {
        missing = true;
      } else if (info.isSymbolicLink()) {
        // A chain longer than the OS follows never resolves, so it cannot lead anywhere.
        if (++hops > MAX_SYMLINK_HOPS) return true;
        const next = readlinkSync(abs);
        if (isAbsoluteTarget(next)) return false;
        stack.pop();
        pending = [...next.split(/[\\/]/), ...pending];
      }
    }
    return true;
  }

  /** Refuse a path the policy forbids; `how` says how the entry reaches it. */
  #checkAllowed(rel: string, raw: string, member: string | undefined, how = 'the entry is inside'): void {
    const reason = rel === '' ? undefined : this.#limits.refusePath?.(rel);
    if (reason !== undefined) throw this.#unsafe(raw, `${how} ${reason}`, member);
  }

  #inside(abs: string): boolean {
    return abs === this.#root || abs.startsWith(this.#root + path.sep);
  }

  #unsafe(entry: string, reason: string, member: string | undefined): TaipanError {
    return unsafeEntry(this.#archivePath, entry, reason, member);
  }
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (err) {
    // A path too long to name cannot exist; creating it then fails with the same ENAMETOOLONG, reported by write().
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || isNameTooLong(err)) return undefined;
    throw err;
  }
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return undefined;
    throw err;
  }
}

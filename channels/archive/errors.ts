/**
 * Error constructors shared by the archive readers and writers, so every message has the
 * same shape: the archive path, the member/entry concerned, then what is wrong.
 */
import { TaipanError } from '../model/errors.js';

/** Where inside an archive a problem was found: a `.conda` zip member and/or a tar entry. */
export interface ArchiveLocation {
  /** Zip member of a `.conda`, e.g. `pkg-zlib-1.2.11-h7b6447c_3.tar.zst`. */
  member?: string;
  /** Path of the tar entry as written in the archive. */
  entry?: string;
}

function where(archivePath: string, at: ArchiveLocation): string {
  const parts = [`'${archivePath}'`];
  if (at.member !== undefined) parts.push(`member '${at.member}'`);
  if (at.entry !== undefined) parts.push(`entry '${at.entry}'`);
  return parts.join(', ');
}

/** CORRUPT_ARCHIVE: the bytes are not a readable package (bad compression, truncated, ...). */
export function corruptArchive(archivePath: string, detail: string, at: ArchiveLocation = {}, cause?: unknown): TaipanError {
  return new TaipanError('CORRUPT_ARCHIVE', `corrupt package archive ${where(archivePath, at)}: ${detail}`, {
    hint: 'delete the file and download it again',
    cause,
  });
}

/** UNSAFE_ARCHIVE_ENTRY: an entry would write outside the target folder or is a device/fifo. */
export function unsafeEntry(archivePath: string, entry: string, detail: string, member?: string): TaipanError {
  return new TaipanError(
    'UNSAFE_ARCHIVE_ENTRY',
    `refusing unsafe entry in package archive ${where(archivePath, { member, entry })}: ${detail}`,
    { hint: 'the package is malformed or malicious; nothing was extracted' },
  );
}

/**
 * UNSUPPORTED_ARCHIVE: the file system refused an entry's full path as too long (ENAMETOOLONG):
 * the entry is fine lexically, but the folder it is extracted under makes the path too long.
 */
export function entryPathTooLong(archivePath: string, entry: string, fullPath: string, member?: string, cause?: unknown): TaipanError {
  return new TaipanError(
    'UNSUPPORTED_ARCHIVE',
    `cannot extract ${where(archivePath, { member, entry })}: its full path '${fullPath.slice(0, 80)}…' is ${Buffer.byteLength(fullPath)} bytes, longer than the file system allows (ENAMETOOLONG)`,
    { hint: 'use a package cache with a shorter path (pkgs_dirs, or TAIPAN_PKGS_DIRS); nothing was extracted', cause },
  );
}

/** PACKAGE_METADATA: an `info/` file is missing or does not have conda's shape. */
export function badMetadata(source: string, file: string, detail: string, cause?: unknown): TaipanError {
  return new TaipanError('PACKAGE_METADATA', `invalid package metadata '${file}' in '${source}': ${detail}`, { cause });
}

/** True for operating-system errors (ENOENT, EACCES, ENOSPC...): not the archive's fault. */
export function isSystemError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

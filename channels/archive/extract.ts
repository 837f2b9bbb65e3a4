/**
 * `extractPackage`: stream a `.conda` / `.tar.bz2` into a folder, safely and atomically.
 * Everything is written into a fresh temporary folder next to the destination (same
 * filesystem, so the final rename is atomic); any failure removes it, so a destination
 * folder either holds a complete package or does not exist.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../model/errors.js';
import { reservedPayloadPath } from '../model/prefix-layout.js';
import { archiveFormat, type ArchiveFormat } from './format.js';
import { hashFile, HashingStream, type FileHashes } from './hash.js';
import { forEachPackageEntry, type SkippedEntry } from './package-entries.js';
import { SafeTreeWriter, type ExtractedEntry } from './safe-tree-writer.js';

export interface ExtractOptions {
  /** Replace `destDir` when it already exists (default: refuse with INVALID_ARGUMENT). */
  overwrite?: boolean;
  /** Expected sha256 of the archive (hex): HASH_MISMATCH, and nothing extracted, when it differs. */
  expectedSha256?: string;
  /** Expected md5 of the archive (hex), checked like `expectedSha256`. */
  expectedMd5?: string;
  /**
   * Refuse archives whose entries declare more bytes than this in total (decompression
   * bombs). Default: {@link defaultMaxUnpackedBytes} of the archive's size.
   */
  maxUnpackedBytes?: number;
}

/**
 * The default unpacked-size limit: 1000 times the archive (no real package compresses that
 * well; a bomb of zeros does), and never less than 4 GiB. Each file is further checked
 * against the size `info/paths.json` declares for it, before its bytes are written.
 */
export function defaultMaxUnpackedBytes(archiveSize: number): number {
  return Math.max(4 * 1024 ** 3, archiveSize * 1000);
}

export interface ExtractResult extends FileHashes {
  /** Absolute path of the extracted package folder. */
  destDir: string;
  format: ArchiveFormat;
  /** Every path written, in archive order, relative to `destDir`. */
  entries: ExtractedEntry[];
  /** Entries left out rather than failing: symlinks with an empty target, as tar and conda do. */
  skipped: SkippedEntry[];
}

/**
 * Extract a package archive into `destDir` (created; its parent too). Streams the archive
 * (constant memory whatever its size) and computes its sha256/md5/size on the way.
 *
 * Errors: CORRUPT_ARCHIVE (unreadable, truncated), UNSAFE_ARCHIVE_ENTRY (an entry would
 * escape `destDir`, device files...), UNSUPPORTED_ARCHIVE (not .conda/.tar.bz2),
 * HASH_MISMATCH, INVALID_ARGUMENT (destination exists without `overwrite`).
 */
export async function extractPackage(archivePath: string, destDir: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const format = archiveFormat(archivePath);
  const dest = path.resolve(destDir);
  const archiveSize = (await stat(archivePath)).size; // a missing archive is reported as the plain ENOENT it is
  if (!options.overwrite && existsSync(dest)) {
    throw new TaipanError('INVALID_ARGUMENT', `cannot extract '${archivePath}' into '${dest}': it already exists`, {
      hint: 'remove it first or pass overwrite: true',
    });
  }
  const parent = path.dirname(dest);
  await mkdir(parent, { recursive: true });
  const temp = await mkdtemp(path.join(parent, `.${path.basename(dest)}.extracting-`));
  try {
    const writer = new SafeTreeWriter(await realpath(temp), archivePath, {
      maxTotalBytes: options.maxUnpackedBytes ?? defaultMaxUnpackedBytes(archiveSize),
      refusePath: refusePayloadPath,
    });
    let hashes: FileHashes;
    const skipped: SkippedEntry[] = [];
    const onSkip = (entry: SkippedEntry): void => void skipped.push(entry);
    if (format === 'tar.bz2') {
      // One pass: the compressed bytes are hashed as they stream into bunzip2.
      const hasher = new HashingStream();
      await forEachPackageEntry(archivePath, (entry) => writer.write(entry), { hasher, onSkip });
      hashes = hasher.digest();
    } else {
      // The zip is read by random access, so the hash is a separate (concurrent) sequential read.
      const hashing = hashFile(archivePath);
      hashing.catch(() => undefined); // reported through the await below if extraction succeeds
      // info first: its paths.json then bounds every payload file before its bytes are written.
      await forEachPackageEntry(archivePath, (entry, component) => {
        // A payload that also carries a file of info/ (python from conda-incubator does):
        // the info tarball's copy wins, as it always has.
        if (component === 'pkg' && writer.has(entry.path) && /^(\.\/)?info\//.test(entry.path)) return;
        return writer.write(entry, `${component}-*.tar.zst`);
      }, {
        onSkip,
        components: ['info', 'pkg'],
      });
      hashes = await hashing;
    }
    await writer.verify();
    checkHash(archivePath, 'sha256', options.expectedSha256, hashes.sha256);
    checkHash(archivePath, 'md5', options.expectedMd5, hashes.md5);
    await moveIntoPlace(temp, dest);
    return { destDir: dest, format, entries: writer.entries, skipped, ...hashes };
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
}

/** A package's files land in a prefix, so none may be one of the files taipan keeps there. */
function refusePayloadPath(relative: string): string | undefined {
  const reserved = reservedPayloadPath(relative);
  return reserved === undefined ? undefined : `'${reserved}', which belongs to the package manager in every environment, not to a package`;
}

function checkHash(archivePath: string, kind: string, expected: string | undefined, actual: string): void {
  if (expected === undefined || expected.toLowerCase() === actual) return;
  throw new TaipanError('HASH_MISMATCH', `${kind} of '${archivePath}' is ${actual}, expected ${expected}`, {
    hint: 'the download is damaged or the channel changed the file; delete it and download again',
  });
}

/** Rename `temp` to `dest`, swapping out an existing `dest` (only reached with `overwrite`). */
async function moveIntoPlace(temp: string, dest: string): Promise<void> {
  if (!existsSync(dest)) {
    await rename(temp, dest);
    return;
  }
  const old = `${temp}.old`;
  await rename(dest, old);
  try {
    await rename(temp, dest);
  } catch (err) {
    await rename(old, dest);
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}

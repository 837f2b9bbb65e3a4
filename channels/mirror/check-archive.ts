/**
 * The check `bundle` and `mirror` make of every archive before they ship it, so that a
 * broken package fails on the machine that makes the installer or mirror rather than on the
 * attendee's: the archive is extracted (channels/archive/extract.ts, which checks its
 * sha256/md5 against the record and every file it holds against info/paths.json), its size
 * is compared with the record's, and every path info/paths.json lists must have been
 * extracted, as the type it declares. Extraction alone lets a listed file that the archive
 * lacks pass; linking it would fail later, at install time.
 */
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { extractPackage } from '../archive/extract.js';
import { normalizeEntryPath } from '../archive/entry-path.js';
import type { FileHashes } from '../archive/hash.js';
import { readPathsJson } from '../archive/package-metadata.js';
import type { PathsEntry } from '../archive/metadata-types.js';
import type { ExtractedEntry } from '../archive/safe-tree-writer.js';
import { isTaipanError, TaipanError } from '../model/errors.js';
import type { RepoDataRecord } from '../model/package-record.js';

const HINT = 'the package is broken as published (or was damaged on the way): nothing was written; rebuild or re-download it, or leave it out';

/**
 * Extracts `archive` (the very file that will ship) under `scratch` and checks it against
 * `record` and its own info/paths.json; returns its hashes. Errors name the package and the
 * path at fault: CORRUPT_ARCHIVE, HASH_MISMATCH, UNSAFE_ARCHIVE_ENTRY, PACKAGE_METADATA.
 */
export async function checkShippedArchive(record: RepoDataRecord, archive: string, scratch: string): Promise<FileHashes> {
  const what = `'${record.fn}' (${record.name} ${record.version} ${record.build})`;
  const dest = path.join(await mkdtemp(path.join(scratch, 'check-')), 'pkg');
  try {
    const extracted = await extractPackage(archive, dest, {
      ...(record.sha256 ? { expectedSha256: record.sha256 } : {}),
      ...(record.md5 ? { expectedMd5: record.md5 } : {}),
    });
    if (record.size !== undefined && record.size !== extracted.size) {
      throw new TaipanError('HASH_MISMATCH', `${what} is ${extracted.size} bytes, but its record says ${record.size}`, { hint: HINT });
    }
    const written = new Map<string, ExtractedEntry>(extracted.entries.map((e) => [e.path, e]));
    for (const entry of (await readPathsJson(dest)).paths) {
      const problem = await pathProblem(entry, written, dest);
      if (problem !== undefined) throw new TaipanError(problem.code, `${what}: ${problem.detail}`, { hint: HINT });
    }
    return { sha256: extracted.sha256, md5: extracted.md5, size: extracted.size };
  } catch (error) {
    if (isTaipanError(error) && !error.message.startsWith(what)) {
      throw new TaipanError(error.code, `${what} cannot be shipped: ${error.message}`, { hint: error.hint ?? HINT, cause: error });
    }
    throw error;
  } finally {
    await rm(path.dirname(dest), { recursive: true, force: true });
  }
}

async function pathProblem(entry: PathsEntry, written: ReadonlyMap<string, ExtractedEntry>, dest: string): Promise<{ code: 'CORRUPT_ARCHIVE' | 'UNSAFE_ARCHIVE_ENTRY'; detail: string } | undefined> {
  const checked = normalizeEntryPath(entry._path);
  if (!checked.ok) return { code: 'UNSAFE_ARCHIVE_ENTRY', detail: `info/paths.json lists '${entry._path}', which is not a safe path (${checked.reason})` };
  const rel = checked.path;
  if (entry.path_type === 'directory') {
    const isDir = await lstat(path.join(dest, rel)).then((s) => s.isDirectory(), () => false);
    return isDir ? undefined : { code: 'CORRUPT_ARCHIVE', detail: `info/paths.json lists the folder '${rel}' but the archive does not hold it` };
  }
  const got = written.get(rel);
  if (got === undefined) return { code: 'CORRUPT_ARCHIVE', detail: `info/paths.json lists '${rel}' but the archive does not hold it` };
  const wanted = entry.path_type === 'softlink' ? ['symlink'] : ['file', 'hardlink'];
  if (!wanted.includes(got.type)) return { code: 'CORRUPT_ARCHIVE', detail: `info/paths.json lists '${rel}' as a ${entry.path_type}, but the archive holds a ${got.type} there` };
  if (entry.path_type !== 'hardlink') return undefined;
  if (entry.size_in_bytes !== undefined && got.size !== undefined && entry.size_in_bytes !== got.size) {
    return { code: 'CORRUPT_ARCHIVE', detail: `info/paths.json says '${rel}' is ${entry.size_in_bytes} bytes, the archive holds ${got.size}` };
  }
  if (entry.sha256 !== undefined && got.sha256 !== undefined && entry.sha256.toLowerCase() !== got.sha256) {
    return { code: 'CORRUPT_ARCHIVE', detail: `info/paths.json gives '${rel}' the sha256 ${entry.sha256}, the archive's file has ${got.sha256}` };
  }
  return undefined;
}

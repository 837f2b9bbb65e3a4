/**
 * Unpacking source archives (.tar.gz, .tar.bz2, .tar.xz, .tar.zst, .tar, .zip) into a
 * source folder. The system `tar` reads every tar compression by content, and `unzip`
 * reads zips. As conda-build and rattler-build do, an archive holding a single top-level
 * folder (`pkg-1.0/`) is unpacked with that folder stripped, so SRC_DIR is the project.
 */
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { runToolChecked } from '../run-tool.js';

const TAR_SUFFIXES = ['.tar.gz', '.tgz', '.tar.bz2', '.tbz2', '.tbz', '.tar.xz', '.txz', '.tar.zst', '.tzst', '.tar', '.tar.lzma'];

/** The kind of archive `fileName` is, by its name; undefined for a plain file. */
export function archiveKind(fileName: string): 'tar' | 'zip' | undefined {
  const lower = fileName.toLowerCase();
  if (TAR_SUFFIXES.some((s) => lower.endsWith(s))) return 'tar';
  if (lower.endsWith('.zip') || lower.endsWith('.whl')) return 'zip';
  return undefined;
}

/** Unpack `archive` into `dest` (created if missing; existing files are overwritten). */
export async function extractArchive(archive: string, dest: string): Promise<void> {
  const kind = archiveKind(archive);
  if (!kind) throw new Error(`'${archive}' is not an archive`);
  await mkdir(dest, { recursive: true });
  // Unpack beside dest first, so stripping the top folder is a move, not a rename of dest.
  const scratch = await mkdtemp(path.join(path.dirname(dest), '.unpack-'));
  try {
    if (kind === 'tar') await runToolChecked('tar', ['-xf', archive, '-C', scratch], `unpacking '${archive}'`);
    else await runToolChecked('unzip', ['-q', '-o', archive, '-d', scratch], `unpacking '${archive}'`);
    const entries = await readdir(scratch, { withFileTypes: true });
    const only = entries.length === 1 ? entries[0] : undefined;
    const root = only && only.isDirectory() ? path.join(scratch, only.name) : scratch;
    await cp(root, dest, { recursive: true, verbatimSymlinks: true, force: true });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

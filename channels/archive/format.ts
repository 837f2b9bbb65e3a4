/** Which of the two conda archive formats a file name denotes. */
import path from 'node:path';
import { TaipanError } from '../model/errors.js';

export type ArchiveFormat = 'conda' | 'tar.bz2';

/** File name suffix of each format, with the leading dot. */
export const ARCHIVE_SUFFIX: Readonly<Record<ArchiveFormat, string>> = { conda: '.conda', 'tar.bz2': '.tar.bz2' };

/** The format of `archivePath` from its suffix, or undefined when it is neither. */
export function detectArchiveFormat(archivePath: string): ArchiveFormat | undefined {
  const name = archivePath.toLowerCase();
  if (name.endsWith('.conda')) return 'conda';
  if (name.endsWith('.tar.bz2')) return 'tar.bz2';
  return undefined;
}

/** Like {@link detectArchiveFormat} but throws UNSUPPORTED_ARCHIVE for any other suffix. */
export function archiveFormat(archivePath: string): ArchiveFormat {
  const format = detectArchiveFormat(archivePath);
  if (format === undefined) {
    throw new TaipanError('UNSUPPORTED_ARCHIVE', `'${archivePath}' is not a conda package: expected a .conda or .tar.bz2 file`);
  }
  return format;
}

/** The file name without its format suffix: `zlib-1.2.11-h7b6447c_3` for either format. */
export function archiveStem(archivePath: string): string {
  const base = path.basename(archivePath);
  const format = archiveFormat(archivePath);
  return base.slice(0, base.length - ARCHIVE_SUFFIX[format].length);
}

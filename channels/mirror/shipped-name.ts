/**
 * The file name an archive is shipped under (in a mirror, in an installer's package
 * cache): the record's `fn`, which comes from a channel or a lock file and so must be
 * checked to be a plain archive name before it is joined to a folder.
 */
import { TaipanError } from '../model/errors.js';
import type { RepoDataRecord } from '../model/package-record.js';

export function shippedFileName(record: RepoDataRecord): string {
  const fn = record.fn;
  if (!/^[A-Za-z0-9_][^/\\\0:]*\.(conda|tar\.bz2)$/.test(fn) || fn.includes('..')) {
    throw new TaipanError('INVALID_RECORD', `'${fn}' is not a package file name (name-version-build.conda or .tar.bz2)`, {
      hint: 'the channel index or lock file is damaged or hostile; nothing was written',
    });
  }
  return fn;
}

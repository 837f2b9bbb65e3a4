/** The errors of reading repodata files, shared by the scanner, the record parser and the readers. */
import { TaipanError } from '../model/errors.js';

/** The bytes at `at` of `source` are not the repodata JSON they should be. */
export function invalidRepodataJson(source: string, at: number, what: string): TaipanError {
  return new TaipanError('INVALID_REPODATA', `'${source}' is not valid repodata JSON at byte ${at}: ${what}`, {
    hint: 'the file is damaged or not repodata; delete the cached copy or re-index the channel',
  });
}

/** The repodata file `file` could not be read (permissions, I/O). */
export function unreadableRepodata(file: string, error: unknown): TaipanError {
  return new TaipanError('INVALID_REPODATA', `cannot read '${file}': ${(error as Error).message}`, {
    cause: error,
    hint: 'check that the file and its folder are readable',
  });
}

/** The errors of reading repodata files, shared by the scanner, the record parser and the readers. */
import { TaipanError } from '../model/errors.js';

/** The bytes at `at` of `source` are not the repodata JSON they should be. */
export function invalidRepodataJson(source: string, at: number, what: string): TaipanError {
  return new TaipanError('INVALID_REPODATA', `'${source}' is not valid repodata JSON at byte ${at}: ${what}`, {
    hint: 'the file is damaged or not repodata; delete the cached copy or re-index the channel',
  });
}

/**
 * The deepest nesting of arrays and objects a repodata document may have: serde_json's
 * default limit, with which rattler and pixi read repodata (real repodata is 4 levels deep).
 * A hostile file nested far deeper parses in V8, but every later walk over it would overflow
 * the stack, so it is refused where it is read.
 */
export const MAX_NESTING = 128;

/** INVALID_REPODATA for a value at byte `at` of `source` nested deeper than {@link MAX_NESTING}. */
export function nestedTooDeep(source: string, at: number): TaipanError {
  return invalidRepodataJson(source, at, `arrays and objects are nested more than ${MAX_NESTING} levels deep`);
}

/** The repodata file `file` could not be read (permissions, I/O). */
export function unreadableRepodata(file: string, error: unknown): TaipanError {
  return new TaipanError('INVALID_REPODATA', `cannot read '${file}': ${(error as Error).message}`, {
    cause: error,
    hint: 'check that the file and its folder are readable',
  });
}

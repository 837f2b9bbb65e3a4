/**
 * Prefix detection: does a file hold the path of the environment it was built in? Such a
 * file is only correct in that environment, so the installer must replace the path with
 * the real one: as text (any length), or in a binary, padded with NUL bytes, which needs
 * the new path to be no longer than the old; hence the long host prefix of a build. A file
 * with a NUL byte in it is treated as binary, as conda-build does.
 */
export interface DetectedPrefix {
  readonly placeholder: string;
  readonly fileMode: 'text' | 'binary';
}

/** The first of `prefixes` that occurs in `data`, with the file's mode; undefined when none does. */
export function detectPrefix(data: Buffer, prefixes: readonly string[]): DetectedPrefix | undefined {
  for (const prefix of prefixes) {
    if (prefix !== '' && data.includes(prefix)) return { placeholder: prefix, fileMode: data.includes(0) ? 'binary' : 'text' };
  }
  return undefined;
}

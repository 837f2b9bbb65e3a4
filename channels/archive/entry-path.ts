/** Validation of the paths written in archive entries (names and link targets). */

/** The longest file name (one path segment) Linux, macOS and Windows file systems accept, in bytes. */
export const NAME_MAX_BYTES = 255;

/** The longest path Linux accepts (PATH_MAX, 4096, less the closing NUL), in bytes. */
export const PATH_MAX_BYTES = 4095;

/**
 * Why a relative path can be written on no file system (a name over {@link NAME_MAX_BYTES},
 * a path over {@link PATH_MAX_BYTES}); undefined when its length is fine. Said up front, so
 * a package is refused the same way wherever it is extracted, not with the OS's ENAMETOOLONG.
 */
export function pathLengthProblem(relative: string): string | undefined {
  for (const segment of relative.split('/')) {
    const bytes = Buffer.byteLength(segment);
    if (bytes > NAME_MAX_BYTES) return `the name '${segment.slice(0, 32)}…' is ${bytes} bytes long; file systems allow at most ${NAME_MAX_BYTES}`;
  }
  const bytes = Buffer.byteLength(relative);
  return bytes > PATH_MAX_BYTES ? `the path is ${bytes} bytes long; file systems allow at most ${PATH_MAX_BYTES}` : undefined;
}

/** True for the OS's "file name too long" (a full path over PATH_MAX where it is written). */
export function isNameTooLong(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENAMETOOLONG';
}

/** Result of checking an entry name: its clean relative form, or why it is refused. */
export type EntryPathCheck = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Normalise a tar entry name to a clean relative POSIX path: drop `.` segments, empty
 * segments and a leading `./` (rattler's test packages write `./info/index.json`). Refuses —
 * never strips — absolute names, drive letters, `..` segments, NUL bytes and names or paths
 * longer than file systems take ({@link pathLengthProblem}): stripping or shortening would
 * silently install something other than what the packager wrote. A backslash segment
 * equal to `..` is refused too, because it is a parent reference on Windows. The result is
 * `''` for the root itself (`./`).
 */
export function normalizeEntryPath(raw: string): EntryPathCheck {
  if (raw.includes('\0')) return { ok: false, reason: 'the name contains a NUL byte' };
  if (raw.startsWith('/') || raw.startsWith('\\')) return { ok: false, reason: 'absolute path' };
  if (/^[A-Za-z]:/.test(raw)) return { ok: false, reason: 'absolute path (drive letter)' };
  const segments: string[] = [];
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment.split('\\').includes('..')) return { ok: false, reason: "the path contains '..'" };
    segments.push(segment);
  }
  const clean = segments.join('/');
  const tooLong = pathLengthProblem(clean);
  return tooLong === undefined ? { ok: true, path: clean } : { ok: false, reason: tooLong };
}

/**
 * Resolve a relative symlink target lexically from the link's folder. Returns the path
 * relative to the extraction root, or undefined when it climbs above the root. (Physical
 * resolution through other symlinks is checked separately, on disk.)
 */
export function resolveLinkTargetLexically(linkPath: string, target: string): string | undefined {
  const stack = linkPath.split('/').slice(0, -1);
  // Backslashes count as separators here: a `..\\..` target climbs on Windows.
  for (const segment of target.split(/[\\/]/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (stack.length === 0) return undefined;
      stack.pop();
    } else {
      stack.push(segment);
    }
  }
  return stack.join('/');
}

/** True when a symlink target is absolute on any platform conda supports. */
export function isAbsoluteTarget(target: string): boolean {
  return target.startsWith('/') || target.startsWith('\\') || /^[A-Za-z]:/.test(target);
}

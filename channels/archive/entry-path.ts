/** Validation of the paths written in archive entries (names and link targets). */

/** Result of checking an entry name: its clean relative form, or why it is refused. */
export type EntryPathCheck = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Normalise a tar entry name to a clean relative POSIX path: drop `.` segments, empty
 * segments and a leading `./` (rattler's test packages write `./info/index.json`). Refuses —
 * never strips — absolute names, drive letters, `..` segments and NUL bytes: stripping
 * would silently install something other than what the packager wrote. A backslash segment
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
  return { ok: true, path: segments.join('/') };
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

/**
 * The globs of `package_contents` tests: `*` and `?` stay inside one path segment, `**`
 * crosses segments, and a leading `**` followed by a slash also matches no folder at all
 * (so the glob for "any .txt file" matches a top-level `a.txt`, as rattler-build's does).
 */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        out += '(?:.*/)?';
      } else {
        out += '.*';
      }
    } else if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}

/** True when any of `paths` matches `glob`. */
export function anyMatch(glob: string, paths: readonly string[]): boolean {
  const re = globToRegExp(glob);
  return paths.some((p) => re.test(p));
}

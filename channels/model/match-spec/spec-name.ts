/**
 * The package name a spec text names, read leniently and without a full parse: for places
 * that only need the name of specs they did not write and must not fail on (repodata
 * `depends` lists, recipe requirements with jinja left in, pins). A `channel::` or
 * `channel/subdir::` part is dropped, and the name ends at the first space, operator, bracket
 * or list separator. Lower case, as conda compares names. Undefined when there is no name.
 */
export function specPackageName(spec: string): string | undefined {
  const name = /^\s*(?:[^\s:]*::)?([^\s:=<>!~[(,;|#]+)/.exec(spec)?.[1];
  return name === undefined ? undefined : name.toLowerCase();
}

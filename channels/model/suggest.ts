/**
 * "did you mean 'about'?": the known names closest to a misspelt one, by edit distance with
 * transpositions (`abuot` → `about` is one edit), as rattler-build, cargo and conda suggest.
 * One helper for every layer: recipe keys, package names, environment names, config keys.
 */

/** Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) row.push(i === 0 ? j : 0);
    rows.push(row);
  }
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/** Case, `-`, `_` and `.` do not tell package names apart for a reader (`PyYAML`, `ruamel_yaml`). */
function folded(name: string): string {
  return name.toLowerCase().replace(/[-_.]/g, '');
}

/** How far `candidate` is from `name`: 0 when they differ only in case or separators. */
function distance(name: string, candidate: string): number {
  if (folded(name) === folded(candidate)) return 0;
  const a = name.toLowerCase();
  const b = candidate.toLowerCase();
  // Cheap bound first: a channel lists tens of thousands of names.
  if (Math.abs(a.length - b.length) > 2) return Infinity;
  return editDistance(a, b);
}

/**
 * The edits a name of this length may be off by: one in four letters, two from eight
 * letters on (so `requirments` finds `requirements` but `run` does not become `url`).
 */
function allowedEdits(name: string): number {
  return name.length >= 8 ? 2 : name.length >= 3 ? 1 : 0;
}

/**
 * Up to `max` candidates close to `name`, closest first (then by name); none when `name`
 * itself is a candidate.
 */
export function similarNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = allowedEdits(name);
  const scored: [number, string][] = [];
  for (const candidate of candidates) {
    if (candidate === name) return [];
    const d = distance(name, candidate);
    if (d <= limit) scored.push([d, candidate]);
  }
  scored.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return scored.slice(0, max).map(([, candidate]) => candidate);
}

/** The candidate `name` most likely meant, or undefined when none is close. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  return similarNames(name, candidates, 1)[0];
}

/** ` (did you mean 'about'?)`, or the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const best = closestName(name, candidates);
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}

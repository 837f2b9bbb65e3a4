/**
 * The comparison key of a conda version and the primitive operations on it, following
 * conda's `VersionOrder` (conda/models/version.py).
 *
 * A version is a list of segments (the epoch is the first segment), each segment a list
 * of atoms. An atom is
 * - an integer: a `number` while it is a safe integer, a `bigint` beyond that (exact
 *   ordering of long date/hash-like numerals without paying for bigint in the common case);
 * - `Infinity` for the literal `post`, so that it sorts above every number;
 * - a lowercase string; the literal `dev` is stored as `'DEV'`, which sorts below every
 *   other string except runs of `*` because upper case precedes `_` and `a`-`z`.
 * Strings sort below numbers. A missing segment or atom counts as the integer 0, which is
 * what makes `1.0 == 1.0.0`.
 */
export type VersionAtom = number | bigint | string;
export type VersionSegment = readonly VersionAtom[];
export type VersionSegments = readonly VersionSegment[];

/** The marker stored for the literal `dev`. */
export const DEV_ATOM = 'DEV';
/** The value stored for the literal `post`. */
export const POST_ATOM = Number.POSITIVE_INFINITY;

const EMPTY_SEGMENT: VersionSegment = Object.freeze([]);

/** Orders two atoms: strings before numbers, strings by code unit, numbers by value. */
export function compareAtoms(a: VersionAtom, b: VersionAtom): -1 | 0 | 1 {
  if (a === b) return 0;
  const aString = typeof a === 'string';
  const bString = typeof b === 'string';
  if (aString !== bString) return aString ? -1 : 1;
  // Same kind; number/bigint mixes compare correctly with the relational operators.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lexicographic order of two segment lists with conda's zero fill. */
export function compareSegments(t1: VersionSegments, t2: VersionSegments): -1 | 0 | 1 {
  const n = t1.length > t2.length ? t1.length : t2.length;
  for (let i = 0; i < n; i++) {
    const v1 = t1[i] ?? EMPTY_SEGMENT;
    const v2 = t2[i] ?? EMPTY_SEGMENT;
    const m = v1.length > v2.length ? v1.length : v2.length;
    for (let j = 0; j < m; j++) {
      const c1 = j < v1.length ? (v1[j] as VersionAtom) : 0;
      const c2 = j < v2.length ? (v2[j] as VersionAtom) : 0;
      if (c1 === c2) continue;
      // Hot path: two plain numbers (the overwhelming majority of atoms).
      if (typeof c1 === 'number' && typeof c2 === 'number') return c1 < c2 ? -1 : 1;
      const c = compareAtoms(c1, c2);
      if (c !== 0) return c;
    }
  }
  return 0;
}

/**
 * True when the first `n` segments of both lists are equal under the zero fill
 * (conda's `_eq(t1[:n], t2[:n])`).
 */
export function segmentsEqualUpTo(t1: VersionSegments, t2: VersionSegments, n: number): boolean {
  const limit = Math.min(n, Math.max(t1.length, t2.length));
  for (let i = 0; i < limit; i++) {
    if (!atomsEqualUpTo(t1[i] ?? EMPTY_SEGMENT, t2[i] ?? EMPTY_SEGMENT, Number.MAX_SAFE_INTEGER)) return false;
  }
  return true;
}

/** True when the first `n` atoms of both segments are equal under the zero fill. */
export function atomsEqualUpTo(v1: VersionSegment, v2: VersionSegment, n: number): boolean {
  const limit = Math.min(n, Math.max(v1.length, v2.length));
  for (let j = 0; j < limit; j++) {
    const c1 = j < v1.length ? (v1[j] as VersionAtom) : 0;
    const c2 = j < v2.length ? (v2[j] as VersionAtom) : 0;
    if (c1 !== c2 && compareAtoms(c1, c2) !== 0) return false;
  }
  return true;
}

/**
 * conda's `VersionOrder.startswith`: `self` matches `prefix` up to the prefix's last atom,
 * where a trailing string atom of the prefix only needs to be a string prefix
 * (so `1.1a1` starts with `1.1a`, and `1.2.3` starts with `1.2`).
 */
export function segmentsStartWith(t1: VersionSegments, t2: VersionSegments): boolean {
  const nt = t2.length - 1;
  if (nt < 0) return true;
  if (!segmentsEqualUpTo(t1, t2, nt)) return false;
  const v1 = t1.length <= nt ? EMPTY_SEGMENT : (t1[nt] as VersionSegment);
  const v2 = t2[nt] as VersionSegment;
  const na = v2.length - 1;
  if (na < 0) return true;
  if (!atomsEqualUpTo(v1, v2, na)) return false;
  const c1 = v1.length <= na ? 0 : (v1[na] as VersionAtom);
  const c2 = v2[na] as VersionAtom;
  if (typeof c2 === 'string') return typeof c1 === 'string' && c1.startsWith(c2);
  return c1 === c2 || (typeof c1 !== 'string' && compareAtoms(c1, c2) === 0);
}

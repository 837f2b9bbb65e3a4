/**
 * The scanner behind `Version.parse`: conda's `VersionOrder.__init__` rules, written as
 * one pass over character codes (no regular expressions, no intermediate split arrays
 * beyond the segment lists themselves).
 */
import { DEV_ATOM, POST_ATOM, type VersionAtom, type VersionSegment } from './version-atoms.js';

/** A successfully scanned version. */
export interface ScannedVersion {
  /** conda's `str()`: trimmed, lower-cased, `-` turned into `_` when that made it valid. */
  readonly normalized: string;
  /**
   * For the common shape (no local part, every component one plain number, like `1.2.3`
   * or `2!1.0`): the epoch then one number per component. Such versions get no segment
   * lists at all (fewer allocations); `segments` is null then.
   */
  readonly plain: number[] | null;
  /** The epoch segment first, then the segments of the version proper. */
  readonly segments: VersionSegment[] | null;
  /** Segments after `+`; empty when there is no local part. */
  readonly local: VersionSegment[];
}

/** The local part of versions without one (shared, never mutated). */
export const NO_LOCAL: VersionSegment[] = Object.freeze([]) as unknown as VersionSegment[];

const CH_BANG = 33;
const CH_STAR = 42;
const CH_PLUS = 43;
const CH_DASH = 45;
const CH_DOT = 46;
const CH_0 = 48;
const CH_9 = 57;
const CH_UNDERSCORE = 95;
const CH_A = 97;
const CH_Z = 122;

/** Numerals this long always fit a double exactly; longer ones are checked. */
const SAFE_DIGITS = 15;

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/**
 * Scans `text` as a conda version. Returns the scanned version, or a string that says
 * what is wrong (the caller turns it into an error; returning keeps `tryParse` cheap).
 */
export function scanVersion(text: string): ScannedVersion | string {
  let version = text.trim().toLowerCase();
  const len = version.length;
  if (len === 0) return "the version is empty; expected something like '1.2.3'";

  let hasDash = false;
  let hasUnderscore = false;
  let bang = -1;
  let plus = -1;
  let onlyDigitsAndDots = true;
  for (let i = 0; i < len; i++) {
    const c = version.charCodeAt(i);
    if (isDigit(c) || c === CH_DOT) continue;
    if (c !== CH_BANG) onlyDigitsAndDots = false;
    if ((c >= CH_A && c <= CH_Z) || c === CH_STAR) continue;
    if (c === CH_UNDERSCORE) hasUnderscore = true;
    else if (c === CH_DASH) hasDash = true;
    else if (c === CH_BANG) {
      if (bang >= 0) return "it has more than one epoch separator '!'";
      bang = i;
    } else if (c === CH_PLUS) {
      if (plus >= 0) return "it has more than one local version separator '+'";
      plus = i;
    } else {
      return `character '${version[i]}' is not allowed; expected letters, digits, '.', '_', '-', '+', '!' or '*'`;
    }
  }
  if (hasDash) {
    // conda accepts '-' as a separator only when the version has no '_' at all.
    if (hasUnderscore) return "it mixes '-' and '_'; expected only one kind of separator";
    version = version.replaceAll('-', '_');
  }
  if (onlyDigitsAndDots) {
    const plain = scanPlain(version, bang);
    if (plain !== null) return { normalized: version, plain, segments: null, local: NO_LOCAL };
  }
  if (plus >= 0 && bang > plus) {
    // conda splits at '!' first, so an epoch part holding '+' is a non-integer epoch.
    return "the epoch before '!' must be an integer";
  }

  const segments: VersionSegment[] = [];
  let start = 0;
  if (bang >= 0) {
    if (bang === 0) return "the epoch before '!' must be an integer";
    for (let i = 0; i < bang; i++) {
      if (!isDigit(version.charCodeAt(i))) return "the epoch before '!' must be an integer";
    }
    segments.push([numeral(version, 0, bang)]);
    start = bang + 1;
  } else {
    segments.push([0]);
  }

  const mainEnd = plus >= 0 ? plus : len;
  if (mainEnd === start) {
    return plus >= 0
      ? "expected a version before the local version separator '+'"
      : "expected a version after the epoch separator '!'";
  }
  const mainError = scanSegments(version, start, mainEnd, true, segments);
  if (mainError !== undefined) return mainError;

  let local = NO_LOCAL;
  if (plus >= 0) {
    local = [];
    const localError = scanSegments(version, plus + 1, len, false, local);
    if (localError !== undefined) return localError;
  }
  return { normalized: version, plain: null, segments, local };
}

/**
 * The numbers of a version made only of digits, '.' and at most one '!' (at `bang`), or
 * null when it needs the general scanner (empty parts, very long numerals, bad epoch),
 * which then also produces the error message.
 */
function scanPlain(s: string, bang: number): number[] | null {
  const numbers: number[] = [];
  if (bang < 0) numbers.push(0);
  let n = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : CH_DOT;
    if (isDigit(c)) {
      n = n * 10 + (c - CH_0);
      digits++;
      continue;
    }
    if (digits === 0 || digits > SAFE_DIGITS) return null;
    numbers.push(n);
    n = 0;
    digits = 0;
  }
  return numbers;
}

/**
 * Splits `s[from, to)` at '.' and '_' and appends one segment per component. With
 * `keepTrailingUnderscore`, a final '_' stays part of the last component: conda's
 * documented way to make `1.0.1_` sort before `1.0.1a` (openssl-style letters).
 */
function scanSegments(
  s: string,
  from: number,
  to: number,
  keepTrailingUnderscore: boolean,
  out: VersionSegment[],
): string | undefined {
  const splitEnd = keepTrailingUnderscore && s.charCodeAt(to - 1) === CH_UNDERSCORE ? to - 1 : to;
  let compStart = from;
  for (let i = from; i <= splitEnd; i++) {
    const atEnd = i === splitEnd;
    if (!atEnd) {
      const c = s.charCodeAt(i);
      if (c !== CH_DOT && c !== CH_UNDERSCORE) continue;
    }
    const compEnd = atEnd ? to : i;
    if (compEnd === compStart) {
      return 'it has an empty version component; expected no two separators in a row and none at either end';
    }
    out.push(scanComponent(s, compStart, compEnd));
    compStart = i + 1;
  }
  return undefined;
}

/** One component: runs of digits, of '*', and of anything else; a leading 0 keeps phase. */
function scanComponent(s: string, from: number, to: number): VersionSegment {
  const atoms: VersionAtom[] = [];
  // Components that start with a letter get a 0 first so that 1.1.a1 == 1.1.0a1.
  if (!isDigit(s.charCodeAt(from))) atoms.push(0);
  let i = from;
  while (i < to) {
    const c = s.charCodeAt(i);
    let j = i + 1;
    if (isDigit(c)) {
      while (j < to && isDigit(s.charCodeAt(j))) j++;
      atoms.push(numeral(s, i, j));
    } else if (c === CH_STAR) {
      while (j < to && s.charCodeAt(j) === CH_STAR) j++;
      atoms.push(s.slice(i, j));
    } else {
      while (j < to) {
        const d = s.charCodeAt(j);
        if (isDigit(d) || d === CH_STAR) break;
        j++;
      }
      const word = s.slice(i, j);
      atoms.push(word === 'post' ? POST_ATOM : word === 'dev' ? DEV_ATOM : word);
    }
    i = j;
  }
  return atoms;
}

/** The integer value of the digit run `s[from, to)`: a number when safe, else a bigint. */
function numeral(s: string, from: number, to: number): number | bigint {
  if (to - from <= SAFE_DIGITS) {
    let n = 0;
    for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - CH_0);
    return n;
  }
  const digits = s.slice(from, to);
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : BigInt(digits);
}

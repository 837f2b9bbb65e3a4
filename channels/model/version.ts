/**
 * A conda package version with conda's total order (`conda.models.version.VersionOrder`).
 *
 * Ordering, in short: epoch (`1!`) first, then the version proper, then the local part
 * (`+...`); components split at `.`/`_` (and `-` when there is no `_`), each into runs
 * of digits and letters; `dev` < `_` < other strings (alpha, rc, ...) < numbers < `post`;
 * missing parts count as 0 so `1.0 == 1.0.0`; comparison is case-insensitive.
 */
import { TaipanError } from './errors.js';
import {
  DEV_ATOM,
  compareSegments,
  segmentsEqualUpTo,
  segmentsStartWith,
  type VersionSegments,
} from './version-atoms.js';
import { scanVersion, type ScannedVersion } from './version-parse.js';

export type { VersionAtom, VersionSegment, VersionSegments } from './version-atoms.js';

/** Parsed versions by text (see `Version.cached`); a conda-forge solve reaches tens of thousands. */
const parsedByText = new Map<string, Version | null>();
const PARSED_BY_TEXT_LIMIT = 1 << 18;

/** An immutable, parsed conda version. Create with {@link Version.parse}. */
export class Version {
  /** The text as it was given to `parse` (regex and `@` specs match against this). */
  readonly source: string;
  /** conda's `VersionOrder.local`: the segments after `+`, empty when there is none. */
  readonly local: VersionSegments;
  readonly #normalized: string;
  /**
   * For the common shape (no local part, every component one plain number, like
   * `0!1.2.3`), those numbers: comparisons of two such versions skip the general walk,
   * and the segment lists are only built if someone asks for them.
   */
  readonly #plain: readonly number[] | null;
  #segments: VersionSegments | null;

  private constructor(source: string, scanned: ScannedVersion) {
    this.source = source;
    this.#normalized = scanned.normalized;
    this.#segments = scanned.segments;
    this.local = scanned.local;
    this.#plain = scanned.plain ?? (scanned.local.length === 0 ? plainNumbers(scanned.segments as VersionSegments) : null);
  }

  /**
   * conda's `VersionOrder.version`: the epoch segment, then one segment per component.
   * Integers are numbers (bigint beyond 2^53), `post` is `Infinity`, `dev` is `'DEV'`.
   */
  get segments(): VersionSegments {
    if (this.#segments === null) this.#segments = (this.#plain as readonly number[]).map((n) => [n]);
    return this.#segments;
  }

  /**
   * Parses a conda version string. Surrounding whitespace is ignored and case is folded.
   * @throws TaipanError `INVALID_VERSION` quoting `text` and saying what was expected.
   */
  static parse(text: string): Version {
    const scanned = scanVersion(text);
    if (typeof scanned === 'string') {
      throw new TaipanError('INVALID_VERSION', `invalid version '${text}': ${scanned}`);
    }
    return new Version(text, scanned);
  }

  /** Like {@link Version.parse} but returns `null` instead of throwing. */
  static tryParse(text: string): Version | null {
    const scanned = scanVersion(text);
    return typeof scanned === 'string' ? null : new Version(text, scanned);
  }

  /**
   * {@link Version.tryParse}, remembered by text: records repeat a few versions many times
   * over, and matching and ordering them would otherwise parse each one again and again.
   */
  static cached(text: string): Version | null {
    let version = parsedByText.get(text);
    if (version === undefined) {
      version = Version.tryParse(text);
      // A bound, so that a long-lived process reading channel after channel does not grow without end.
      if (parsedByText.size >= PARSED_BY_TEXT_LIMIT) parsedByText.clear();
      parsedByText.set(text, version);
    }
    return version;
  }

  /** The epoch (the integer before `!`, 0 when absent). */
  get epoch(): number {
    if (this.#plain !== null) return this.#plain[0] as number;
    return Number((this.segments[0] as readonly (number | bigint)[])[0]);
  }

  /** True when a component of the version proper is the literal `dev`. */
  get isDev(): boolean {
    if (this.#plain !== null) return false;
    for (const segment of this.segments) if (segment.includes(DEV_ATOM)) return true;
    return false;
  }

  /** True when the version has a local part (`+...`). */
  get hasLocal(): boolean {
    return this.local.length > 0;
  }

  /** conda's order: -1 when `this` sorts before `other`, 1 after, 0 when they are equal. */
  compare(other: Version): -1 | 0 | 1 {
    const a = this.#plain;
    const b = other.#plain;
    if (a !== null && b !== null) return comparePlain(a, b);
    return compareSegments(this.segments, other.segments) || compareSegments(this.local, other.local);
  }

  /** Equality in conda's order (`1.0` equals `1.0.0`, `1.0RC1` equals `1.0rc1`). */
  equals(other: Version): boolean {
    return this.compare(other) === 0;
  }

  /**
   * conda's `VersionOrder.startswith`, the meaning of `1.2.*` and `=1.2`: the components of
   * `prefix` match up to its last one, and a trailing string of `prefix` only needs to be
   * a string prefix. A `prefix` with a local part requires equal main versions and applies
   * the rule to the local parts.
   */
  startsWith(prefix: Version): boolean {
    if (prefix.local.length > 0) {
      if (!segmentsEqualUpTo(this.segments, prefix.segments, Number.MAX_SAFE_INTEGER)) return false;
      return segmentsStartWith(this.local, prefix.local);
    }
    const a = this.#plain;
    const b = prefix.#plain;
    if (a !== null && b !== null) return plainStartsWith(a, b);
    return segmentsStartWith(this.segments, prefix.segments);
  }

  /** conda's `str()`: trimmed and lower-cased, `-` replaced by `_` where conda does so. */
  toString(): string {
    return this.#normalized;
  }

  toJSON(): string {
    return this.#normalized;
  }
}

function plainNumbers(segments: VersionSegments): number[] | null {
  const numbers: number[] = [];
  for (const segment of segments) {
    const atom = segment[0];
    if (segment.length !== 1 || typeof atom !== 'number' || atom === Number.POSITIVE_INFINITY) return null;
    numbers.push(atom);
  }
  return numbers;
}

/** `compareSegments` for one-number segments: lexicographic with zero fill. */
function comparePlain(a: readonly number[], b: readonly number[]): -1 | 0 | 1 {
  const n = a.length > b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = i < a.length ? (a[i] as number) : 0;
    const y = i < b.length ? (b[i] as number) : 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** `segmentsStartWith` for one-number segments: equal up to and including the prefix's last. */
function plainStartsWith(a: readonly number[], prefix: readonly number[]): boolean {
  for (let i = 0; i < prefix.length; i++) {
    if ((i < a.length ? a[i] : 0) !== prefix[i]) return false;
  }
  return true;
}

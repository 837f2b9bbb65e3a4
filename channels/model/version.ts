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
import { scanVersion } from './version-parse.js';

export type { VersionAtom, VersionSegment, VersionSegments } from './version-atoms.js';

/** An immutable, parsed conda version. Create with {@link Version.parse}. */
export class Version {
  /** The text as it was given to `parse` (regex and `@` specs match against this). */
  readonly source: string;
  /**
   * conda's `VersionOrder.version`: the epoch segment, then one segment per component.
   * Integers are numbers (bigint beyond 2^53), `post` is `Infinity`, `dev` is `'DEV'`.
   */
  readonly segments: VersionSegments;
  /** conda's `VersionOrder.local`: the segments after `+`, empty when there is none. */
  readonly local: VersionSegments;
  readonly #normalized: string;

  private constructor(source: string, normalized: string, segments: VersionSegments, local: VersionSegments) {
    this.source = source;
    this.#normalized = normalized;
    this.segments = segments;
    this.local = local;
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
    return new Version(text, scanned.normalized, scanned.segments, scanned.local);
  }

  /** Like {@link Version.parse} but returns `null` instead of throwing. */
  static tryParse(text: string): Version | null {
    const scanned = scanVersion(text);
    return typeof scanned === 'string' ? null : new Version(text, scanned.normalized, scanned.segments, scanned.local);
  }

  /** The epoch (the integer before `!`, 0 when absent). */
  get epoch(): number {
    return Number((this.segments[0] as readonly (number | bigint)[])[0]);
  }

  /** True when a component of the version proper is the literal `dev`. */
  get isDev(): boolean {
    for (const segment of this.segments) if (segment.includes(DEV_ATOM)) return true;
    return false;
  }

  /** True when the version has a local part (`+...`). */
  get hasLocal(): boolean {
    return this.local.length > 0;
  }

  /** conda's order: -1 when `this` sorts before `other`, 1 after, 0 when they are equal. */
  compare(other: Version): -1 | 0 | 1 {
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

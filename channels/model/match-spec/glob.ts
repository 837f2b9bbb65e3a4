/**
 * String matchers for MatchSpec fields, with conda's three forms: `^...$` is a regular
 * expression, a text with `*` is a glob, anything else must be equal. Compiled once per
 * spec so that `matches()` (called millions of times by a solver) does no parsing.
 */
import { TaipanError } from '../errors.js';

/** A compiled string matcher. */
export interface StringMatcher {
  /** The pattern as stored (lower-cased for case-insensitive fields). */
  readonly raw: string;
  /** The pattern itself when it is a plain literal, else null (conda `exact_value`). */
  readonly exact: string | null;
  /** True when the pattern is `*`, which accepts everything. */
  readonly matchesAll: boolean;
  /** Tests a record value. */
  test(value: string): boolean;
}

/**
 * Compiles a conda string pattern. With `lower`, the pattern and the tested values are
 * compared in lower case (conda's `CaseInsensitiveStrMatch`, used for licenses);
 * `lowerPattern` lower-cases only the pattern (conda's name matcher).
 * @throws TaipanError `INVALID_MATCH_SPEC` when a `^...$` pattern is not a valid regex.
 */
export function compileStringMatcher(
  pattern: string,
  spec: string,
  options: { lower?: boolean; lowerPattern?: boolean } = {},
): StringMatcher {
  const raw = options.lower || options.lowerPattern ? pattern.toLowerCase() : pattern;
  const lowerValue = options.lower === true;
  const regex = patternToRegExp(raw, spec);
  if (regex === null) {
    return Object.freeze({
      raw,
      exact: raw,
      matchesAll: false,
      test: lowerValue ? (v: string) => v.toLowerCase() === raw : (v: string) => v === raw,
    });
  }
  const matchesAll = raw === '*';
  return Object.freeze({
    raw,
    exact: null,
    matchesAll,
    test: matchesAll
      ? () => true
      : lowerValue
        ? (v: string) => regex.test(v.toLowerCase())
        : (v: string) => regex.test(v),
  });
}

/** True when a pattern is matched as a regex or glob rather than literally. */
export function isPattern(pattern: string): boolean {
  return pattern.includes('*') || (pattern.startsWith('^') && pattern.endsWith('$'));
}

/** The RegExp for a `^...$` or `*` pattern; null for a literal. */
function patternToRegExp(pattern: string, spec: string): RegExp | null {
  if (pattern.startsWith('^') && pattern.endsWith('$')) {
    try {
      return new RegExp(pattern);
    } catch (error) {
      throw new TaipanError(
        'INVALID_MATCH_SPEC',
        `invalid match spec '${spec}': '${pattern}' is not a valid regular expression (${(error as Error).message})`,
        { hint: "write a glob such as 'py39*' or a regex anchored with '^' and '$'" },
      );
    }
  }
  if (!pattern.includes('*')) return null;
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^(?:${body})$`, 's');
}

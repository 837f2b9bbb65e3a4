/**
 * Literals as small integers, MiniSat style: variable `v` is literal `2v` (true) or `2v+1`
 * (false). Integers keep clauses in typed arrays and make negation a single xor.
 */

/** The literal "v is true". */
export function pos(variable: number): number {
  return variable << 1;
}

/** The literal "v is false". */
export function neg(variable: number): number {
  return (variable << 1) | 1;
}

/** The variable of a literal. */
export function varOf(literal: number): number {
  return literal >> 1;
}

/** The opposite literal. */
export function negate(literal: number): number {
  return literal ^ 1;
}

/** True for `neg(v)`. */
export function isNegative(literal: number): boolean {
  return (literal & 1) === 1;
}

/** Values of variables and literals: unassigned is 0 so a fresh Int8Array means "nothing decided". */
export const TRUE = 1;
export const FALSE = -1;
export const UNASSIGNED = 0;

/**
 * The partial assignment of a CDCL search: value, decision level and reason per variable,
 * and the trail (assigned literals in order) split into decision levels.
 */
import { FALSE, TRUE, UNASSIGNED, isNegative, varOf } from './literals.js';

/** Reason of a decision (or of an unassigned variable): no clause implied it. */
export const NO_REASON = -1;

export class Assignment {
  private values = new Int8Array(256);
  private levels = new Int32Array(256);
  private reasons = new Int32Array(256);
  /** Assigned literals, oldest first. */
  readonly trail: number[] = [];
  /** Trail length at the start of each decision level (level 1 starts at trailLim[0]). */
  private readonly trailLim: number[] = [];
  /** Next trail position propagation has not looked at yet. */
  qhead = 0;
  numVars = 0;

  /** A fresh unassigned variable. */
  newVar(): number {
    const v = this.numVars++;
    if (v >= this.values.length) {
      const size = this.values.length * 2;
      this.values = grow(this.values, new Int8Array(size));
      this.levels = grow(this.levels, new Int32Array(size));
      this.reasons = grow(this.reasons, new Int32Array(size));
    }
    this.reasons[v] = NO_REASON;
    return v;
  }

  /** The current decision level (0 before any decision). */
  get level(): number {
    return this.trailLim.length;
  }

  /** TRUE, FALSE or UNASSIGNED for a variable. */
  value(variable: number): number {
    return this.values[variable] as number;
  }

  /** TRUE, FALSE or UNASSIGNED for a literal. */
  litValue(literal: number): number {
    const value = this.values[literal >> 1] as number;
    return (literal & 1) === 1 ? -value : value;
  }

  levelOf(variable: number): number {
    return this.levels[variable] as number;
  }

  reasonOf(variable: number): number {
    return this.reasons[variable] as number;
  }

  /** Makes `literal` true at the current level; the caller knows it is unassigned. */
  assign(literal: number, reason: number): void {
    const v = varOf(literal);
    this.values[v] = isNegative(literal) ? FALSE : TRUE;
    this.levels[v] = this.trailLim.length;
    this.reasons[v] = reason;
    this.trail.push(literal);
  }

  /** Opens a new decision level. */
  newLevel(): void {
    this.trailLim.push(this.trail.length);
  }

  /** Undoes every assignment above `level`. */
  backtrack(level: number): void {
    if (level >= this.trailLim.length) return;
    const keep = this.trailLim[level] as number;
    for (let i = this.trail.length - 1; i >= keep; i--) {
      const v = varOf(this.trail[i] as number);
      this.values[v] = UNASSIGNED;
      this.reasons[v] = NO_REASON;
    }
    this.trail.length = keep;
    this.trailLim.length = level;
    if (this.qhead > keep) this.qhead = keep;
  }
}

function grow<T extends Int8Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * Clauses in typed arrays: one pool of literals, with start, length, kind and a payload per
 * clause, and a watch list per literal for two-watched-literal propagation (a clause's
 * first two literals are its watches). Clauses are never deleted: a solve stays small
 * because clauses are generated lazily, not because learned ones are forgotten.
 */

/** Why a clause exists; conflict explanation reads these. */
export const ClauseKind = {
  /** Unit: a request or pin holds (`data` = root index). */
  Root: 0,
  /** `¬parent ∨ candidates…` (`data` = requirement index). */
  Requires: 1,
  /** Sequential at-most-one helper clauses of one name (`data` = candidate var involved, or -1). */
  ForbidMultiple: 2,
  /** `¬parent ∨ aux`: the parent's constrains (`data` = restriction index). */
  Constrains: 3,
  /** `¬aux ∨ ¬candidate`: a restriction excludes a candidate (`data` = restriction index). */
  Excludes: 4,
  /** Unit `¬candidate`: the record cannot be used (`data` = candidate var). */
  Broken: 5,
  /** `¬freeze ∨ ¬candidate`: keeping the installed record excludes the others. */
  Freeze: 6,
  /** Derived by conflict analysis (`data` = index into the learned-clause derivations). */
  Learned: 7,
} as const;
export type ClauseKindValue = (typeof ClauseKind)[keyof typeof ClauseKind];

export class ClauseStore {
  private pool = new Int32Array(4096);
  private poolUsed = 0;
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private kinds = new Uint8Array(1024);
  private payload = new Int32Array(1024);
  count = 0;
  /** Clauses watching each literal (visited when that literal becomes false). */
  private watchLists: number[][] = [];

  /** Makes room for the literals of `numVars` variables. */
  ensureVars(numVars: number): void {
    while (this.watchLists.length < numVars * 2) this.watchLists.push([]);
  }

  /** Stores a clause (not yet watched); returns its id. */
  add(literals: readonly number[], kind: ClauseKindValue, data: number): number {
    const id = this.count++;
    if (id >= this.starts.length) {
      const size = this.starts.length * 2;
      this.starts = copyInto(this.starts, new Int32Array(size));
      this.lengths = copyInto(this.lengths, new Int32Array(size));
      this.kinds = copyInto(this.kinds, new Uint8Array(size));
      this.payload = copyInto(this.payload, new Int32Array(size));
    }
    while (this.poolUsed + literals.length > this.pool.length) this.pool = copyInto(this.pool, new Int32Array(this.pool.length * 2));
    this.starts[id] = this.poolUsed;
    this.lengths[id] = literals.length;
    this.kinds[id] = kind;
    this.payload[id] = data;
    for (let i = 0; i < literals.length; i++) this.pool[this.poolUsed++] = literals[i] as number;
    return id;
  }

  /** The literal pool; literal `k` of clause `c` is at `start(c) + k`. */
  get lits(): Int32Array {
    return this.pool;
  }

  start(clause: number): number {
    return this.starts[clause] as number;
  }

  length(clause: number): number {
    return this.lengths[clause] as number;
  }

  kind(clause: number): ClauseKindValue {
    return this.kinds[clause] as ClauseKindValue;
  }

  data(clause: number): number {
    return this.payload[clause] as number;
  }

  /** The literals of a clause, copied. */
  literals(clause: number): number[] {
    const start = this.starts[clause] as number;
    return Array.from(this.pool.subarray(start, start + (this.lengths[clause] as number)));
  }

  /** Watch list of a literal (mutated in place by propagation). */
  watches(literal: number): number[] {
    return this.watchLists[literal] as number[];
  }

  /** Starts watching the clause's first two literals. */
  watch(clause: number): void {
    const start = this.starts[clause] as number;
    (this.watchLists[this.pool[start] as number] as number[]).push(clause);
    (this.watchLists[this.pool[start + 1] as number] as number[]).push(clause);
  }

  /** Stops watching the clause's first two literals. */
  unwatch(clause: number): void {
    const start = this.starts[clause] as number;
    for (const literal of [this.pool[start] as number, this.pool[start + 1] as number]) {
      const list = this.watchLists[literal] as number[];
      const at = list.indexOf(clause);
      if (at >= 0) list.splice(at, 1);
    }
  }
}

function copyInto<T extends Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

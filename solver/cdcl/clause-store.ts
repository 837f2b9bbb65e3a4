/**
 * Clauses in typed arrays: one pool of literals, with start, length, kind and a payload per
 * clause, and a watch list per literal for two-watched-literal propagation (a clause's
 * first two literals are its watches). Clauses are never deleted: a solve stays small
 * because clauses are generated lazily, not because learned ones are forgotten.
 *
 * Watch lists are linked lists in typed arrays, not an array per literal: a conda-forge
 * scale solve has a million literals, and as many small arrays kept the garbage collector
 * busy. Each clause has two list nodes (`2·clause` and `2·clause + 1`), each in the list of
 * one of its watched literals; lists keep insertion order.
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
  /** Per literal, the first and last node of its watch list (-1: empty). */
  private heads = new Int32Array(1024).fill(NONE);
  private tails = new Int32Array(1024).fill(NONE);
  /** Per node, the next node of the same list (-1: last). */
  private nextNode = new Int32Array(2048).fill(NONE);

  /** Makes room for the literals of `numVars` variables. */
  ensureVars(numVars: number): void {
    const needed = numVars * 2;
    if (needed > this.heads.length) {
      let size = this.heads.length * 2;
      while (size < needed) size *= 2;
      this.heads = growFilled(this.heads, size);
      this.tails = growFilled(this.tails, size);
    }
  }

  /** Stores a clause (not yet watched); returns its id. */
  add(literals: readonly number[], kind: ClauseKindValue, data: number): number {
    const id = this.newClause(literals.length, kind, data);
    let at = this.starts[id] as number;
    for (let i = 0; i < literals.length; i++) this.pool[at++] = literals[i] as number;
    return id;
  }

  /** {@link add} for a clause of two literals (most clauses), without an array. */
  addBinary(first: number, second: number, kind: ClauseKindValue, data: number): number {
    const id = this.newClause(2, kind, data);
    const at = this.starts[id] as number;
    this.pool[at] = first;
    this.pool[at + 1] = second;
    return id;
  }

  private newClause(length: number, kind: ClauseKindValue, data: number): number {
    const id = this.count++;
    if (id >= this.starts.length) {
      const size = this.starts.length * 2;
      this.starts = copyInto(this.starts, new Int32Array(size));
      this.lengths = copyInto(this.lengths, new Int32Array(size));
      this.kinds = copyInto(this.kinds, new Uint8Array(size));
      this.payload = copyInto(this.payload, new Int32Array(size));
      this.nextNode = growFilled(this.nextNode, size * 2);
    }
    while (this.poolUsed + length > this.pool.length) this.pool = copyInto(this.pool, new Int32Array(this.pool.length * 2));
    this.starts[id] = this.poolUsed;
    this.lengths[id] = length;
    this.kinds[id] = kind;
    this.payload[id] = data;
    this.poolUsed += length;
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

  /** First node of a literal's watch list, -1 if none; the node's clause is `node >> 1`. */
  firstWatch(literal: number): number {
    return this.heads[literal] as number;
  }

  /** The node after `node` in its list, -1 at the end. */
  nextWatch(node: number): number {
    return this.nextNode[node] as number;
  }

  /**
   * Moves `node` (which follows `previous`, -1 for the head, in the list of `from`) to the
   * end of the list of `to`.
   */
  moveWatch(node: number, previous: number, from: number, to: number): void {
    this.unlink(node, previous, from);
    this.append(node, to);
  }

  /** Starts watching the clause's first two literals. */
  watch(clause: number): void {
    const start = this.starts[clause] as number;
    this.append(clause * 2, this.pool[start] as number);
    this.append(clause * 2 + 1, this.pool[start + 1] as number);
  }

  /** Stops watching the clause's first two literals. */
  unwatch(clause: number): void {
    const start = this.starts[clause] as number;
    this.remove(clause, this.pool[start] as number);
    this.remove(clause, this.pool[start + 1] as number);
  }

  private append(node: number, literal: number): void {
    this.nextNode[node] = NONE;
    const tail = this.tails[literal] as number;
    if (tail === NONE) this.heads[literal] = node;
    else this.nextNode[tail] = node;
    this.tails[literal] = node;
  }

  private unlink(node: number, previous: number, literal: number): void {
    const next = this.nextNode[node] as number;
    if (previous === NONE) this.heads[literal] = next;
    else this.nextNode[previous] = next;
    if (this.tails[literal] === node) this.tails[literal] = previous;
  }

  /** Removes the clause's first node in the literal's list, if any. */
  private remove(clause: number, literal: number): void {
    let previous = NONE;
    for (let node = this.heads[literal] as number; node !== NONE; node = this.nextNode[node] as number) {
      if (node >> 1 === clause) {
        this.unlink(node, previous, literal);
        return;
      }
      previous = node;
    }
  }
}

/** End of a watch list. */
const NONE = -1;

function growFilled(from: Int32Array, size: number) {
  const to = new Int32Array(size).fill(NONE);
  to.set(from);
  return to;
}

function copyInto<T extends Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

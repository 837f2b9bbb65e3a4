/**
 * The CDCL loop: propagate, generate the clauses of newly true candidates, decide the next
 * requirement's best candidate; on a conflict learn a first-UIP clause and jump back.
 *
 * Clauses generated mid-search may already be unit or false under the current assignment.
 * A unit one implies its literal at the current level, but the implication really holds
 * from a lower level; such *late* implications are remembered and re-asserted after a
 * backjump that undoes them while their clause stays unit (otherwise two-watched-literal
 * propagation, which only looks at a clause when a watch turns false, would miss them).
 */
import type { CandidateProvider } from '../provider.js';
import type { RootConstraint } from '../roots.js';
import { analyze } from './analyze.js';
import { Assignment } from './assignment.js';
import { ClauseKind, ClauseStore, type ClauseKindValue } from './clause-store.js';
import { chooseDecision } from './decide.js';
import { LazyEncoder, VarKind } from './encoder.js';
import { FALSE, TRUE, UNASSIGNED, varOf } from './literals.js';
import { propagate } from './propagate.js';

/** Counters of one search. */
export interface SearchStats {
  decisions: number;
  conflicts: number;
  propagations: number;
  learned: number;
}

/** How a learned clause was derived (for replaying the proof of unsatisfiability). */
export interface Derivation {
  readonly antecedents: readonly number[];
  readonly droppedAtLevelZero: readonly number[];
}

export type SearchOutcome = { readonly sat: true; readonly candidates: number[] } | { readonly sat: false; readonly conflict: number };

/** Checked every this many loop iterations (abort signal, deadline). */
const CHECK_EVERY = 256;
const ACTIVITY_DECAY = 0.95;

export class CdclSearch {
  readonly store = new ClauseStore();
  readonly assignment = new Assignment();
  readonly encoder: LazyEncoder;
  readonly derivations: Derivation[] = [];
  readonly stats: SearchStats = { decisions: 0, conflicts: 0, propagations: 0, learned: 0 };
  /** Conflict activity per package name: names that keep failing are decided earlier. */
  readonly activity = new Map<string, number>();
  private activityStep = 1;
  private seen = new Uint8Array(256);
  /**
   * Late implications, oldest first, as parallel arrays: the clause, the literal it
   * implied, and the highest level among the clause's other (false) literals.
   */
  private readonly lateClause: number[] = [];
  private readonly lateLiteral: number[] = [];
  private readonly lateLevel: number[] = [];
  private pending: number[] = [];
  /** Trail position up to which true candidates have been expanded. */
  private expandedUpTo = 0;

  constructor(
    provider: CandidateProvider,
    roots: readonly RootConstraint[],
    frozenNames: readonly string[],
    private readonly interrupt: () => void,
  ) {
    this.encoder = new LazyEncoder(
      provider,
      roots,
      () => {
        const v = this.assignment.newVar();
        this.store.ensureVars(this.assignment.numVars);
        return v;
      },
      (literals, kind, data) => this.emit(literals, kind, data),
      (first, second, kind, data) => this.emitBinary(first, second, kind, data),
    );
    this.encoder.start(frozenNames);
  }

  /** Runs to a solution (the chosen candidate ids) or to a level-0 conflict. */
  run(): SearchOutcome {
    for (let iteration = 0; ; iteration++) {
      if (iteration % CHECK_EVERY === 0) this.interrupt();
      let conflict = propagate(this.store, this.assignment, this.stats);
      if (conflict < 0) conflict = this.pendingConflict();
      if (conflict >= 0) {
        if (!this.resolve(conflict)) return { sat: false, conflict };
        continue;
      }
      if (this.expandNewlyTrue()) continue;
      const decision = chooseDecision(this.encoder, this.assignment, this.activity);
      if (decision < 0) return { sat: true, candidates: this.chosen() };
      this.stats.decisions++;
      this.assignment.newLevel();
      this.assignment.assign(decision, -1);
    }
  }

  private chosen(): number[] {
    const out: number[] = [];
    const trail = this.assignment.trail;
    for (let i = 0; i < trail.length; i++) {
      const literal = trail[i] as number;
      if ((literal & 1) === 0) {
        const id = this.encoder.candidateOf(varOf(literal));
        if (id >= 0) out.push(id);
      }
    }
    return out;
  }

  /** Generates clauses for candidates that became true since the last call. */
  private expandNewlyTrue(): boolean {
    const trail = this.assignment.trail;
    const before = this.store.count;
    while (this.expandedUpTo < trail.length) {
      const literal = trail[this.expandedUpTo++] as number;
      const v = varOf(literal);
      if ((literal & 1) === 0 && this.encoder.varKind[v] === VarKind.Candidate) this.encoder.expand(v);
    }
    return this.store.count !== before;
  }

  /** Adds a clause during search and sets up its watches. */
  private emit(literals: number[], kind: ClauseKindValue, data: number): void {
    const clause = this.store.add(literals, kind, data);
    if (this.attach(clause)) this.pending.push(clause);
  }

  private emitBinary(first: number, second: number, kind: ClauseKindValue, data: number): void {
    const clause = this.store.addBinary(first, second, kind, data);
    if (this.attach(clause)) this.pending.push(clause);
  }

  /**
   * Watches the clause's two best literals (true at the lowest level, else unassigned, else
   * false at the highest level) and asserts it if it is unit. Returns true if it is false.
   */
  private attach(clause: number): boolean {
    const { store, assignment } = this;
    const lits = store.lits;
    const start = store.start(clause);
    const length = store.length(clause);
    for (let slot = 0; slot < Math.min(2, length); slot++) {
      let best = start + slot;
      for (let k = best + 1; k < start + length; k++) if (better(assignment, lits[k] as number, lits[best] as number)) best = k;
      const swap = lits[start + slot] as number;
      lits[start + slot] = lits[best] as number;
      lits[best] = swap;
    }
    if (length >= 2) store.watch(clause);
    const first = lits[start] as number;
    const firstValue = assignment.litValue(first);
    let restLevel = 0;
    if (length >= 2) {
      const second = lits[start + 1] as number;
      if (assignment.litValue(second) !== FALSE) return false;
      restLevel = assignment.levelOf(varOf(second));
    }
    if (firstValue === FALSE) return true;
    if (firstValue === UNASSIGNED) {
      assignment.assign(first, clause);
      this.stats.propagations++;
      if (restLevel < assignment.level) this.addLate(clause, first, restLevel);
    } else if (assignment.levelOf(varOf(first)) > restLevel) {
      this.addLate(clause, first, restLevel);
    }
    return false;
  }

  private addLate(clause: number, literal: number, level: number): void {
    this.lateClause.push(clause);
    this.lateLiteral.push(literal);
    this.lateLevel.push(level);
  }

  /** Re-examines clauses that were false when added; returns one that still is. */
  private pendingConflict(): number {
    while (this.pending.length > 0) {
      const clause = this.pending.pop() as number;
      if (this.store.length(clause) >= 2) this.store.unwatch(clause);
      if (this.attach(clause)) return clause;
    }
    return -1;
  }

  /** Learns from a conflict and jumps back; false when the conflict is at level 0 (UNSAT). */
  private resolve(conflict: number): boolean {
    this.stats.conflicts++;
    const { store, assignment } = this;
    let top = 0;
    const start = store.start(conflict);
    for (let k = start; k < start + store.length(conflict); k++) top = Math.max(top, assignment.levelOf(varOf(store.lits[k] as number)));
    if (top === 0) return false;
    if (top < assignment.level) this.backjump(top, -1);
    if (this.seen.length < assignment.numVars) {
      const grown = new Uint8Array(assignment.numVars * 2);
      grown.set(this.seen);
      this.seen = grown;
    }
    const analysis = analyze(store, assignment, conflict, this.seen);
    this.bump(analysis.involved);
    const learned = store.add(analysis.learned, ClauseKind.Learned, this.derivations.length);
    this.derivations.push({ antecedents: analysis.antecedents, droppedAtLevelZero: analysis.droppedAtLevelZero });
    this.stats.learned++;
    if (analysis.learned.length >= 2) store.watch(learned);
    this.backjump(analysis.backjumpLevel, learned);
    return true;
  }

  /**
   * Undoes levels above `level`, asserts the learned clause's first literal (if given), then
   * re-asserts late implications that the jump undid but whose clauses are still unit.
   */
  private backjump(level: number, learned: number): void {
    const { assignment } = this;
    assignment.backtrack(level);
    if (this.expandedUpTo > assignment.trail.length) this.expandedUpTo = assignment.trail.length;
    if (learned >= 0) {
      assignment.assign(this.store.lits[this.store.start(learned)] as number, learned);
      this.stats.propagations++;
    }
    const { lateClause, lateLiteral, lateLevel } = this;
    let kept = 0;
    for (let i = 0; i < lateClause.length; i++) {
      const clause = lateClause[i] as number;
      const literal = lateLiteral[i] as number;
      const entryLevel = lateLevel[i] as number;
      if (entryLevel > level) continue;
      const value = assignment.litValue(literal);
      if (value === UNASSIGNED) assignment.assign(literal, clause);
      else if (value === FALSE) {
        this.pending.push(clause);
        continue;
      }
      if (assignment.levelOf(varOf(literal)) > entryLevel) {
        lateClause[kept] = clause;
        lateLiteral[kept] = literal;
        lateLevel[kept] = entryLevel;
        kept++;
      }
    }
    lateClause.length = kept;
    lateLiteral.length = kept;
    lateLevel.length = kept;
  }

  private bump(variables: readonly number[]): void {
    const { encoder } = this;
    for (const v of variables) {
      const id = encoder.candidateOf(v);
      if (id < 0) continue;
      const name = encoder.provider.candidate(id).name;
      this.activity.set(name, (this.activity.get(name) ?? 0) + this.activityStep);
    }
    this.activityStep /= ACTIVITY_DECAY;
    if (this.activityStep > 1e100) {
      for (const [name, value] of this.activity) this.activity.set(name, value * 1e-100);
      this.activityStep *= 1e-100;
    }
  }
}

/**
 * Which of two literals a new clause should rather watch: true beats unassigned beats
 * false; among true ones the lower level, among false ones the higher level.
 */
function better(assignment: Assignment, a: number, b: number): boolean {
  const va = assignment.litValue(a);
  const vb = assignment.litValue(b);
  const ra = va === TRUE ? 0 : va === UNASSIGNED ? 1 : 2;
  const rb = vb === TRUE ? 0 : vb === UNASSIGNED ? 1 : 2;
  if (ra !== rb) return ra < rb;
  if (va === TRUE) return assignment.levelOf(varOf(a)) < assignment.levelOf(varOf(b));
  if (va === FALSE) return assignment.levelOf(varOf(a)) > assignment.levelOf(varOf(b));
  return false;
}

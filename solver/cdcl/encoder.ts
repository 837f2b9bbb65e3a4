/**
 * The conda problem as clauses, generated lazily (as resolvo does):
 * - a candidate record gets a variable when a clause first mentions it, and joins its name's
 *   at-most-one group then (sequential encoding: one helper variable and at most three
 *   binary clauses per member, so a group grows incrementally);
 * - a candidate's `depends` and `constrains` become clauses only once it is true, so the
 *   names a solve never picks never load their own dependencies;
 * - each request and pin is a variable fixed at level 0 (the unsat core names them);
 * - constrains go through one auxiliary variable per (name, version set): `parent → aux`,
 *   `aux → ¬x` for each active candidate x the set excludes, shared by every parent;
 * - installed and locked records are kept through one *freeze* variable per name,
 *   `freeze → ¬x` for the other candidates, decided true first (conda's freeze-installed).
 */
import type { MatchSpec } from '../../channels/model/match-spec/index.js';
import type { CandidateProvider } from '../provider.js';
import type { RootConstraint } from '../roots.js';
import { ClauseKind, type ClauseKindValue } from './clause-store.js';
import { neg, pos } from './literals.js';

/** What a variable stands for. */
export const VarKind = { Candidate: 0, Root: 1, Restriction: 2, Helper: 3, Freeze: 4 } as const;

/** "`parent` needs one of `candidates`": a requested spec or one `depends` entry. */
export interface Requirement {
  /** Variable of the requiring candidate, or of the request. */
  readonly parent: number;
  /** Index in the roots when this is a request, else -1. */
  readonly root: number;
  readonly name: string;
  /** The spec as written (the dependency string, or the user's text). */
  readonly text: string;
  /** Candidate variables that satisfy it, most preferred first. */
  readonly candidates: readonly number[];
}

/** A version set that excludes other candidates of a name: a pin, or a `constrains` entry. */
export interface Restriction {
  readonly name: string;
  readonly text: string;
  readonly spec: MatchSpec;
  readonly variable: number;
  /** Index in the roots for a pin, else -1. */
  readonly root: number;
}

/** Adds a clause to the running search (it handles clauses that are unit or false already). */
export type EmitClause = (literals: number[], kind: ClauseKindValue, data: number) => void;
/** {@link EmitClause} for two literals, without an array (most clauses are binary). */
export type EmitBinaryClause = (first: number, second: number, kind: ClauseKindValue, data: number) => void;

/** Encoder state of one package name. */
interface NameGroup {
  /** Its active candidate variables, in activation order. */
  readonly active: number[];
  /** Indices of the restrictions on it. */
  readonly restrictions: number[];
  /** The at-most-one helper of its last active candidate, or -1. */
  lastHelper: number;
}

const ACTIVE = 1;
const EXPANDED = 2;

/** A copy of `from` long enough for index `needed`, new slots set to `fill`. */
function grown<T extends Int32Array | Uint8Array>(from: T, needed: number, fill: number): T {
  let size = from.length * 2;
  while (size <= needed) size *= 2;
  const to = new (from.constructor as new (size: number) => T)(size);
  to.set(from);
  if (fill !== 0) to.fill(fill, from.length);
  return to;
}

interface Freeze {
  readonly variable: number;
  /** The candidate variable kept, resolved when the name's first candidate activates. */
  keep: number | null;
}

export class LazyEncoder {
  /** Per variable: a VarKind and its payload (candidate id, root index, restriction index, ...). */
  readonly varKind: number[] = [];
  readonly varData: number[] = [];
  readonly requirements: Requirement[] = [];
  /** Requirement indices of each true candidate (or request) variable, in `depends` order. */
  readonly requirementsOf = new Map<number, number[]>();
  readonly restrictions: Restriction[] = [];
  /** Root index → its variable. */
  readonly rootVars: number[] = [];
  /** Freeze variables in the order they are decided. */
  readonly freezeVars: number[] = [];

  /** Candidate id → its variable, or -1 (grown with the provider's candidates). */
  private candidateVars = new Int32Array(1024).fill(-1);
  private readonly variablesOfIds = new WeakMap<readonly number[], readonly number[]>();
  private readonly restrictionIndex = new Map<string, number>();
  /** Per variable: bit ACTIVE once a candidate is in its name's group, bit EXPANDED once its clauses exist. */
  private state = new Uint8Array(1024);
  /** Per package name, what its candidates share; one lookup per activated candidate. */
  private readonly groups = new Map<string, NameGroup>();
  private readonly freezes = new Map<string, Freeze>();

  constructor(
    readonly provider: CandidateProvider,
    readonly roots: readonly RootConstraint[],
    private readonly newVariable: () => number,
    private readonly emit: EmitClause,
    private readonly emitBinary: EmitBinaryClause,
  ) {}

  /**
   * Level-0 facts and the requests' clauses. `frozenNames` get a freeze variable each,
   * in the order given (the order they are tried).
   */
  start(frozenNames: readonly string[]): void {
    this.roots.forEach((root, j) => {
      const variable = this.variable(VarKind.Root, j);
      this.rootVars.push(variable);
      this.emit([pos(variable)], ClauseKind.Root, j);
      if (root.kind === 'pin') this.addRestriction(root.spec.name, root.text, root.spec, variable, j);
    });
    for (const name of frozenNames) {
      const variable = this.variable(VarKind.Freeze, this.freezeVars.length);
      this.freezeVars.push(variable);
      this.freezes.set(name, { variable, keep: null });
    }
    this.roots.forEach((root, j) => {
      if (root.kind === 'spec') {
        this.addRequirement(this.rootVars[j] as number, j, root.spec.name, root.text, this.provider.matching(root.spec));
      }
    });
  }

  /** The candidate id of a candidate variable, else -1. */
  candidateOf(variable: number): number {
    return this.varKind[variable] === VarKind.Candidate ? (this.varData[variable] as number) : -1;
  }

  /** The candidate variable of a candidate id, if it has one yet. */
  variableOf(candidate: number): number | undefined {
    const variable = candidate < this.candidateVars.length ? (this.candidateVars[candidate] as number) : -1;
    return variable < 0 ? undefined : variable;
  }

  /**
   * True when choosing the candidate would clash at once with a record already chosen: a
   * dependency or constraint on a name whose true candidate it does not accept. Such a
   * candidate is inconsistent with the current decisions, so skipping it at decision time
   * changes no answer; it saves the conflict, the backjump and the redone decisions
   * (`python 3.6.*` with a dozen packages whose newest builds are py37 would otherwise
   * cost one conflict per package and redo everything decided after python each time).
   */
  clashesWithChosen(variable: number, isTrue: (variable: number) => boolean): boolean {
    const id = this.varData[variable] as number;
    for (const dep of this.provider.depends(id)) {
      const chosen = this.chosenOf(dep.spec.name, isTrue);
      if (chosen >= 0 && !this.provider.matching(dep.spec, dep.text).includes(this.varData[chosen] as number)) return true;
    }
    for (const constraint of this.provider.constrains(id)) {
      const chosen = this.chosenOf(constraint.spec.name, isTrue);
      if (chosen >= 0 && !constraint.spec.matches(this.provider.candidate(this.varData[chosen] as number).record)) return true;
    }
    return false;
  }

  /** The true candidate variable of a name, else -1. */
  private chosenOf(name: string, isTrue: (variable: number) => boolean): number {
    const active = this.groups.get(name)?.active;
    if (active === undefined) return -1;
    for (let i = 0; i < active.length; i++) if (isTrue(active[i] as number)) return active[i] as number;
    return -1;
  }

  /** Generates the clauses of a candidate that just became true (once per candidate). */
  expand(variable: number): void {
    if ((this.state[variable]! & EXPANDED) !== 0) return;
    this.state[variable]! |= EXPANDED;
    const id = this.varData[variable] as number;
    for (const dep of this.provider.depends(id)) {
      this.addRequirement(variable, -1, dep.spec.name, dep.text, this.provider.matching(dep.spec, dep.text));
    }
    for (const constraint of this.provider.constrains(id)) {
      const name = constraint.spec.name;
      const key = `${name}\u0000${constraint.text}`;
      let index = this.restrictionIndex.get(key);
      if (index === undefined) {
        index = this.addRestriction(name, constraint.text, constraint.spec, this.variable(VarKind.Restriction, this.restrictions.length), -1);
        this.restrictionIndex.set(key, index);
      }
      this.emitBinary(neg(variable), pos(this.restrictions[index]!.variable), ClauseKind.Constrains, index);
    }
  }

  private variable(kind: number, data: number): number {
    const variable = this.newVariable();
    this.varKind[variable] = kind;
    this.varData[variable] = data;
    if (variable >= this.state.length) this.state = grown(this.state, variable, 0);
    return variable;
  }

  private candidateVariable(id: number): number {
    if (id >= this.candidateVars.length) this.candidateVars = grown(this.candidateVars, id, -1);
    let variable = this.candidateVars[id] as number;
    if (variable < 0) {
      variable = this.variable(VarKind.Candidate, id);
      this.candidateVars[id] = variable;
    }
    return variable;
  }

  private group(name: string): NameGroup {
    let group = this.groups.get(name);
    if (group === undefined) {
      group = { active: [], restrictions: [], lastHelper: -1 };
      this.groups.set(name, group);
    }
    return group;
  }

  private addRequirement(parent: number, root: number, name: string, text: string, ids: readonly number[]): void {
    // `ids` comes memoised per spec text (provider.matching), so every candidate requiring the
    // same spec shares one list of variables instead of holding a copy.
    let candidates = this.variablesOfIds.get(ids);
    if (candidates === undefined) {
      candidates = ids.map((id) => this.candidateVariable(id));
      this.variablesOfIds.set(ids, candidates);
    }
    for (let i = 0; i < candidates.length; i++) this.activate(candidates[i] as number);
    const index = this.requirements.length;
    this.requirements.push({ parent, root, name, text, candidates });
    let own = this.requirementsOf.get(parent);
    if (own === undefined) {
      own = [];
      this.requirementsOf.set(parent, own);
    }
    own.push(index);
    const literals = new Array<number>(candidates.length + 1);
    literals[0] = neg(parent);
    for (let i = 0; i < candidates.length; i++) literals[i + 1] = pos(candidates[i] as number);
    this.emit(literals, ClauseKind.Requires, index);
  }

  private addRestriction(name: string, text: string, spec: MatchSpec, variable: number, root: number): number {
    const index = this.restrictions.length;
    this.restrictions.push({ name, text, spec, variable, root });
    const group = this.group(name);
    group.restrictions.push(index);
    for (const candidate of group.active) this.exclude(index, candidate);
    return index;
  }

  private exclude(restriction: number, candidate: number): void {
    const { spec, variable } = this.restrictions[restriction]!;
    const record = this.provider.candidate(this.varData[candidate] as number).record;
    if (!spec.matches(record)) this.emitBinary(neg(variable), neg(candidate), ClauseKind.Excludes, restriction);
  }

  /** First mention of a candidate: at-most-one membership, exclusions, freeze, brokenness. */
  private activate(candidate: number): void {
    if ((this.state[candidate]! & ACTIVE) !== 0) return;
    this.state[candidate]! |= ACTIVE;
    const id = this.varData[candidate] as number;
    const name = this.provider.candidate(id).name;
    if (this.provider.unusableReason(id) !== undefined) this.emit([neg(candidate)], ClauseKind.Broken, candidate);

    // Sequential at-most-one: helper_i means "one of the first i members is true".
    const group = this.group(name);
    const previous = group.lastHelper;
    const helper = this.variable(VarKind.Helper, candidate);
    this.emitBinary(neg(candidate), pos(helper), ClauseKind.ForbidMultiple, candidate);
    if (previous >= 0) {
      this.emitBinary(neg(previous), pos(helper), ClauseKind.ForbidMultiple, -1);
      this.emitBinary(neg(previous), neg(candidate), ClauseKind.ForbidMultiple, candidate);
    }
    group.lastHelper = helper;

    group.active.push(candidate);
    for (const restriction of group.restrictions) this.exclude(restriction, candidate);

    const freeze = this.freezes.size === 0 ? undefined : this.freezes.get(name);
    if (freeze !== undefined) {
      if (freeze.keep === null) freeze.keep = this.keptCandidate(name);
      if (freeze.keep >= 0 && freeze.keep !== candidate) this.emitBinary(neg(freeze.variable), neg(candidate), ClauseKind.Freeze, candidate);
    }
  }

  /** The favored record of a name (highest favor, first in order) as a variable; -1 if none. */
  private keptCandidate(name: string): number {
    let best = -1;
    let bestFavor = 0;
    for (const id of this.provider.candidatesOf(name)) {
      const favor = this.provider.candidate(id).favor;
      if (favor > bestFavor) {
        best = id;
        bestFavor = favor;
      }
    }
    return best < 0 ? -1 : this.candidateVariable(best);
  }
}

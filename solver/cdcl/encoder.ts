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

  private readonly candidateVars = new Map<number, number>();
  private readonly restrictionIndex = new Map<string, number>();
  private readonly restrictionsOfName = new Map<string, number[]>();
  private readonly activeOfName = new Map<string, number[]>();
  private readonly active = new Set<number>();
  private readonly expanded = new Set<number>();
  private readonly lastHelper = new Map<string, number>();
  private readonly freezes = new Map<string, Freeze>();

  constructor(
    readonly provider: CandidateProvider,
    readonly roots: readonly RootConstraint[],
    private readonly newVariable: () => number,
    private readonly emit: EmitClause,
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
    return this.candidateVars.get(candidate);
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
    for (const candidate of this.activeOfName.get(name) ?? []) if (isTrue(candidate)) return candidate;
    return -1;
  }

  /** Generates the clauses of a candidate that just became true (once per candidate). */
  expand(variable: number): void {
    if (this.expanded.has(variable)) return;
    this.expanded.add(variable);
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
      this.emit([neg(variable), pos(this.restrictions[index]!.variable)], ClauseKind.Constrains, index);
    }
  }

  private variable(kind: number, data: number): number {
    const variable = this.newVariable();
    this.varKind[variable] = kind;
    this.varData[variable] = data;
    return variable;
  }

  private candidateVariable(id: number): number {
    let variable = this.candidateVars.get(id);
    if (variable === undefined) {
      variable = this.variable(VarKind.Candidate, id);
      this.candidateVars.set(id, variable);
    }
    return variable;
  }

  private addRequirement(parent: number, root: number, name: string, text: string, ids: readonly number[]): void {
    const candidates = ids.map((id) => this.candidateVariable(id));
    for (const candidate of candidates) this.activate(candidate);
    const index = this.requirements.length;
    this.requirements.push({ parent, root, name, text, candidates });
    let own = this.requirementsOf.get(parent);
    if (own === undefined) {
      own = [];
      this.requirementsOf.set(parent, own);
    }
    own.push(index);
    this.emit([neg(parent), ...candidates.map(pos)], ClauseKind.Requires, index);
  }

  private addRestriction(name: string, text: string, spec: MatchSpec, variable: number, root: number): number {
    const index = this.restrictions.length;
    this.restrictions.push({ name, text, spec, variable, root });
    const list = this.restrictionsOfName.get(name) ?? [];
    list.push(index);
    this.restrictionsOfName.set(name, list);
    for (const candidate of this.activeOfName.get(name) ?? []) this.exclude(index, candidate);
    return index;
  }

  private exclude(restriction: number, candidate: number): void {
    const { spec, variable } = this.restrictions[restriction]!;
    const record = this.provider.candidate(this.varData[candidate] as number).record;
    if (!spec.matches(record)) this.emit([neg(variable), neg(candidate)], ClauseKind.Excludes, restriction);
  }

  /** First mention of a candidate: at-most-one membership, exclusions, freeze, brokenness. */
  private activate(candidate: number): void {
    if (this.active.has(candidate)) return;
    this.active.add(candidate);
    const id = this.varData[candidate] as number;
    const name = this.provider.candidate(id).name;
    if (this.provider.unusableReason(id) !== undefined) this.emit([neg(candidate)], ClauseKind.Broken, candidate);

    // Sequential at-most-one: helper_i means "one of the first i members is true".
    const previous = this.lastHelper.get(name);
    const helper = this.variable(VarKind.Helper, candidate);
    this.emit([neg(candidate), pos(helper)], ClauseKind.ForbidMultiple, candidate);
    if (previous !== undefined) {
      this.emit([neg(previous), pos(helper)], ClauseKind.ForbidMultiple, -1);
      this.emit([neg(previous), neg(candidate)], ClauseKind.ForbidMultiple, candidate);
    }
    this.lastHelper.set(name, helper);

    const members = this.activeOfName.get(name) ?? [];
    members.push(candidate);
    this.activeOfName.set(name, members);
    for (const restriction of this.restrictionsOfName.get(name) ?? []) this.exclude(restriction, candidate);

    const freeze = this.freezes.get(name);
    if (freeze !== undefined) {
      if (freeze.keep === null) freeze.keep = this.keptCandidate(name);
      if (freeze.keep >= 0 && freeze.keep !== candidate) this.emit([neg(freeze.variable), neg(candidate)], ClauseKind.Freeze, candidate);
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

/**
 * The first taipan solver: the conda problem as CNF for logic-solver (MiniSat in asm.js),
 * with preference expressed as ordered `solveAssuming` calls rather than
 * `minimizeWeightedSum` (whose adder circuits blow MiniSat's fixed 64 MiB heap at channel
 * size; ARCHITECTURE.md §5).
 *
 * Encoding, one boolean variable `r<id>` per candidate record of every reachable name:
 * - requested spec j:  s_j → OR(records matching it)            (`s<j>` selects spec j)
 * - pin j:             s_j → ¬x for every record x of the name not matching it
 * - depends of r:      r → d_k,  d_k → OR(records matching the dependency); one auxiliary
 *                      `d<k>` per distinct dependency text: real repodata repeats
 *                      `libgcc-ng >=12` on thousands of records, each matching a hundred
 *                      builds, and sharing the long OR cut clause building several-fold.
 *                      An empty OR makes r impossible.
 * - constrains of r:   r → c_k,  c_k → ¬x for each record x of the name not matching it
 *                      (one auxiliary `c<k>` per distinct constraint text, so a constraint
 *                      shared by a thousand records costs a thousand binary clauses, not a
 *                      million)
 * - one name:          at most one record per name
 * Selectors are assumed (not required) so that an unsatisfiable request can be shrunk to
 * a minimal core of specs for the message.
 */
import Logic from 'logic-solver';
import { minimalCore } from '../core.js';
import { explainConflict } from '../explain.js';
import { preflight } from '../preflight.js';
import { CandidateProvider } from '../provider.js';
import { requestedNames, rootConstraints, type RootConstraint } from '../roots.js';
import type { SolveResult, SolverTask } from '../task.js';
import { toSolveResult } from '../result.js';

const recordVar = (id: number): string => `r${id}`;
const notVar = (name: string): string => `-${name}`;

/** Counters of the last solve, for benchmarks and tests. */
export interface LogicSolverStats {
  names: number;
  candidates: number;
  satCalls: number;
  /** Milliseconds loading and ordering candidates (and the not-found checks). */
  exploreMs: number;
  /** Milliseconds building clauses. */
  encodeMs: number;
  /** Milliseconds in SAT calls and their bookkeeping (freeze, greedy choice, ordering). */
  searchMs: number;
}

/**
 * Solves synchronously. Throws a SolveError (PACKAGE_NOT_FOUND or UNSATISFIABLE) when the
 * request has no solution.
 */
export function solveWithLogicSolver(task: SolverTask): { result: SolveResult; stats: LogicSolverStats } {
  return Logic.disablingAssertions(() => {
    const started = performance.now();
    const provider = new CandidateProvider(task);
    const roots = rootConstraints(task);
    provider.explore(requestedNames(task));
    preflight(provider, roots, task);
    const explored = performance.now();

    const encoding = new Encoding(provider, roots, task.signal);
    encoding.encode();
    const encoded = performance.now();

    const allSelectors = roots.map((_, j) => `s${j}`);
    if (!encoding.satisfiable(allSelectors)) {
      const core = minimalCore(roots, (subset) => encoding.satisfiable(subset.map((root) => `s${roots.indexOf(root)}`)));
      throw explainConflict(provider, core);
    }
    for (const selector of allSelectors) encoding.solver.require(selector);

    encoding.freezeFavored();
    const chosen = encoding.chooseGreedily(requestedNames(task));
    const stats: LogicSolverStats = {
      names: provider.names.length,
      candidates: provider.candidates.length,
      satCalls: encoding.satCalls,
      exploreMs: explored - started,
      encodeMs: encoded - explored,
      searchMs: performance.now() - encoded,
    };
    return { result: toSolveResult(provider, chosen), stats };
  });
}

class Encoding {
  readonly solver = new Logic.Solver();
  satCalls = 0;
  private model: Logic.Solution | null = null;
  private readonly constraintVars = new Map<string, string>();
  private readonly dependencyVars = new Map<string, string>();

  constructor(
    private readonly provider: CandidateProvider,
    private readonly roots: readonly RootConstraint[],
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Adds every clause for the names the provider has explored. */
  encode(): void {
    const { provider, solver } = this;
    this.roots.forEach((root, j) => {
      const selector = `s${j}`;
      if (root.kind === 'spec') {
        solver.require(Logic.or(notVar(selector), ...provider.matching(root.spec).map(recordVar)));
      } else if (provider.isLoaded(root.spec.name)) {
        const ok = new Set(provider.matching(root.spec));
        for (const id of provider.candidatesOf(root.spec.name)) {
          if (!ok.has(id)) solver.require(Logic.or(notVar(selector), notVar(recordVar(id))));
        }
      }
    });

    for (const name of provider.names) {
      const ids = provider.candidatesOf(name);
      if (ids.length > 1) solver.require(Logic.atMostOne(ids.map(recordVar)));
      for (const id of ids) this.encodeRecord(id);
    }
  }

  private encodeRecord(id: number): void {
    const { provider, solver } = this;
    const self = recordVar(id);
    if (provider.brokenReason(id) !== undefined) {
      solver.forbid(self);
      return;
    }
    for (const dep of provider.depends(id)) {
      const matches = provider.matching(dep.spec, dep.text);
      const target = matches.length <= 2 ? matches.map(recordVar) : [this.dependencyVar(dep.spec.name, dep.text, matches)];
      solver.require(Logic.or(notVar(self), ...target));
    }
    for (const constraint of provider.constrains(id)) {
      // A constraint on a name no spec can reach can never bite.
      if (!provider.isLoaded(constraint.spec.name)) continue;
      solver.require(Logic.or(notVar(self), this.constraintVar(constraint.spec.name, constraint.text, constraint.spec)));
    }
  }

  private constraintVar(name: string, text: string, spec: Parameters<CandidateProvider['matching']>[0]): string {
    const key = `${name}\u0000${text}`;
    let variable = this.constraintVars.get(key);
    if (variable === undefined) {
      variable = `c${this.constraintVars.size}`;
      this.constraintVars.set(key, variable);
      const ok = new Set(this.provider.matching(spec, text));
      for (const id of this.provider.candidatesOf(name)) {
        if (!ok.has(id)) this.solver.require(Logic.or(notVar(variable), notVar(recordVar(id))));
      }
    }
    return variable;
  }

  private dependencyVar(name: string, text: string, matches: readonly number[]): string {
    const key = `${name}\u0000${text}`;
    let variable = this.dependencyVars.get(key);
    if (variable === undefined) {
      variable = `d${this.dependencyVars.size}`;
      this.dependencyVars.set(key, variable);
      this.solver.require(Logic.or(notVar(variable), ...matches.map(recordVar)));
    }
    return variable;
  }

  /** Is there a solution with these selectors (and everything required so far)? */
  satisfiable(selectors: readonly string[]): boolean {
    return this.trySolve(selectors.length === 0 ? Logic.TRUE : Logic.and(...selectors)) !== null;
  }

  private trySolve(assumption: Logic.FormulaOrTerm): Logic.Solution | null {
    this.signal?.throwIfAborted();
    this.satCalls++;
    const solution = this.solver.solveAssuming(assumption);
    if (solution !== null) {
      // A record no clause mentions yet is simply false in this model.
      solution.ignoreUnknownVariables();
      this.model = solution;
    }
    return solution;
  }

  /** Makes `formula` hold for the rest of the solve if it can; checks the last model first. */
  private keepIfPossible(formula: Logic.FormulaOrTerm): boolean {
    if (this.model === null || !this.model.evaluate(formula)) {
      if (this.trySolve(formula) === null) return false;
    }
    this.solver.require(formula);
    return true;
  }

  /**
   * "Freeze installed": for each reachable name with a locked or installed record, in BFS
   * order, require "if this name is in the result it is that record" when the request
   * still has a solution with it. This does not force the name into the result. Done
   * before any version is maximised, so a new request adapts to the prefix instead of
   * upgrading it (conda's freeze-installed first attempt).
   */
  freezeFavored(): void {
    for (const name of this.provider.names) {
      const ids = this.provider.candidatesOf(name);
      const favored = ids.filter((id) => this.provider.candidate(id).favor > 0);
      if (favored.length === 0) continue;
      const best = Math.max(...favored.map((id) => this.provider.candidate(id).favor));
      // Several favored records of one name: the highest favor wins, the first of those.
      const keep = favored.find((id) => this.provider.candidate(id).favor === best) as number;
      const others = ids.filter((id) => id !== keep).map((id) => notVar(recordVar(id)));
      if (others.length > 0) this.keepIfPossible(Logic.and(...others));
    }
  }

  /**
   * Greedy lexicographic preference. Names are decided in BFS order starting from the
   * requested ones; a name enters the queue only when a record already chosen depends on
   * it, so names nothing chosen needs are never installed. For each name, candidates are
   * tried in preference order and the first that keeps the problem satisfiable is required.
   * Every queued name gets a record: the clause of the record that queued it (or of the
   * spec) demands one, so some candidate always succeeds.
   */
  chooseGreedily(requested: readonly string[]): number[] {
    const chosen: number[] = [];
    const queue = [...requested];
    const queued = new Set(queue);
    for (let head = 0; head < queue.length; head++) {
      const name = queue[head] as string;
      const pick = this.provider.candidatesOf(name).find((id) => this.keepIfPossible(recordVar(id)));
      if (pick === undefined) {
        throw new Error(`internal solver error: no record of '${name}' fits, although the problem is satisfiable`);
      }
      chosen.push(pick);
      for (const dep of this.provider.depends(pick)) {
        if (!queued.has(dep.spec.name)) {
          queued.add(dep.spec.name);
          queue.push(dep.spec.name);
        }
      }
    }
    return chosen;
  }
}

/**
 * The default solver backend: a resolvo-style CDCL search (search.ts) over lazily generated
 * clauses (encoder.ts), with conda's preferences as its decision order (decide.ts) and
 * conflicts explained from the refutation it found (unsat-core.ts, conflict-tree.ts).
 */
import { minimalCore } from '../core.js';
import { explainConflict } from '../explain.js';
import { preflight } from '../preflight.js';
import { CandidateProvider } from '../provider.js';
import { rootConstraints, type RootConstraint } from '../roots.js';
import { toSolveResult } from '../result.js';
import { SolveError, type SolveResult, type SolverBackend, type SolverTask } from '../task.js';
import { ClauseKind } from './clause-store.js';
import { conflictTree, renderTree } from './conflict-tree.js';
import { freezeOrder } from './freeze-order.js';
import { CdclSearch, type SearchStats } from './search.js';
import { unsatCore } from './unsat-core.js';

export interface CdclOptions {
  /** Gives up (rejecting with a `TimeoutError` DOMException) after this many milliseconds. */
  readonly timeoutMs?: number;
}

/** Counters of the last solve, for benchmarks and tests. */
export interface CdclStats extends SearchStats {
  names: number;
  candidates: number;
  variables: number;
  clauses: number;
  /** Searches run: 1 for a solution, more when an unsatisfiable request is minimised. */
  searches: number;
  ms: number;
}

/** {@link SolverBackend} on the CDCL engine. Synchronous inside; the Promise is the shared contract. */
export class CdclBackend implements SolverBackend {
  readonly name = 'cdcl';
  /** Set after each solve that got as far as searching. */
  lastStats: CdclStats | undefined;

  constructor(private readonly options: CdclOptions = {}) {}

  async solve(task: SolverTask): Promise<SolveResult> {
    return solveWithCdcl(task, this.options, (stats) => {
      this.lastStats = stats;
    });
  }
}

/**
 * Solves synchronously. Throws a SolveError (PACKAGE_NOT_FOUND or UNSATISFIABLE) when the
 * request has no solution, and the signal's reason (or a TimeoutError) when interrupted.
 */
export function solveWithCdcl(task: SolverTask, options: CdclOptions = {}, onStats?: (stats: CdclStats) => void): SolveResult {
  const started = performance.now();
  const deadline = options.timeoutMs === undefined ? Infinity : started + options.timeoutMs;
  const interrupt = (): void => {
    task.signal?.throwIfAborted();
    if (performance.now() > deadline) throw new DOMException(`the solve took longer than ${options.timeoutMs} ms`, 'TimeoutError');
  };
  interrupt();
  const provider = new CandidateProvider(task);
  const roots = rootConstraints(task);
  preflight(provider, roots, task);

  let searches = 0;
  const search = (subset: readonly RootConstraint[]): CdclSearch => {
    searches++;
    const requested = [...new Set(subset.filter((r) => r.kind === 'spec').map((r) => r.spec.name))];
    return new CdclSearch(provider, subset, freezeOrder(task, requested), interrupt);
  };
  const report = (last: CdclSearch): void => {
    onStats?.({
      ...last.stats,
      names: provider.names.length,
      candidates: provider.candidates.length,
      variables: last.assignment.numVars,
      clauses: last.store.count,
      searches,
      ms: performance.now() - started,
    });
  };

  const first = search(roots);
  const outcome = first.run();
  if (outcome.sat) {
    report(first);
    return toSolveResult(provider, outcome.candidates);
  }

  // The refutation names the requests it used; shrink that set further so the message
  // names only specs that really clash (each re-check is a fresh search on fewer roots).
  let coreRoots = rootsOf(first, outcome.conflict);
  let final = first;
  let finalConflict = outcome.conflict;
  if (coreRoots.length > 1) {
    const minimal = minimalCore(coreRoots, (subset) => search(subset).run().sat);
    if (minimal.length < coreRoots.length) {
      final = search(minimal);
      const again = final.run();
      if (again.sat) throw new Error('internal solver error: a minimal unsatisfiable core became satisfiable');
      finalConflict = again.conflict;
      coreRoots = minimal;
    }
  }
  report(final);
  throw explainUnsat(provider, final, finalConflict, coreRoots);
}

/** The roots whose level-0 facts the refutation used, in request order. */
function rootsOf(search: CdclSearch, conflict: number): RootConstraint[] {
  const { store } = search;
  const used = new Set(
    unsatCore(store, search.assignment, search.derivations, conflict)
      .filter((clause) => store.kind(clause) === ClauseKind.Root)
      .map((clause) => store.data(clause)),
  );
  return search.encoder.roots.filter((_, j) => used.has(j));
}

/**
 * The UNSATISFIABLE error: the short summary of the shared explainer (which specs, and the
 * dependency chains that meet) first, then the tree of the actual conflict.
 */
function explainUnsat(provider: CandidateProvider, search: CdclSearch, conflict: number, core: readonly RootConstraint[]): SolveError {
  const summary = explainConflict(provider, core);
  const clauses = unsatCore(search.store, search.assignment, search.derivations, conflict);
  const tree = conflictTree(search.encoder, search.store, search.assignment, clauses);
  const message = `${summary.message}\n${renderTree(tree).join('\n')}`;
  return new SolveError('UNSATISFIABLE', message, { ...summary.failure, tree }, summary.hint);
}

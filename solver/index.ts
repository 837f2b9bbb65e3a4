/**
 * taipan's solver: given what the user asks for and what the channels offer, pick one
 * record per needed package name, newest first, and return them in install order.
 *
 * Semantics (all backends):
 * - Each requested spec is met by exactly one record of its name; every other name gets at
 *   most one record, and only if a chosen record depends on it.
 * - `depends` must be met by a record in the result; `constrains` only restricts a name if
 *   it is in the result for another reason; pins are constrains from the user.
 * - Preference is lexicographic in breadth-first order from the requested names: the first
 *   requested name gets its best possible record (conda order, see candidates.ts), then the
 *   next, then their dependencies. Installed/locked records are kept when possible.
 * - Virtual packages (`__*`) come from `task.virtualPackages` only and are not returned.
 * - Deterministic: the same task always gives the same records in the same order.
 *
 * Backends: `cdcl` (default; cdcl/, lazy clauses and conda's preferences as the decision
 * order, conflicts explained as a tree on `SolveError.failure.tree`) and `logic-solver`
 * (backends/logic-solver.ts, kept as a cross-check; `--solver logic-solver`).
 */
import { TaipanError } from '../channels/model/errors.js';
import { LogicSolverBackend } from './backends/logic-solver-backend.js';
import { CdclBackend } from './cdcl/backend.js';
import { displayText } from './roots.js';
import type { SolveResult, SolverBackend, SolverTask } from './task.js';

export type { CandidateSource, ChannelPriority, ConflictNode, SolveFailure, SolveResult, SolverBackend, SolverTask } from './task.js';
export { SolveError } from './task.js';
export { LogicSolverBackend } from './backends/logic-solver-backend.js';
export type { LogicSolverStats } from './backends/logic-solver.js';
export { CdclBackend, solveWithCdcl, type CdclOptions, type CdclStats } from './cdcl/backend.js';
export { renderTree } from './cdcl/conflict-tree.js';
export { compareRecords, orderCandidates } from './candidates.js';

/** Names of the selectable backends (`--solver`). */
export const BACKEND_NAMES = ['cdcl', 'logic-solver'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * A fresh backend by name: `cdcl` (the default: lazy CDCL with conda's preferences as its
 * decision order) or `logic-solver` (MiniSat via logic-solver, kept as a cross-check).
 */
export function backendByName(name: BackendName): SolverBackend {
  switch (name) {
    case 'cdcl':
      return new CdclBackend();
    case 'logic-solver':
      return new LogicSolverBackend();
    default:
      throw new TaipanError('INVALID_ARGUMENT', `unknown solver '${String(name)}'`, { hint: `choose one of ${BACKEND_NAMES.join(', ')}` });
  }
}

export interface SolveOptions {
  /** Which implementation solves; the CDCL backend by default. */
  backend?: SolverBackend;
}

/**
 * Solves `task`. Rejects with a SolveError (`PACKAGE_NOT_FOUND` or `UNSATISFIABLE`, each
 * with a readable message and `failure` details), or a TaipanError `INVALID_MATCH_SPEC`
 * for a requested spec without a package name.
 */
export async function solve(task: SolverTask, options: SolveOptions = {}): Promise<SolveResult> {
  for (const spec of [...task.specs, ...(task.pinned ?? [])]) {
    // A nameless (`*`) or glob name (`py*`) cannot be solved for: which package would it be?
    if (typeof spec.name !== 'string' || spec.name === '' || spec.name.includes('*')) {
      throw new TaipanError('INVALID_MATCH_SPEC', `'${displayText(spec)}' names no package; the solver needs a package name`, {
        hint: 'write the spec as `name [version [build]]`, e.g. `numpy >=1.20`',
      });
    }
  }
  const backend = options.backend ?? new CdclBackend();
  return backend.solve(task);
}

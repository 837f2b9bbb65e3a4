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
 */
import { TaipanError } from '../channels/model/errors.js';
import { LogicSolverBackend } from './backends/logic-solver.js';
import { displayText } from './roots.js';
import type { SolveResult, SolverBackend, SolverTask } from './task.js';

export type { CandidateSource, ChannelPriority, SolveFailure, SolveResult, SolverBackend, SolverTask } from './task.js';
export { SolveError } from './task.js';
export { LogicSolverBackend, solveWithLogicSolver, type LogicSolverStats } from './backends/logic-solver.js';
export { compareRecords, orderCandidates } from './candidates.js';

export interface SolveOptions {
  /** Which implementation solves; the logic-solver backend by default. */
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
  const backend = options.backend ?? new LogicSolverBackend();
  return backend.solve(task);
}

/**
 * {@link SolverBackend} on logic-solver. The engine is loaded on the first solve: logic-solver
 * sets up a 64 MiB asm.js heap when imported, about 0.4 s, which every taipan command would
 * otherwise pay although only `--solver logic-solver` and the tests use it.
 */
import type { LogicSolverStats } from './logic-solver.js';
import type { SolveResult, SolverBackend, SolverTask } from '../task.js';

export class LogicSolverBackend implements SolverBackend {
  readonly name = 'logic-solver';
  /** Set after each solve. */
  lastStats: LogicSolverStats | undefined;

  async solve(task: SolverTask): Promise<SolveResult> {
    const { solveWithLogicSolver } = await import('./logic-solver.js');
    const { result, stats } = solveWithLogicSolver(task);
    this.lastStats = stats;
    return result;
  }
}

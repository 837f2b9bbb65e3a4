/**
 * Turning chosen candidate ids into the public result; shared by every backend so that
 * they all return the same order for the same choice.
 */
import type { CandidateProvider } from './provider.js';
import type { SolveResult } from './task.js';
import { topologicalOrder } from './topo.js';

/** Drops virtual packages and sorts the rest dependencies-first. */
export function toSolveResult(provider: CandidateProvider, chosen: readonly number[]): SolveResult {
  const nodes = chosen
    .map((id) => provider.candidate(id))
    .filter((candidate) => !candidate.virtual)
    .map(({ id, name, record }) => ({
      name,
      value: record,
      // Declared names even under noDeps: the chosen records still install in that order.
      dependsOn: provider.declaredDependencyNames(id),
      lateInCycle: record.noarch === 'python',
    }));
  return { records: topologicalOrder(nodes) };
}

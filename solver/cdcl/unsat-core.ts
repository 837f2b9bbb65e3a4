/**
 * Replays the refutation behind a level-0 conflict down to original clauses. At level 0
 * every literal of the conflicting clause is false because of a reason clause, whose other
 * literals are false for reasons of their own, and so on; a learned clause in that chain
 * is replaced by the clauses it was resolved from (plus the reasons of the level-0
 * literals analysis dropped from it). The original clauses reached are an unsatisfiable
 * core: the requests, pins, requirements and exclusions that cannot hold together.
 */
import type { Assignment } from './assignment.js';
import { ClauseKind, type ClauseStore } from './clause-store.js';
import { varOf } from './literals.js';
import type { Derivation } from './search.js';

/** Original (non-learned) clause ids involved in the level-0 conflict `conflict`. */
export function unsatCore(store: ClauseStore, assignment: Assignment, derivations: readonly Derivation[], conflict: number): number[] {
  const core: number[] = [];
  const derived = new Set<number>();
  const justified = new Set<number>();
  // Work items: [clause, -1] derives a clause; [-1, variable] justifies a level-0 value.
  const work: [number, number][] = [[conflict, -1]];
  for (const literal of store.literals(conflict)) work.push([-1, varOf(literal)]);
  while (work.length > 0) {
    const [clause, variable] = work.pop() as [number, number];
    if (clause >= 0) {
      if (derived.has(clause)) continue;
      derived.add(clause);
      if (store.kind(clause) !== ClauseKind.Learned) {
        core.push(clause);
        continue;
      }
      const derivation = derivations[store.data(clause)] as Derivation;
      for (const antecedent of derivation.antecedents) work.push([antecedent, -1]);
      for (const dropped of derivation.droppedAtLevelZero) work.push([-1, dropped]);
      continue;
    }
    if (justified.has(variable)) continue;
    justified.add(variable);
    const reason = assignment.reasonOf(variable);
    if (reason < 0) continue;
    work.push([reason, -1]);
    for (const literal of store.literals(reason)) {
      const other = varOf(literal);
      if (other !== variable) work.push([-1, other]);
    }
  }
  return core.sort((a, b) => a - b);
}

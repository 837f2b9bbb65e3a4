/**
 * Unit propagation with two watched literals. A clause is revisited only when one of its
 * two watched literals becomes false; it then finds another non-false literal to watch,
 * or is unit (its other watch gets implied) or conflicting.
 */
import type { Assignment } from './assignment.js';
import type { ClauseStore } from './clause-store.js';
import { FALSE, TRUE } from './literals.js';

/**
 * Propagates every trail literal not yet seen. Returns the id of a conflicting clause, or
 * -1 at a fixpoint. Counts implied literals in `stats.propagations`.
 */
export function propagate(store: ClauseStore, assignment: Assignment, stats: { propagations: number }): number {
  const trail = assignment.trail;
  const lits = store.lits;
  while (assignment.qhead < trail.length) {
    const falseLit = (trail[assignment.qhead++] as number) ^ 1;
    let previous = -1;
    let node = store.firstWatch(falseLit);
    while (node >= 0) {
      const next = store.nextWatch(node);
      const clause = node >> 1;
      const start = store.start(clause);
      // Keep the false literal in the second watch slot.
      if (lits[start] === falseLit) {
        lits[start] = lits[start + 1] as number;
        lits[start + 1] = falseLit;
      }
      const first = lits[start] as number;
      const firstValue = assignment.litValue(first);
      if (firstValue === TRUE) {
        previous = node;
        node = next;
        continue;
      }
      const end = start + store.length(clause);
      let moved = false;
      for (let k = start + 2; k < end; k++) {
        const candidate = lits[k] as number;
        if (assignment.litValue(candidate) !== FALSE) {
          lits[start + 1] = candidate;
          lits[k] = falseLit;
          store.moveWatch(node, previous, falseLit, candidate);
          moved = true;
          break;
        }
      }
      if (!moved) {
        if (firstValue === FALSE) {
          assignment.qhead = trail.length;
          return clause;
        }
        stats.propagations++;
        assignment.assign(first, clause);
        previous = node;
      }
      node = next;
    }
  }
  return -1;
}

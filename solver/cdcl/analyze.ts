/**
 * First-UIP conflict analysis: resolve the conflicting clause with the reasons of its
 * current-level literals, newest first, until one current-level literal is left. The result
 * is the learned clause (asserting that literal's negation), the level to jump back to, and
 * the derivation (clauses resolved, level-0 variables dropped) that conflict explanation
 * replays.
 */
import type { Assignment } from './assignment.js';
import type { ClauseStore } from './clause-store.js';
import { negate, varOf } from './literals.js';

export interface Analysis {
  /** The learned clause; literal 0 is the asserting one, literal 1 has the backjump level. */
  readonly learned: number[];
  readonly backjumpLevel: number;
  /** Clauses resolved to derive it, the conflict first. */
  readonly antecedents: number[];
  /** Variables assigned at level 0 whose literals were left out of the learned clause. */
  readonly droppedAtLevelZero: number[];
  /** Variables that took part (their names' activity gets bumped). */
  readonly involved: number[];
}

/** Analyses `conflict`, all of whose literals are false, at least one at the current level. */
export function analyze(store: ClauseStore, assignment: Assignment, conflict: number, seen: Uint8Array): Analysis {
  const level = assignment.level;
  const learned: number[] = [-1];
  const antecedents: number[] = [conflict];
  const dropped: number[] = [];
  const involved: number[] = [];
  const lits = store.lits;
  const trail = assignment.trail;
  let pathCount = 0;
  let index = trail.length - 1;
  let clause = conflict;
  let implied = -1;
  for (;;) {
    const start = store.start(clause);
    const end = start + store.length(clause);
    for (let k = start; k < end; k++) {
      const literal = lits[k] as number;
      const v = varOf(literal);
      if (implied >= 0 && v === varOf(implied)) continue;
      if (seen[v] === 1) continue;
      seen[v] = 1;
      involved.push(v);
      const at = assignment.levelOf(v);
      if (at === 0) dropped.push(v);
      else if (at === level) pathCount++;
      else learned.push(literal);
    }
    // The newest current-level literal still to resolve.
    while (seen[varOf(trail[index] as number)] !== 1 || assignment.levelOf(varOf(trail[index] as number)) !== level) index--;
    implied = trail[index] as number;
    index--;
    pathCount--;
    if (pathCount === 0) break;
    clause = assignment.reasonOf(varOf(implied));
    antecedents.push(clause);
  }
  learned[0] = negate(implied);
  for (const v of involved) seen[v] = 0;

  // The highest remaining level goes to slot 1 so that it is watched.
  let backjumpLevel = 0;
  for (let k = 1; k < learned.length; k++) {
    const at = assignment.levelOf(varOf(learned[k] as number));
    if (at > backjumpLevel) {
      backjumpLevel = at;
      const swap = learned[1] as number;
      learned[1] = learned[k] as number;
      learned[k] = swap;
    }
  }
  return { learned, backjumpLevel, antecedents, droppedAtLevelZero: dropped, involved };
}

/**
 * Decision order, which is where conda's preferences live (there is no optimisation pass):
 * 1. freeze variables, in order: keep installed/locked records when possible;
 * 2. the requests, in the order given: each gets its most preferred candidate that is not
 *    ruled out yet;
 * 3. dependencies, breadth-first from the requests through the chosen records: the
 *    shallowest unmet requirement first (among equally deep ones, the name with the most
 *    conflict activity, then breadth-first order), again its most preferred candidate.
 * Candidates come in `orderCandidates` order (favored first), so the first one left is the
 * newest usable record. Because learned clauses only rule out what cannot work with the
 * earlier decisions, the answer is the greedy lexicographic optimum over this order.
 * Candidates that clash outright with a record already chosen are passed over at decision
 * time (they could only be learned false), which keeps backjumps rare on real channels.
 */
import type { Assignment } from './assignment.js';
import type { LazyEncoder } from './encoder.js';
import { TRUE, UNASSIGNED, pos } from './literals.js';

/** The literal to decide next, or -1 when every requirement of the chosen records is met. */
export function chooseDecision(encoder: LazyEncoder, assignment: Assignment, activity: ReadonlyMap<string, number>): number {
  for (const variable of encoder.freezeVars) {
    if (assignment.value(variable) === UNASSIGNED) return pos(variable);
  }

  const { requirements } = encoder;
  const seen = new Set<string>();
  // Breadth-first over requirements; `depth` is the distance from the requests.
  const queue: number[] = [];
  const depths: number[] = [];
  for (const rootVar of encoder.rootVars) {
    for (const index of encoder.requirementsOf.get(rootVar) ?? []) {
      const requirement = requirements[index]!;
      if (seen.has(requirement.name)) continue;
      seen.add(requirement.name);
      queue.push(index);
      depths.push(0);
    }
  }

  let best = -1;
  let bestDepth = Infinity;
  let bestActivity = -1;
  for (let head = 0; head < queue.length; head++) {
    const index = queue[head] as number;
    const depth = depths[head] as number;
    if (depth > bestDepth) break;
    const requirement = requirements[index]!;
    const chosen = requirement.candidates.find((candidate) => assignment.value(candidate) === TRUE);
    if (chosen === undefined) {
      // Requests are decided strictly in the order given.
      if (requirement.root >= 0) return firstOpen(encoder, requirement.candidates, assignment);
      const score = activity.get(requirement.name) ?? 0;
      if (score > bestActivity) {
        best = index;
        bestDepth = depth;
        bestActivity = score;
      }
      continue;
    }
    for (const child of encoder.requirementsOf.get(chosen) ?? []) {
      const name = requirements[child]!.name;
      if (seen.has(name)) continue;
      seen.add(name);
      queue.push(child);
      depths.push(depth + 1);
    }
  }
  return best < 0 ? -1 : firstOpen(encoder, requirements[best]!.candidates, assignment);
}

/**
 * The first unassigned candidate that does not clash with a chosen record (see
 * `clashesWithChosen`), else the first unassigned one (its conflict then gets learned).
 * An unmet requirement always has an unassigned candidate after propagation: with every
 * candidate false its clause would be a conflict, with one left it would be unit.
 */
function firstOpen(encoder: LazyEncoder, candidates: readonly number[], assignment: Assignment): number {
  const isTrue = (variable: number): boolean => assignment.value(variable) === TRUE;
  let fallback = -1;
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i] as number;
    if (assignment.value(candidate) !== UNASSIGNED) continue;
    if (!encoder.clashesWithChosen(candidate, isTrue)) return pos(candidate);
    if (fallback < 0) fallback = candidate;
  }
  if (fallback >= 0) return pos(fallback);
  throw new Error('internal solver error: an unmet requirement has no open candidate after propagation');
}

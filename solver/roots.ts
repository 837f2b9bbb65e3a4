/**
 * The top-level constraints of a solve: the requested specs and the pins. Conflict
 * explanation works on these (which of them cannot hold together), so each keeps the text
 * a user would recognise.
 */
import type { MatchSpec } from '../channels/model/match-spec/index.js';
import type { SolverTask } from './task.js';

export interface RootConstraint {
  /** `spec`: a record of the name must be installed and match. `pin`: only restricts. */
  readonly kind: 'spec' | 'pin';
  readonly spec: MatchSpec;
  /** The spec as the user wrote it (conda's canonical form when it was not parsed from text). */
  readonly text: string;
  /** How messages name it: `'numpy >=1.20'` or `pinned 'python 3.9.*'`. */
  readonly label: string;
}

/** Requested specs first (in the order given), then pins. */
export function rootConstraints(task: SolverTask): RootConstraint[] {
  const roots: RootConstraint[] = [];
  for (const spec of task.specs) {
    const text = displayText(spec);
    roots.push({ kind: 'spec', spec, text, label: `'${text}'` });
  }
  for (const spec of task.pinned ?? []) {
    const text = displayText(spec);
    roots.push({ kind: 'pin', spec, text, label: `pinned '${text}'` });
  }
  return roots;
}

/** The requested package names, first occurrence first: the roots of the BFS order. */
export function requestedNames(task: SolverTask): string[] {
  return [...new Set(task.specs.map((spec) => spec.name))];
}

/**
 * What a message shows for a spec: the user's own text. The canonical form
 * (`c[version='>=2']`) is exact but reads worse than what was typed (`c >=2`).
 */
export function displayText(spec: MatchSpec): string {
  return spec.original?.trim() || spec.toString();
}

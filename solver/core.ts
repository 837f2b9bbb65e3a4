/**
 * Minimal unsatisfiable core over the top-level constraints: which requested specs (and
 * pins) cannot hold together. This is what a conflict message names first.
 */

/**
 * Deletion-based minimisation: drop each item in turn and keep it dropped when the rest is
 * still unsatisfiable. The result is minimal (removing any one item makes it satisfiable),
 * not necessarily the smallest; it costs one satisfiability check per item.
 *
 * `items` as a whole must be unsatisfiable, and the empty set satisfiable (installing
 * nothing always is).
 */
export function minimalCore<T>(items: readonly T[], isSatisfiable: (subset: readonly T[]) => boolean): T[] {
  let core = [...items];
  for (const item of items) {
    const without = core.filter((x) => x !== item);
    if (!isSatisfiable(without)) core = without;
  }
  return core;
}

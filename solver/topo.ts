/**
 * Install order: dependencies before dependents. Ties (and cycle breaks) are decided by
 * name so that the same solution always prints and installs in the same order.
 */

export interface TopoNode<T> {
  readonly name: string;
  readonly value: T;
  /** Names this node depends on; names outside the node set are ignored. */
  readonly dependsOn: readonly string[];
}

/**
 * Kahn's algorithm, always taking the alphabetically first ready node. Real channels have
 * dependency cycles (e.g. `python` ↔ `pip` in some builds); when nothing is ready, the
 * remaining node with the fewest unmet dependencies (then the first by name) goes next,
 * which puts the cycle's most fundamental member first.
 */
export function topologicalOrder<T>(nodes: readonly TopoNode<T>[]): T[] {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const unmet = new Map<string, Set<string>>();
  const dependents = new Map<string, string[]>();
  for (const node of nodes) {
    const deps = new Set(node.dependsOn.filter((dep) => dep !== node.name && byName.has(dep)));
    unmet.set(node.name, deps);
    for (const dep of deps) dependents.set(dep, [...(dependents.get(dep) ?? []), node.name]);
  }

  const order: T[] = [];
  const remaining = new Set([...byName.keys()].sort());
  while (remaining.size > 0) {
    let next: string | undefined;
    let fewest = Infinity;
    for (const name of remaining) {
      const count = unmet.get(name)?.size ?? 0;
      if (count < fewest) {
        fewest = count;
        next = name;
        if (count === 0) break;
      }
    }
    const name = next as string;
    remaining.delete(name);
    order.push((byName.get(name) as TopoNode<T>).value);
    for (const dependent of dependents.get(name) ?? []) unmet.get(dependent)?.delete(name);
  }
  return order;
}

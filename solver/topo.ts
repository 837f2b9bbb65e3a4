/**
 * Install order: dependencies before dependents. Ties (and cycle breaks) are decided by
 * name so that the same solution always prints and installs in the same order.
 */

export interface TopoNode<T> {
  readonly name: string;
  readonly value: T;
  /** Names this node depends on; names outside the node set are ignored. */
  readonly dependsOn: readonly string[];
  /**
   * Goes after the other members of a dependency cycle it is part of. Set for
   * `noarch: python` records: they compile their files with the environment's python, so
   * in a `python` ↔ `pip` cycle python must come first.
   */
  readonly lateInCycle?: boolean;
}

/**
 * Real channels have dependency cycles (e.g. `python` ↔ `pip` in some builds). So the
 * graph is first condensed into strongly connected components; components are emitted in
 * dependency order (Kahn, the alphabetically smallest ready component first), and inside
 * a cycle the member with the fewest unmet dependencies goes first (then by name). A
 * package that merely depends on a cycle therefore still comes after all of it.
 */
export function topologicalOrder<T>(nodes: readonly TopoNode<T>[]): T[] {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const deps = new Map<string, string[]>();
  for (const node of nodes) {
    deps.set(node.name, [...new Set(node.dependsOn.filter((d) => d !== node.name && byName.has(d)))].sort());
  }
  const components = stronglyConnected([...byName.keys()].sort(), (name) => deps.get(name) ?? []);
  const componentOf = new Map<string, number>();
  components.forEach((members, index) => members.forEach((name) => componentOf.set(name, index)));

  // Kahn over components.
  const unmet = components.map(() => new Set<number>());
  const dependents = components.map(() => new Set<number>());
  components.forEach((members, index) => {
    for (const name of members) {
      for (const dep of deps.get(name) ?? []) {
        const target = componentOf.get(dep) as number;
        if (target !== index) {
          unmet[index]?.add(target);
          dependents[target]?.add(index);
        }
      }
    }
  });
  const key = (index: number): string => (components[index] as string[])[0] as string;
  const ready = components.map((_, i) => i).filter((i) => unmet[i]?.size === 0);
  const order: T[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const index = ready.shift() as number;
    for (const name of orderCycle(components[index] as string[], deps, byName)) order.push((byName.get(name) as TopoNode<T>).value);
    for (const dependent of dependents[index] ?? []) {
      const waiting = unmet[dependent] as Set<number>;
      waiting.delete(index);
      if (waiting.size === 0) ready.push(dependent);
    }
  }
  return order;
}

/**
 * Members of one cycle: repeatedly the one with the fewest unmet in-cycle deps, `lateInCycle`
 * members last, then by name.
 */
function orderCycle<T>(members: readonly string[], deps: ReadonlyMap<string, readonly string[]>, byName: ReadonlyMap<string, TopoNode<T>>): string[] {
  if (members.length === 1) return [...members];
  const inCycle = new Set(members);
  const done = new Set<string>();
  const out: string[] = [];
  while (out.length < members.length) {
    let best: string | undefined;
    let fewest = Infinity;
    for (const name of members) {
      if (done.has(name)) continue;
      const late = byName.get(name)?.lateInCycle === true ? members.length : 0;
      const count = late + (deps.get(name) ?? []).filter((d) => inCycle.has(d) && !done.has(d)).length;
      if (count < fewest) {
        fewest = count;
        best = name;
      }
    }
    done.add(best as string);
    out.push(best as string);
  }
  return out;
}

/** Tarjan's algorithm (iterative); each component's members sorted by name. */
function stronglyConnected(names: readonly string[], edges: (name: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  for (const root of names) {
    if (index.has(root)) continue;
    const work: { name: string; next: number }[] = [{ name: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { name: string; next: number };
      const out = edges(frame.name);
      if (frame.next < out.length) {
        const dep = out[frame.next++] as string;
        if (!index.has(dep)) {
          index.set(dep, counter);
          low.set(dep, counter++);
          stack.push(dep);
          onStack.add(dep);
          work.push({ name: dep, next: 0 });
        } else if (onStack.has(dep)) {
          low.set(frame.name, Math.min(low.get(frame.name) as number, index.get(dep) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.name, Math.min(low.get(parent.name) as number, low.get(frame.name) as number));
      if (low.get(frame.name) === index.get(frame.name)) {
        const members: string[] = [];
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          members.push(member);
        } while (member !== frame.name);
        components.push(members.sort());
      }
    }
  }
  return components;
}

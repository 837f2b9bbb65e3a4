/**
 * Which installed/locked names get a freeze variable, and in what order they are tried.
 * The order matters only when keeping one installed record rules out keeping another;
 * then the one closer to the requests wins, as in the logic-solver backend (which freezes
 * in breadth-first order over everything reachable). Here the walk follows the favored
 * records' own `depends` (no channel lookups), then the remaining favored names in the
 * order given (locked before installed).
 */
import { MatchSpec } from '../../channels/model/match-spec/index.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import type { SolverTask } from '../task.js';

/** Names of favored records, closest to `requested` first. */
export function freezeOrder(task: SolverTask, requested: readonly string[]): string[] {
  const favored = new Map<string, RepoDataRecord>();
  for (const record of [...(task.locked ?? []), ...(task.installed ?? [])]) {
    if (!favored.has(record.name)) favored.set(record.name, record);
  }
  if (favored.size === 0) return [];
  const order: string[] = [];
  const seen = new Set<string>();
  const queue = [...requested];
  for (let head = 0; head < queue.length; head++) {
    const name = queue[head] as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const record = favored.get(name);
    if (record === undefined) continue;
    order.push(name);
    if (task.noDeps === true) continue;
    for (const text of record.depends) {
      const depName = nameOf(text);
      if (depName !== null && !seen.has(depName)) queue.push(depName);
    }
  }
  for (const name of favored.keys()) if (!seen.has(name)) order.push(name);
  return order;
}

function nameOf(text: string): string | null {
  try {
    return MatchSpec.parse(text).name;
  } catch {
    return null;
  }
}

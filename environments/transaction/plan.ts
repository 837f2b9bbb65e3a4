/**
 * The transaction as plain data: from what a prefix holds and what the solver wants it to
 * hold, which records to unlink and which to link. Pure, so it is tested without a disk.
 */
import { MatchSpec } from '../../channels/model/match-spec/index.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { archiveStem } from '../../channels/repodata/records.js';

export interface TransactionPlan<I extends RepoDataRecord = RepoDataRecord> {
  /** Installed records to remove, dependents before their dependencies. */
  readonly unlink: readonly I[];
  /** Records to install, dependencies before their dependents (the solver's order). */
  readonly link: readonly RepoDataRecord[];
}

export interface PlanOptions {
  /** Relink these names even when the same record is installed (`--force-reinstall`). */
  readonly forceReinstall?: ReadonlySet<string>;
}

/** Two records are one package when channel and file name agree (conda's dist identity). */
export function sameArchive(a: RepoDataRecord, b: RepoDataRecord): boolean {
  return a.name === b.name && a.version === b.version && a.build === b.build && a.channel === b.channel && archiveStem(a.fn) === archiveStem(b.fn);
}

export function planTransaction<I extends RepoDataRecord>(
  installed: readonly I[],
  desired: readonly RepoDataRecord[],
  options: PlanOptions = {},
): TransactionPlan<I> {
  const desiredByName = new Map(desired.map((r) => [r.name, r]));
  const installedByName = new Map(installed.map((r) => [r.name, r]));
  // noarch: python files live under lib/pythonX.Y: a new X.Y moves them all (as conda does).
  const pythonMoves = majorMinor(installedByName.get('python')) !== majorMinor(desiredByName.get('python'));
  const keep = (name: string): boolean => {
    const have = installedByName.get(name);
    const want = desiredByName.get(name);
    if (have === undefined || want === undefined || !sameArchive(have, want) || options.forceReinstall?.has(name)) return false;
    return !(pythonMoves && want.noarch === 'python');
  };
  const link = desired.filter((r) => !keep(r.name));
  const unlink = installed.filter((r) => !keep(r.name));
  // Unlink in the reverse of dependency order: what depends on a package goes first.
  const order = dependencyOrder(installed);
  const rank = new Map(order.map((r, i) => [r.name, i]));
  const sortedUnlink = [...unlink].sort((a, b) => (rank.get(b.name) ?? 0) - (rank.get(a.name) ?? 0));
  return { unlink: sortedUnlink, link };
}

function majorMinor(python: RepoDataRecord | undefined): string | undefined {
  return python?.version.split('.').slice(0, 2).join('.');
}

/** Records sorted so that each comes after the records it depends on (cycles broken by name). */
export function dependencyOrder<R extends RepoDataRecord>(records: readonly R[]): R[] {
  const byName = new Map(records.map((r) => [r.name, r]));
  const seen = new Set<string>();
  const out: R[] = [];
  const visit = (r: R): void => {
    if (seen.has(r.name)) return;
    seen.add(r.name);
    for (const dep of r.depends) {
      const dependency = byName.get(MatchSpec.parse(dep).name);
      if (dependency) visit(dependency);
    }
    out.push(r);
  };
  for (const r of [...records].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) visit(r);
  return out;
}

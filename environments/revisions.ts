/**
 * Revisions of an environment from conda-meta/history, as `conda list --revisions` shows
 * them, and the package set at any revision (for `install --revision N`). Revision 0 is
 * the first transaction; each later one applies its `-` and `+` lines.
 */
import { TaipanError } from '../channels/model/errors.js';
import { readHistory, requestedSpecsOf, type HistoryReadOptions, type HistoryRevision } from './prefix/history.js';

export interface Revision extends HistoryRevision {
  readonly number: number;
}

export async function readRevisions(prefix: string, options: HistoryReadOptions = {}): Promise<Revision[]> {
  return (await readHistory(prefix, options)).map((revision, number) => ({ ...revision, number }));
}

/** The dists installed after revision `number`. */
export function packagesAtRevision(revisions: readonly Revision[], number: number): string[] {
  if (!Number.isInteger(number) || number < 0 || number >= revisions.length) {
    throw new TaipanError('INVALID_ARGUMENT', `there is no revision ${number}`, {
      hint: revisions.length === 0 ? 'this environment has no history' : `revisions go from 0 to ${revisions.length - 1}; see \`taipan list --revisions\``,
    });
  }
  const installed = new Set<string>();
  for (const revision of revisions.slice(0, number + 1)) {
    // The oldest conda wrote a revision as the whole package set.
    if (revision.packages) installed.clear();
    for (const dist of revision.packages ?? []) installed.add(dist);
    for (const dist of revision.removed) installed.delete(dist);
    for (const dist of revision.added) installed.add(dist);
  }
  return [...installed].sort();
}

/**
 * The specs a return to revision `number` records: the user's requests as they were then
 * (not the exact pins it solves with, which would hold every later install back), and the
 * removal of what was asked for only since.
 */
export function revertSpecs(revisions: readonly Revision[], number: number): { updateSpecs: string[]; removeSpecs: string[] } {
  const then = requestedSpecsOf(revisions.slice(0, number + 1));
  const now = requestedSpecsOf(revisions);
  return { updateSpecs: [...then.values()], removeSpecs: [...now.keys()].filter((name) => !then.has(name)) };
}

/** `channel::name-version-build` as an exact MatchSpec string. */
export function distToSpec(dist: string): string {
  const at = dist.lastIndexOf('::');
  const channel = at >= 0 ? dist.slice(0, at) : '';
  const parts = dist.slice(at >= 0 ? at + 2 : 0).split('-');
  const build = parts.pop();
  const version = parts.pop();
  if (!build || !version || parts.length === 0) throw new TaipanError('INVALID_RECORD', `history line '${dist}' is not channel::name-version-build`);
  const quote = channel.includes("'") ? '"' : "'";
  return `${parts.join('-')}==${version}=${build}${channel ? `[channel=${quote}${channel}${quote}]` : ''}`;
}

export function formatRevisions(revisions: readonly Revision[]): string {
  return revisions
    .map((r) => {
      const lines = [`${r.date}  (rev ${r.number})`];
      if (r.packages) return lines.concat([...r.packages].sort().map((dist) => `    ${dist}`)).join('\n');
      const removedNames = new Map(r.removed.map((d) => [nameOf(d), d]));
      const addedNames = new Map(r.added.map((d) => [nameOf(d), d]));
      for (const [name, dist] of addedNames) {
        const before = removedNames.get(name);
        lines.push(before ? `    ${name}  {${versionOf(before)} -> ${versionOf(dist)}}` : `    +${dist.slice(dist.lastIndexOf('::') + 2)}`);
      }
      for (const [name, dist] of removedNames) if (!addedNames.has(name)) lines.push(`    -${dist.slice(dist.lastIndexOf('::') + 2)}`);
      return lines.join('\n');
    })
    .join('\n\n')
    .concat('\n');
}

function nameOf(dist: string): string {
  return dist.slice(dist.lastIndexOf('::') + 2).split('-').slice(0, -2).join('-');
}

function versionOf(dist: string): string {
  return dist.slice(dist.lastIndexOf('::') + 2).split('-').slice(-2).join('-');
}

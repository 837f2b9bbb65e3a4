/**
 * Revisions of an environment from conda-meta/history, as `conda list --revisions` shows
 * them, and the package set at any revision (for `install --revision N`). Revision 0 is
 * the first transaction; each later one applies its `-` and `+` lines.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../channels/model/errors.js';
import { condaMetaDir } from './prefix/prefix-record.js';

export interface Revision {
  readonly number: number;
  readonly date: string;
  readonly command?: string;
  /** `channel::name-version-build` lines. */
  readonly removed: readonly string[];
  readonly added: readonly string[];
}

export async function readRevisions(prefix: string): Promise<Revision[]> {
  let text: string;
  try {
    text = await readFile(path.join(condaMetaDir(prefix), 'history'), 'utf8');
  } catch {
    return [];
  }
  const revisions: { number: number; date: string; command?: string; removed: string[]; added: string[] }[] = [];
  for (const line of text.split('\n')) {
    const header = /^==> (.+) <==\s*$/.exec(line);
    if (header) {
      revisions.push({ number: revisions.length, date: header[1] as string, removed: [], added: [] });
      continue;
    }
    const current = revisions[revisions.length - 1];
    if (!current) continue;
    if (line.startsWith('# cmd: ')) current.command = line.slice('# cmd: '.length);
    else if (line.startsWith('+')) current.added.push(line.slice(1).trim());
    else if (line.startsWith('-')) current.removed.push(line.slice(1).trim());
  }
  return revisions;
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
    for (const dist of revision.removed) installed.delete(dist);
    for (const dist of revision.added) installed.add(dist);
  }
  return [...installed].sort();
}

/** `channel::name-version-build` as an exact MatchSpec string. */
export function distToSpec(dist: string): string {
  const at = dist.lastIndexOf('::');
  const channel = at >= 0 ? dist.slice(0, at) : '';
  const parts = dist.slice(at >= 0 ? at + 2 : 0).split('-');
  const build = parts.pop();
  const version = parts.pop();
  if (!build || !version || parts.length === 0) throw new TaipanError('INVALID_RECORD', `history line '${dist}' is not channel::name-version-build`);
  return `${parts.join('-')}==${version}=${build}${channel ? `[channel='${channel}']` : ''}`;
}

export function formatRevisions(revisions: readonly Revision[]): string {
  return revisions
    .map((r) => {
      const lines = [`${r.date}  (rev ${r.number})`];
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

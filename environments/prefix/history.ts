/**
 * conda-meta/history: the revision log conda writes and reads (`conda list --revisions`,
 * `--revision N`, and the specs a user asked for before, which later solves keep).
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { MatchSpec } from '../../channels/model/match-spec/index.js';
import { condaMetaDir } from './prefix-record.js';

export interface HistoryEntry {
  readonly date: Date;
  readonly command: string;
  readonly toolVersion: string;
  readonly unlinked: readonly RepoDataRecord[];
  readonly linked: readonly RepoDataRecord[];
  readonly updateSpecs?: readonly string[];
  readonly removeSpecs?: readonly string[];
}

/** `channel::name-version-build`, as conda's history lines name a package. */
export function historyDistName(record: RepoDataRecord): string {
  return `${channelShortName(record.channel)}::${record.name}-${record.version}-${record.build}`;
}

function channelShortName(channel: string): string {
  // conda writes the canonical channel name with its subdir dropped.
  return channel.replace(/\/[^/]+$/, '');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function formatDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function pyList(items: readonly string[]): string {
  return `[${items.map((s) => `'${s.replace(/'/g, "\\'")}'`).join(', ')}]`;
}

export function formatHistoryEntry(entry: HistoryEntry): string {
  const lines = [`==> ${formatDate(entry.date)} <==`, `# cmd: ${entry.command}`, `# taipan version: ${entry.toolVersion}`];
  for (const r of entry.unlinked) lines.push(`-${historyDistName(r)}`);
  for (const r of entry.linked) lines.push(`+${historyDistName(r)}`);
  if (entry.updateSpecs && entry.updateSpecs.length > 0) lines.push(`# update specs: ${pyList(entry.updateSpecs)}`);
  if (entry.removeSpecs && entry.removeSpecs.length > 0) lines.push(`# remove specs: ${pyList(entry.removeSpecs)}`);
  return `${lines.join('\n')}\n`;
}

export async function appendHistory(prefix: string, entry: HistoryEntry): Promise<void> {
  await mkdir(condaMetaDir(prefix), { recursive: true });
  await appendFile(path.join(condaMetaDir(prefix), 'history'), formatHistoryEntry(entry));
}

/** The specs the user asked for across the history, with later removals applied (by name). */
export async function readRequestedSpecs(prefix: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path.join(condaMetaDir(prefix), 'history'), 'utf8');
  } catch {
    return [];
  }
  const byName = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^# (update|remove|neutered) specs: \[(.*)\]\s*$/.exec(line);
    if (!m) continue;
    const specs = [...(m[2] ?? '').matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1] ?? x[2] ?? '');
    for (const spec of specs) {
      const name = MatchSpec.parse(spec).name;
      if (m[1] === 'remove') byName.delete(name);
      else byName.set(name, spec);
    }
  }
  return [...byName.values()];
}

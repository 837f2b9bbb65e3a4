/**
 * `env export`: an environment as an environment.yml that `env create` turns back into the
 * same package set: every record pinned (`name=version=build`), or only the specs the
 * user asked for (`--from-history`), as conda writes it.
 */
import path from 'node:path';
import { stringify } from 'yaml';
import { Channel } from '../channels/model/channel.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import { readHistory, requestedSpecsOf } from './prefix/history.js';
import { Prefix } from './prefix/prefix.js';

export interface ExportOptions {
  readonly fromHistory?: boolean;
  readonly noBuilds?: boolean;
  /** The name to write (defaults to the prefix's folder name). */
  readonly name?: string;
}

export interface ExportedEnvironment {
  name: string;
  channels: string[];
  dependencies: string[];
  prefix: string;
}

export async function exportEnvironment(prefix: string, options: ExportOptions = {}): Promise<ExportedEnvironment> {
  const records = await (await Prefix.open(prefix)).records();
  const channels = uniqueChannels(records);
  const dependencies = options.fromHistory
    ? await requestedAndInstalled(prefix, records)
    : records.map((r) => (options.noBuilds ? `${r.name}=${r.version}` : `${r.name}=${r.version}=${r.build}`));
  return { name: options.name ?? path.basename(prefix), channels, dependencies, prefix };
}

/**
 * The specs the user asked for whose package is still installed: conda's history misses some
 * removals, and conda leaves such names out of the export too.
 */
async function requestedAndInstalled(prefix: string, records: readonly RepoDataRecord[]): Promise<string[]> {
  const installed = new Set(records.map((r) => r.name));
  return [...requestedSpecsOf(await readHistory(prefix))].filter(([name]) => installed.has(name)).map(([, spec]) => spec);
}

export function environmentYaml(exported: ExportedEnvironment): string {
  return stringify(exported, { lineWidth: 0 });
}

/** Channel names in the order of first use, as the solver will need them back. */
function uniqueChannels(records: readonly RepoDataRecord[]): string[] {
  const seen: string[] = [];
  for (const r of records) {
    const name = Channel.parse(r.channel).name;
    if (!seen.includes(name)) seen.push(name);
  }
  return seen;
}

/**
 * Turning one subdir's repodata.json into RepoDataRecords, as conda reads it:
 * `packages` (.tar.bz2) and `packages.conda`, the `.conda` one winning when both hold the
 * same package; `removed` entries dropped; URLs built from `info.base_url` (CEP-15) when set.
 */
import type { Channel } from '../model/channel.js';
import { TaipanError } from '../model/errors.js';
import type { PackageRecord, RepoDataRecord } from '../model/package-record.js';

export interface RepodataJson {
  info?: { subdir?: string; base_url?: string; [key: string]: unknown };
  packages?: Record<string, PackageRecord>;
  'packages.conda'?: Record<string, PackageRecord>;
  removed?: string[];
  repodata_version?: number;
  [key: string]: unknown;
}

export const CONDA_EXT = '.conda';
export const TAR_BZ2_EXT = '.tar.bz2';

/** The file name without its archive extension (`zlib-1.2.11-h7b6447c_3`). */
export function archiveStem(fn: string): string {
  if (fn.endsWith(CONDA_EXT)) return fn.slice(0, -CONDA_EXT.length);
  if (fn.endsWith(TAR_BZ2_EXT)) return fn.slice(0, -TAR_BZ2_EXT.length);
  return fn;
}

export function recordsFromRepodata(json: RepodataJson, channel: Channel, subdir: string, source: string): RepoDataRecord[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TaipanError('INVALID_REPODATA', `'${source}' is not a repodata object`, {
      hint: 'a repodata.json holds an object with "packages" and "packages.conda"',
    });
  }
  const removed = new Set(json.removed ?? []);
  const base = json.info?.base_url ? json.info.base_url.replace(/\/+$/, '') : channel.subdirUrl(subdir);
  const channelUrl = channel.subdirUrl(subdir);
  const condaStems = new Set(Object.keys(json['packages.conda'] ?? {}).map(archiveStem));
  const records: RepoDataRecord[] = [];
  const add = (entries: Record<string, PackageRecord> | undefined, skip: (fn: string) => boolean): void => {
    for (const [fn, raw] of Object.entries(entries ?? {})) {
      if (removed.has(fn) || skip(fn)) continue;
      records.push(toRecord(raw, fn, `${base}/${fn}`, channelUrl, subdir, source));
    }
  };
  add(json['packages.conda'], () => false);
  add(json.packages, (fn) => condaStems.has(archiveStem(fn)));
  return records;
}

function toRecord(raw: PackageRecord, fn: string, url: string, channel: string, subdir: string, source: string): RepoDataRecord {
  if (typeof raw?.name !== 'string' || typeof raw.version !== 'string' || typeof raw.build !== 'string') {
    throw new TaipanError('INVALID_REPODATA', `record '${fn}' in '${source}' lacks a name, version or build`);
  }
  return Object.freeze({
    ...raw,
    build_number: typeof raw.build_number === 'number' ? raw.build_number : 0,
    depends: Array.isArray(raw.depends) ? raw.depends : [],
    subdir: raw.subdir ?? subdir,
    fn,
    url,
    channel,
  });
}

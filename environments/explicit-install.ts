/**
 * Installing an @EXPLICIT file: exactly the listed archives, no solve, every hash that
 * the file gives verified. The records come from the archives themselves (their
 * info/index.json), so conda-meta holds the real depends and metadata.
 */
import { Channel } from '../channels/model/channel.js';
import { TaipanError } from '../channels/model/errors.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import { readIndexJson } from '../channels/archive/package-metadata.js';
import { splitArchiveName } from '../channels/repodata/records.js';
import type { ExplicitPackage } from './env-file/spec-file.js';
import type { PackageCache } from './package-cache/package-cache.js';
import { Prefix } from './prefix/prefix.js';
import type { SolvedRequest } from './solve-request.js';
import { dependencyOrder, planTransaction } from './transaction/plan.js';

/** The record an explicit line stands for, before its archive is read. */
export function recordFromExplicit(pkg: ExplicitPackage): RepoDataRecord {
  const parts = splitArchiveName(pkg.fn);
  if (!parts) {
    throw new TaipanError('INVALID_ARGUMENT', `'${pkg.url}' does not end in a conda file name (name-version-build.conda)`);
  }
  const directory = pkg.url.slice(0, pkg.url.lastIndexOf('/'));
  const subdir = directory.slice(directory.lastIndexOf('/') + 1);
  return {
    name: parts.name,
    version: parts.version,
    build: parts.build,
    build_number: 0,
    depends: [],
    subdir,
    fn: pkg.fn,
    url: pkg.url,
    channel: `${Channel.parse(directory).baseUrl}/${subdir}`,
    ...(pkg.md5 ? { md5: pkg.md5 } : {}),
    ...(pkg.sha256 ? { sha256: pkg.sha256 } : {}),
  };
}

export interface ExplicitRequest {
  readonly prefix: string;
  readonly mode: 'create' | 'install';
  readonly packages: readonly ExplicitPackage[];
  readonly cache: PackageCache;
  /** `prefix`, opened once by the caller; opened here when absent. */
  readonly opened?: Prefix;
}

export async function solveExplicit(request: ExplicitRequest): Promise<SolvedRequest> {
  if (request.packages.length === 0) {
    throw new TaipanError('INVALID_ARGUMENT', 'the @EXPLICIT file lists no packages');
  }
  const records: RepoDataRecord[] = [];
  for (const pkg of request.packages) {
    const guessed = recordFromExplicit(pkg);
    const entry = await request.cache.get(guessed);
    const index = await readIndexJson(entry.dir);
    records.push(Object.freeze({ ...index, ...pick(guessed), depends: index.depends ?? [] }));
  }
  const names = new Set<string>();
  for (const r of records) {
    if (names.has(r.name)) throw new TaipanError('INVALID_ARGUMENT', `the @EXPLICIT file lists '${r.name}' twice`);
    names.add(r.name);
  }
  const installed = request.mode === 'install' ? await (request.opened ?? (await Prefix.open(request.prefix))).records() : [];
  const desired = request.mode === 'install' ? [...installed.filter((r) => !names.has(r.name)), ...records] : records;
  const ordered = dependencyOrder(desired);
  return {
    plan: planTransaction(installed, ordered),
    finalRecords: ordered,
    requestedSpecs: new Map(records.map((r) => [r.name, `${r.name}==${r.version}=${r.build}`])),
  };
}

/** The fields an explicit line knows better than the archive: where it came from and its hashes. */
function pick(record: RepoDataRecord): Partial<RepoDataRecord> & Pick<RepoDataRecord, 'fn' | 'url' | 'channel'> {
  return {
    fn: record.fn,
    url: record.url,
    channel: record.channel,
    ...(record.md5 ? { md5: record.md5 } : {}),
    ...(record.sha256 ? { sha256: record.sha256 } : {}),
  };
}

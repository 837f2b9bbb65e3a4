/**
 * Turning repodata entries into RepoDataRecords, as conda reads them: `packages`
 * (.tar.bz2) and `packages.conda`, the `.conda` one winning when both hold the same
 * package; `removed` entries dropped; URLs built from `info.base_url` (CEP-15) when set.
 * The same rules serve whole files (`recordsFromRepodata`), the lazy by-name index and
 * CEP-16 shards, so every way of reading a channel yields the same records.
 */
import type { Channel } from '../model/channel.js';
import { TaipanError } from '../model/errors.js';
import { checkReferencedUrl } from '../fetch/url-trust.js';
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

/** name, version and build from `name-version-build.conda` (or `.tar.bz2`); undefined for other names. */
export function splitArchiveName(fn: string): { name: string; version: string; build: string } | undefined {
  const stem = archiveStem(fn);
  if (stem === fn) return undefined;
  const parts = stem.split('-');
  if (parts.length < 3) return undefined;
  const build = parts.pop() as string;
  const version = parts.pop() as string;
  return { name: parts.join('-'), version, build };
}

/** Where the records of one subdir come from and where their archives are downloaded. */
export interface RecordContext {
  readonly subdir: string;
  /** `<channel>/<subdir>`: conda-meta's `channel` field. */
  readonly channelUrl: string;
  /** Base of package URLs, without a trailing slash. */
  readonly packageBase: string;
  /** The file or URL, for error messages (already redacted). */
  readonly source: string;
}

/**
 * The context for a subdir. `base_url` may be absolute or relative to the repodata file
 * (CEP-15; CEP-16 says the same of shard indexes), so it is resolved against `relativeTo`.
 * A remote channel's base_url must stay on http(s) (see fetch/url-trust.ts). A record's
 * own `url` key is never used: every URL is built here, from this base and `fn`.
 */
export function recordContext(channel: Channel, subdir: string, baseUrl: unknown, source: string, relativeTo?: string): RecordContext {
  const channelUrl = channel.subdirUrl(subdir);
  let packageBase = channelUrl;
  if (typeof baseUrl === 'string' && baseUrl !== '') {
    try {
      packageBase = new URL(baseUrl, relativeTo ?? `${channelUrl}/`).href;
    } catch {
      throw new TaipanError('INVALID_REPODATA', `'${source}' has an invalid info.base_url '${baseUrl}'`);
    }
    checkReferencedUrl({ url: channel.baseUrl, kind: 'channel' }, `info.base_url in its '${subdir}' repodata`, packageBase);
  }
  return { subdir, channelUrl, packageBase: packageBase.replace(/\/+$/, ''), source };
}

/** One entry (`fn` → raw record) as a frozen RepoDataRecord. */
export function toRecord(raw: unknown, fn: string, context: RecordContext): RepoDataRecord {
  const record = raw as PackageRecord | null;
  checkRecord(record, fn, context);
  return Object.freeze({
    ...record,
    ...completion(record, fn, context),
  });
}

/**
 * Like `toRecord`, for an object nobody else holds (fresh from JSON.parse or msgpack): it is
 * completed and frozen in place rather than copied, which halves the cost per record on
 * large channels. The key order comes out the same as `toRecord`'s.
 */
export function adoptRecord(raw: unknown, fn: string, context: RecordContext): RepoDataRecord {
  const record = raw as PackageRecord | null;
  checkRecord(record, fn, context);
  return Object.freeze(Object.assign(record as Record<string, unknown>, completion(record, fn, context))) as unknown as RepoDataRecord;
}

/** Characters that would let a file name or a name/version/build leave its folder. */
const UNSAFE_NAME = /[/\\\x00-\x1f]|^\.{1,2}$/;

/** Whether a file name, name, version or build would be refused by `checkRecord`. */
export function isUnsafeName(value: string): boolean {
  return UNSAFE_NAME.test(value);
}

/**
 * A record must have a name, version and build, and none of them, nor its file name, may
 * hold a path separator, a control character, or be `.`/`..`: they become file names in
 * the package cache (`<pkgs>/<fn>`), in conda-meta (`<name>-<version>-<build>.json`) and
 * in link script paths (`bin/.<name>-post-link.sh`), so a hostile channel could otherwise
 * write or run files outside those folders.
 */
export function checkRecord(record: PackageRecord | Record<string, unknown> | null, fn: string, context: RecordContext): asserts record is PackageRecord {
  if (typeof record?.name !== 'string' || typeof record.version !== 'string' || typeof record.build !== 'string') {
    throw new TaipanError('INVALID_REPODATA', `record '${fn}' in '${context.source}' lacks a name, version or build`);
  }
  // Checked one by one, not through a list of pairs: this runs for every record built.
  if (UNSAFE_NAME.test(fn)) unsafe(fn, 'file name', fn, context);
  if (UNSAFE_NAME.test(record.name)) unsafe(fn, 'name', record.name, context);
  if (UNSAFE_NAME.test(record.version)) unsafe(fn, 'version', record.version, context);
  if (UNSAFE_NAME.test(record.build)) unsafe(fn, 'build', record.build, context);
}

function unsafe(fn: string, what: string, value: string, context: RecordContext): never {
  throw new TaipanError('INVALID_REPODATA', `record '${JSON.stringify(fn).slice(1, -1)}' in '${context.source}' has an unsafe ${what} ${JSON.stringify(value)}`, {
    hint: 'the channel is damaged or hostile: a package name, version, build or file name must not contain path separators or control characters',
  });
}

function completion(record: PackageRecord, fn: string, context: RecordContext): Pick<RepoDataRecord, 'build_number' | 'depends' | 'subdir' | 'fn' | 'url' | 'channel'> {
  return {
    build_number: typeof record.build_number === 'number' ? record.build_number : 0,
    depends: Array.isArray(record.depends) ? record.depends : [],
    subdir: record.subdir ?? context.subdir,
    fn,
    url: `${context.packageBase}/${fn}`,
    channel: context.channelUrl,
  };
}

/**
 * Which entries count: `.conda` ones, plus `.tar.bz2` ones without a `.conda` twin, minus
 * `removed`. `conda` and `tarBz2` are the file names of one package name (or of a whole
 * subdir); the twin check only compares stems, which include the name.
 */
export function keptFileNames(conda: readonly string[], tarBz2: readonly string[], removed: ReadonlySet<string>): { conda: string[]; tarBz2: string[] } {
  const condaStems = new Set(conda.map(archiveStem));
  return {
    conda: conda.filter((fn) => !removed.has(fn)),
    tarBz2: tarBz2.filter((fn) => !removed.has(fn) && !condaStems.has(archiveStem(fn))),
  };
}

/** All records of a parsed repodata.json (small files, tests and shards). */
export function recordsFromRepodata(json: RepodataJson, channel: Channel, subdir: string, source: string): RepoDataRecord[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TaipanError('INVALID_REPODATA', `'${source}' is not a repodata object`, {
      hint: 'a repodata.json holds an object with "packages" and "packages.conda"',
    });
  }
  return recordsFromEntries(json, recordContext(channel, subdir, json.info?.base_url, source));
}

/** Records of a `{packages, packages.conda, removed}` object (a whole repodata.json or one shard). */
export function recordsFromEntries(json: Pick<RepodataJson, 'packages' | 'packages.conda' | 'removed'>, context: RecordContext): RepoDataRecord[] {
  const condaEntries = json['packages.conda'] ?? {};
  const tarEntries = json.packages ?? {};
  const kept = keptFileNames(Object.keys(condaEntries), Object.keys(tarEntries), new Set(json.removed ?? []));
  return [
    ...kept.conda.map((fn) => toRecord(condaEntries[fn], fn, context)),
    ...kept.tarBz2.map((fn) => toRecord(tarEntries[fn], fn, context)),
  ];
}

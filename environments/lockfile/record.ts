/**
 * Turning what a lock file says about a conda package into a RepoDataRecord, and the
 * small checks every reader shares. Lock formats differ in which fields they store
 * (pixi v6+ omits name/version/build, which the file name carries), so the URL's file
 * name fills what is missing.
 */
import { Channel } from '../../channels/model/channel.js';
import { TaipanError } from '../../channels/model/errors.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { splitArchiveName } from '../../channels/repodata/records.js';

/** The failure every reader throws: the file, where in it, and what is wrong. */
export function lockError(source: string, message: string, hint?: string): TaipanError {
  return new TaipanError('INVALID_ARGUMENT', `invalid lock file '${source}': ${message}`, {
    hint: hint ?? 'regenerate it with `taipan lock` (or the tool that wrote it)',
  });
}

const HEX32 = /^[0-9a-f]{32}$/i;
const HEX64 = /^[0-9a-f]{64}$/i;

export interface CondaFields {
  readonly url: string;
  readonly name?: unknown;
  readonly version?: unknown;
  readonly build?: unknown;
  readonly md5?: unknown;
  readonly sha256?: unknown;
  readonly depends?: readonly string[];
  readonly constrains?: readonly string[];
  /** Other record keys (subdir, build_number, license, size, timestamp, noarch ...). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** A record from a lock entry; throws when the URL or a hash is malformed. */
export function condaRecord(source: string, fields: CondaFields): RepoDataRecord {
  const url = fields.url;
  const fn = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1).replace(/[?#].*$/, ''));
  const parsed = splitArchiveName(fn);
  const name = str(fields.name) ?? parsed?.name;
  const version = str(fields.version) ?? parsed?.version;
  const build = str(fields.build) ?? parsed?.build;
  if (!name || !version || build === undefined) {
    throw lockError(source, `'${url}' is not a conda package URL (name-version-build.conda or .tar.bz2) and the entry does not name the package`);
  }
  const md5 = str(fields.md5);
  const sha256 = str(fields.sha256);
  if (md5 !== undefined && !HEX32.test(md5)) throw lockError(source, `md5 '${md5}' of '${name}' is not 32 hex digits`);
  if (sha256 !== undefined && !HEX64.test(sha256)) throw lockError(source, `sha256 '${sha256}' of '${name}' is not 64 hex digits`);
  const directory = url.slice(0, url.lastIndexOf('/'));
  const urlSubdir = directory.slice(directory.lastIndexOf('/') + 1);
  const extra = fields.extra ?? {};
  const subdir = str(extra.subdir) ?? urlSubdir;
  let channel = directory;
  try {
    channel = /^[a-z][a-z0-9+.-]*:\/\//i.test(directory) ? `${Channel.parse(directory.slice(0, directory.lastIndexOf('/'))).baseUrl}/${urlSubdir}` : directory;
  } catch {
    // a relative or unusual location: keep the folder as the channel
  }
  return Object.freeze({
    ...extra,
    name,
    version,
    build,
    build_number: typeof extra.build_number === 'number' ? extra.build_number : Number(/(\d+)$/.exec(build)?.[1] ?? 0),
    depends: [...(fields.depends ?? [])],
    ...(fields.constrains && fields.constrains.length > 0 ? { constrains: [...fields.constrains] } : {}),
    subdir,
    fn,
    url,
    channel,
    ...(md5 ? { md5: md5.toLowerCase() } : {}),
    ...(sha256 ? { sha256: sha256.toLowerCase() } : {}),
  });
}

/** A string field, or a number written without quotes (YAML's `version: 1.10`). */
export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A list of strings, or a conda-lock v1 `{name: spec}` map turned into `name spec` strings. */
export function specList(source: string, what: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    return value.map((item) => {
      if (typeof item !== 'string') throw lockError(source, `${what} must be a list of strings`);
      return item;
    });
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([name, spec]) => {
      const text = str(spec) ?? '';
      return text.trim() === '' || text.trim() === '*' ? name : `${name} ${text.trim()}`;
    });
  }
  throw lockError(source, `${what} must be a list or a mapping`);
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

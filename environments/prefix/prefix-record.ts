/**
 * conda-meta/<name>-<version>-<build>.json: what conda, mamba and rattler write for each
 * installed package, so that each of them can read a taipan prefix and the reverse.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { condaMetaDir } from './prefix-files.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { writeJsonAtomically } from '../../channels/util/fs.js';
import { Version } from '../../channels/model/version.js';
import { lexicalPathProblem, type PathOrigin } from './prefix-paths.js';
import { reportInvalidRecord, type InvalidRecord } from './invalid-records.js';

/**
 * conda's path types in conda-meta: the three of paths.json, plus the files conda itself
 * makes at link time (compiled bytecode, python entry points), spelled as conda spells them.
 */
export type PathType =
  | 'hardlink'
  | 'softlink'
  | 'directory'
  | 'pyc_file'
  | 'unix_python_entrypoint'
  | 'windows_python_entrypoint_script'
  | 'windows_python_entrypoint_exe';

export interface PrefixPathEntry {
  _path: string;
  path_type: PathType;
  sha256?: string;
  size_in_bytes?: number;
  file_mode?: 'text' | 'binary';
  prefix_placeholder?: string;
  no_link?: boolean;
  /** sha256 of the file as written into the prefix, when placeholder replacement changed it. */
  sha256_in_prefix?: string;
  /**
   * Set when this package lost a clobber: `_path` is then its copy under `__clobbers__/`
   * and this is where the file would be (rattler's field of the same name).
   */
  original_path?: string;
}

/** conda's link types: 1 hard link, 2 soft link, 3 copy. */
export type LinkType = 1 | 2 | 3;

export interface PrefixRecord extends RepoDataRecord {
  readonly files: readonly string[];
  readonly paths_data: { readonly paths_version: 1; readonly paths: readonly PrefixPathEntry[] };
  readonly link: { readonly source: string; readonly type: LinkType };
  readonly extracted_package_dir: string;
  readonly package_tarball_full_path: string;
  readonly requested_spec: string;
}


export function prefixRecordFileName(record: Pick<RepoDataRecord, 'name' | 'version' | 'build'>): string {
  return `${record.name}-${record.version}-${record.build}.json`;
}

/**
 * Every valid record in the prefix's conda-meta, sorted by name, as the files are now: a
 * command opens the prefix with `Prefix.open` (prefix.ts), which repairs an interrupted
 * transaction first; a transaction reads this under its lock.
 *
 * A file that is not a valid record (damaged, missing fields, or listing paths outside the
 * prefix or in taipan's own files) is reported and left out, so one bad file neither stops
 * the environment from working nor lets its paths be acted on.
 */
export async function readPrefixRecords(prefix: string, options: { onInvalid?: (invalid: InvalidRecord) => void } = {}): Promise<PrefixRecord[]> {
  let names: string[];
  try {
    names = await readdir(condaMetaDir(prefix));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const onInvalid = options.onInvalid ?? reportInvalidRecord;
  const records: PrefixRecord[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(condaMetaDir(prefix), name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      // Unlinked by another taipan since the readdir: it is not installed any more.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      onInvalid({ file, problem: `cannot be read: ${(error as Error).message}` });
      continue;
    }
    const checked = parsePrefixRecord(text);
    if (typeof checked === 'string') onInvalid({ file, problem: checked });
    else records.push(checked);
  }
  return records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The record in a conda-meta file's text, or why it is not a usable one. */
export function parsePrefixRecord(text: string): PrefixRecord | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not a JSON object';
  const record = data as Record<string, unknown>;
  for (const field of ['name', 'version', 'build'] as const) {
    const value = record[field];
    if (typeof value !== 'string' || value === '') return `the field '${field}' is missing or not a string`;
    // Each is part of the record's file name, which unlinking removes.
    if (/[/\\\0]/.test(value) || value === '.' || value === '..') return `the ${field} '${value}' is not a valid ${field}`;
  }
  if (Version.cached(record.version as string) === null) return `the version '${record.version as string}' is not a conda version`;
  if (typeof record.build_number !== 'number' || !Number.isInteger(record.build_number) || record.build_number < 0) {
    return "the field 'build_number' is missing or not a whole number";
  }
  if (typeof record.channel !== 'string') return "the field 'channel' is missing or not a string";
  for (const field of ['url', 'fn'] as const) {
    if (record[field] !== undefined && typeof record[field] !== 'string') return `the field '${field}' is not a string`;
  }
  for (const field of ['depends', 'constrains'] as const) {
    const list = record[field];
    if (list !== undefined && !(Array.isArray(list) && list.every((d) => typeof d === 'string'))) return `the field '${field}' is not a list of strings`;
  }
  const problem = pathsProblem(record);
  if (problem !== undefined) return problem;
  // Older conda wrote `files` only, some writers `paths_data` only: every reader gets both.
  const pathsData = (record.paths_data as PrefixRecord['paths_data'] | undefined) ?? {
    paths_version: 1,
    paths: ((record.files as string[] | undefined) ?? []).map((f) => ({ _path: f, path_type: 'hardlink' as const })),
  };
  const files = (record.files as string[] | undefined) ?? pathsData.paths.filter((p) => p.path_type !== 'directory').map((p) => p._path);
  return { ...record, depends: (record.depends as string[] | undefined) ?? [], files, paths_data: pathsData } as unknown as PrefixRecord;
}

/** Why the paths a record lists are unusable: not strings, or not safe to act on. */
function pathsProblem(record: Record<string, unknown>): string | undefined {
  const { files, paths_data: pathsData } = record;
  if (files !== undefined && !(Array.isArray(files) && files.every((f) => typeof f === 'string'))) return "the field 'files' is not a list of paths";
  const listed: { path: string; origin: PathOrigin }[] = ((files as string[] | undefined) ?? []).map((f) => ({ path: f, origin: 'record' }));
  if (pathsData !== undefined) {
    const paths = (pathsData as { paths?: unknown } | null)?.paths;
    if (!Array.isArray(paths)) return "the field 'paths_data' has no list of paths";
    for (const entry of paths as unknown[]) {
      const e = entry as Partial<PrefixPathEntry> | null;
      if (typeof e?._path !== 'string' || typeof e.path_type !== 'string') return "an entry of 'paths_data' has no '_path' or 'path_type'";
      listed.push({ path: e._path, origin: 'record' });
      if (e.original_path !== undefined) {
        if (typeof e.original_path !== 'string') return "an entry of 'paths_data' has an 'original_path' that is not a path";
        listed.push({ path: e.original_path, origin: 'payload' });
      }
    }
  }
  for (const { path: listedPath, origin } of listed) {
    const problem = lexicalPathProblem(listedPath, origin);
    if (problem !== undefined) return `it lists the path '${listedPath}': ${problem}`;
  }
  return undefined;
}

export async function writePrefixRecord(prefix: string, record: PrefixRecord): Promise<void> {
  await mkdir(condaMetaDir(prefix), { recursive: true });
  await writeJsonAtomically(path.join(condaMetaDir(prefix), prefixRecordFileName(record)), record);
}

export async function removePrefixRecord(prefix: string, record: Pick<RepoDataRecord, 'name' | 'version' | 'build'>): Promise<void> {
  await rm(path.join(condaMetaDir(prefix), prefixRecordFileName(record)), { force: true });
}

/** A prefix is a conda environment when it has conda-meta/ (conda's own test). */
export async function isEnvironment(prefix: string): Promise<boolean> {
  try {
    await readdir(condaMetaDir(prefix));
    return true;
  } catch {
    return false;
  }
}

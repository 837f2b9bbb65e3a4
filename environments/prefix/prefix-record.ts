/**
 * conda-meta/<name>-<version>-<build>.json: what conda, mamba and rattler write for each
 * installed package, so that each of them can read a taipan prefix and the reverse.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../../channels/model/errors.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { writeJsonAtomically } from '../../channels/util/fs.js';
import { holdsPrefixLock } from '../lock.js';
import { hasInterruptedTransaction, recoverPrefix } from '../transaction/recover.js';

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

export function condaMetaDir(prefix: string): string {
  return path.join(prefix, 'conda-meta');
}

export function prefixRecordFileName(record: Pick<RepoDataRecord, 'name' | 'version' | 'build'>): string {
  return `${record.name}-${record.version}-${record.build}.json`;
}

/**
 * Every record in the prefix's conda-meta, sorted by name. When a transaction on the
 * prefix was interrupted (killed, power cut), it is repaired first, so no reader (solve,
 * list, export) ever sees files without records or records without files.
 */
export async function readPrefixRecords(prefix: string): Promise<PrefixRecord[]> {
  if (!holdsPrefixLock(prefix) && (await hasInterruptedTransaction(prefix))) await recoverPrefix(prefix);
  let names: string[];
  try {
    names = await readdir(condaMetaDir(prefix));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: PrefixRecord[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(condaMetaDir(prefix), name);
    try {
      records.push(JSON.parse(await readFile(file, 'utf8')) as PrefixRecord);
    } catch (error) {
      // Unlinked by another taipan since the readdir: it is not installed any more.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new TaipanError('INVALID_RECORD', `cannot read installed record '${file}': ${(error as Error).message}`, {
        cause: error,
        hint: 'the file is damaged; remove it and reinstall the package',
      });
    }
  }
  return records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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

/**
 * Where taipan's own files are inside a prefix. A leaf module (no imports but the model), so
 * the record reader, the lock and the journal can all name them without importing each other.
 */
import path from 'node:path';
import { CONDA_META } from '../../channels/model/prefix-layout.js';

export function condaMetaDir(prefix: string): string {
  return path.join(prefix, CONDA_META);
}

/** conda's revision log, `conda-meta/history`. */
export function historyFile(prefix: string): string {
  return path.join(prefix, CONDA_META, 'history');
}

/** conda's pinned specs, `conda-meta/pinned`. */
export function pinnedFile(prefix: string): string {
  return path.join(prefix, CONDA_META, 'pinned');
}

/** taipan's prefix lock, `conda-meta/.taipan.lock` (a folder, proper-lockfile's), and its owner file. */
export function prefixLockPath(prefix: string): string {
  return path.join(prefix, CONDA_META, '.taipan.lock');
}

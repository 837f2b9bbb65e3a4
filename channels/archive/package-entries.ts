/** One entry point over both formats: visit the tar entries of a package archive in order. */
import type { ReadEntry } from 'tar';
import { archiveFormat } from './format.js';
import type { HashingStream } from './hash.js';
import { forEachCondaEntry, type CondaComponent } from './read-conda.js';
import { forEachTarBz2Entry } from './read-tar-bz2.js';
import type { SkippedEntry, VisitResult } from './tar-entries.js';

export type { CondaComponent } from './read-conda.js';
export type { SkippedEntry, VisitResult } from './tar-entries.js';

/** Where an entry came from: the `.conda` component, or undefined for a `.tar.bz2`. */
export type PackageEntryVisitor = (entry: ReadEntry, component: CondaComponent | undefined) => Promise<VisitResult> | VisitResult;

export interface PackageEntryOptions {
  /**
   * `.conda` only: which inner tarballs to read, in order (default `['pkg', 'info']`).
   * `['info']` reads the metadata without decompressing the payload. A `.tar.bz2` is one
   * tarball, so it is read whole (visitors stop early with 'stop').
   */
  components?: readonly CondaComponent[];
  /** `.tar.bz2` only: hash the compressed bytes while reading them. */
  hasher?: HashingStream;
  /** Told about entries left out instead of failing (symlinks with an empty target). */
  onSkip?: (skipped: SkippedEntry) => void;
}

/** Visit every tar entry of a `.conda` or `.tar.bz2`, streaming, in archive order. */
export async function forEachPackageEntry(
  archivePath: string,
  visit: PackageEntryVisitor,
  options: PackageEntryOptions = {},
): Promise<VisitResult> {
  if (archiveFormat(archivePath) === 'conda') {
    return forEachCondaEntry(archivePath, (entry, component) => visit(entry, component), options.components, options.onSkip);
  }
  return forEachTarBz2Entry(archivePath, (entry) => visit(entry, undefined), { hasher: options.hasher, onSkip: options.onSkip });
}

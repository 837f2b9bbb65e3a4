/**
 * The lock-file data model every reader produces and the writer consumes: environments,
 * each with its channels and, per platform, the exact packages (URL plus hashes), as in
 * rattler_lock. Keeping one model behind several on-disk formats (conda-lock v1, pixi
 * v4–v7, micromamba's env lockfiles) means `create --file` and `lock` share one code path.
 */
import type { RepoDataRecord } from '../../channels/model/package-record.js';

/** A binary conda package: everything needed to fetch and verify it without a solve. */
export interface LockedCondaPackage {
  readonly kind: 'conda';
  /** The record as far as the lock file knows it (name, version, build, url, hashes, depends). */
  readonly record: RepoDataRecord;
  /** conda-lock's category (`main`, `dev`, ...); `main` when the format has none. */
  readonly category: string;
  readonly optional: boolean;
}

/** A Python package from an index (wheel or sdist URL, or a local path). */
export interface LockedPypiPackage {
  readonly kind: 'pypi';
  readonly name: string;
  readonly version?: string;
  readonly url: string;
  readonly sha256?: string;
}

/** A package built from source at install time (pixi-build); taipan can read but not install it. */
export interface LockedSourcePackage {
  readonly kind: 'source';
  readonly name: string;
  readonly location: string;
}

export type LockedPackage = LockedCondaPackage | LockedPypiPackage | LockedSourcePackage;

export interface LockEnvironment {
  readonly name: string;
  readonly channels: readonly string[];
  /** Packages by platform name (a subdir such as `linux-64`, or a v7 named platform). */
  readonly packages: ReadonlyMap<string, readonly LockedPackage[]>;
}

export type LockFormat = 'conda-lock-v1' | 'rattler-lock' | 'env-lockfile';

export interface LockFile {
  readonly format: LockFormat;
  /** The version number the file declares (conda-lock `version`, pixi `version`, micromamba `lockVersion`). */
  readonly version: string;
  /** Platform name → conda subdir (identical except for v7 named platforms). */
  readonly platforms: ReadonlyMap<string, string>;
  readonly environments: ReadonlyMap<string, LockEnvironment>;
  /** Where it was read from, for messages. */
  readonly source: string;
}

/** The environment `create --file` installs: `default`, as pixi and conda-lock name it. */
export const DEFAULT_ENVIRONMENT = 'default';

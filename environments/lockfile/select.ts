/**
 * What installing a lock file means for one machine: the packages of one environment
 * (`default`) for one platform, main category only (conda-lock's default), every one a
 * binary conda package with a hash. Packages taipan cannot install from a lock (PyPI
 * wheels, source builds) stop the install with the reason instead of being skipped,
 * because a silently partial environment is worse than none.
 */
import { TaipanError } from '../../channels/model/errors.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import type { ExplicitPackage } from '../env-file/spec-file.js';
import { DEFAULT_ENVIRONMENT, type LockFile } from './model.js';

export interface SelectOptions {
  /** Environment name; `default` unless given. */
  readonly environment?: string;
  /** conda-lock categories to include; `main` only by default. */
  readonly categories?: readonly string[];
}

/** The conda records one platform of a lock file installs. */
export function lockedRecords(lock: LockFile, platform: string, options: SelectOptions = {}): RepoDataRecord[] {
  const envName = options.environment ?? DEFAULT_ENVIRONMENT;
  const environment = lock.environments.get(envName);
  if (environment === undefined) {
    throw new TaipanError('INVALID_ARGUMENT', `the lock file '${lock.source}' has no environment '${envName}'`, {
      hint: `it has: ${[...lock.environments.keys()].map((n) => `'${n}'`).join(', ') || 'none'}`,
    });
  }
  const platformName = environment.packages.has(platform) ? platform : [...lock.platforms].find(([, subdir]) => subdir === platform)?.[0];
  const packages = platformName === undefined ? undefined : environment.packages.get(platformName);
  if (packages === undefined) {
    const known = [...environment.packages.keys()];
    throw new TaipanError('INVALID_ARGUMENT', `the lock file '${lock.source}' has no packages for '${platform}'`, {
      hint: known.length > 0 ? `it locks ${known.map((p) => `'${p}'`).join(', ')}; add this platform with \`taipan lock --platform ${platform}\`` : 'it locks no platform at all',
    });
  }
  const categories = new Set(options.categories ?? ['main']);
  const records: RepoDataRecord[] = [];
  for (const pkg of packages) {
    if (pkg.kind === 'pypi') {
      throw new TaipanError('INVALID_ARGUMENT', `the lock file '${lock.source}' locks the PyPI package '${pkg.name}', which taipan does not install from lock files yet`, {
        hint: 'install the conda packages from an @EXPLICIT export, then the wheels with the environment\'s pip',
      });
    }
    if (pkg.kind === 'source') {
      throw new TaipanError('INVALID_ARGUMENT', `the lock file '${lock.source}' locks '${pkg.name}' as a source package ('${pkg.location}'), which must be built first`, {
        hint: 'build it with pixi, or lock a built package instead',
      });
    }
    if (!categories.has(pkg.category)) continue;
    records.push(pkg.record);
  }
  return records;
}

/** The same packages as @EXPLICIT lines carry them (URL plus hashes), for the no-solve install. */
export function lockedExplicitPackages(lock: LockFile, platform: string, options: SelectOptions = {}): ExplicitPackage[] {
  return lockedRecords(lock, platform, options).map((r) => ({
    url: r.url,
    fn: r.fn,
    ...(r.md5 ? { md5: r.md5 } : {}),
    ...(r.sha256 ? { sha256: r.sha256 } : {}),
  }));
}

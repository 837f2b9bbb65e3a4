/**
 * noarch: python packages ship `site-packages/` and `python-scripts/`; where they land,
 * which interpreter their entry points name and which bytecode files belong to them all
 * depend on the environment's python, as conda's linker decides them.
 */
import { TaipanError } from '../../channels/model/errors.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';

/** The environment's python, as far as linking needs it. */
export interface PythonInfo {
  /** `3.11` */
  readonly majorMinor: string;
  /** Prefix-relative site-packages folder, e.g. `lib/python3.11/site-packages`. */
  readonly sitePackages: string;
  /** Prefix-relative folder for scripts: `bin`, or `Scripts` on Windows. */
  readonly scriptsDir: string;
  /** Prefix-relative interpreter, e.g. `bin/python3.11` (`python.exe` on Windows). */
  readonly executable: string;
  /** The bytecode cache tag (`cpython-311`), as conda derives it from the version. */
  readonly cacheTag: string;
  readonly windows: boolean;
}

/** The python of `records`, or undefined when the environment has none. */
export function pythonInfo(records: readonly RepoDataRecord[], windows: boolean): PythonInfo | undefined {
  const python = records.find((r) => r.name === 'python');
  if (!python) return undefined;
  const [major = '3', minor = '0'] = python.version.split('.');
  const sitePackages =
    typeof python.python_site_packages_path === 'string'
      ? python.python_site_packages_path
      : windows
        ? 'Lib/site-packages'
        : `lib/python${major}.${minor}/site-packages`;
  return {
    majorMinor: `${major}.${minor}`,
    sitePackages,
    scriptsDir: windows ? 'Scripts' : 'bin',
    executable: windows ? 'python.exe' : `bin/python${major}.${minor}`,
    cacheTag: `cpython-${major}${minor}`,
    windows,
  };
}

/** The python a noarch: python package needs, or a clear error when there is none. */
export function requirePython(python: PythonInfo | undefined, packageName: string): PythonInfo {
  if (!python) {
    throw new TaipanError('LINK_FAILED', `'${packageName}' is a noarch: python package, but the environment has no python`, {
      hint: 'install python into the environment too, or do not use --no-deps for this package',
    });
  }
  return python;
}

/** Maps a noarch: python package's path to its place in the prefix. */
export function noarchPythonTarget(python: PythonInfo, relative: string): string {
  if (relative.startsWith('site-packages/')) return `${python.sitePackages}/${relative.slice('site-packages/'.length)}`;
  if (relative.startsWith('python-scripts/')) return `${python.scriptsDir}/${relative.slice('python-scripts/'.length)}`;
  return relative;
}

/**
 * Where python 3 keeps the bytecode of a prefix-relative `.py` file:
 * `dir/__pycache__/name.<tag>.pyc`.
 */
export function pycPath(python: PythonInfo, pyFile: string): string {
  const slash = pyFile.lastIndexOf('/');
  const dir = pyFile.slice(0, slash + 1);
  const stem = pyFile.slice(slash + 1).replace(/\.py$/, '');
  return `${dir}__pycache__/${stem}.${python.cacheTag}.pyc`;
}

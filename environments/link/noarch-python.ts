/**
 * noarch: python packages ship `site-packages/` and `python-scripts/`; where they land
 * depends on the environment's python, as conda's linker decides it.
 */
import { TaipanError } from '../../channels/model/errors.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';

export function noarchPythonTargets(python: RepoDataRecord | undefined, windows: boolean, packageName: string): (relative: string) => string {
  if (!python) {
    throw new TaipanError('LINK_FAILED', `'${packageName}' is a noarch: python package, but the environment has no python`, {
      hint: 'install python into the environment too, or do not use --no-deps for this package',
    });
  }
  const [major, minor] = python.version.split('.');
  const sitePackages =
    typeof python.python_site_packages_path === 'string'
      ? python.python_site_packages_path
      : windows
        ? 'Lib/site-packages'
        : `lib/python${major}.${minor}/site-packages`;
  const scripts = windows ? 'Scripts' : 'bin';
  return (relative) => {
    if (relative.startsWith('site-packages/')) return `${sitePackages}/${relative.slice('site-packages/'.length)}`;
    if (relative.startsWith('python-scripts/')) return `${scripts}/${relative.slice('python-scripts/'.length)}`;
    return relative;
  };
}

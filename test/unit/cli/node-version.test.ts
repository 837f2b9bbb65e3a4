import semver from 'semver';
import { satisfiesNodeRange } from '../../../cli/version.js';

describe('satisfiesNodeRange', () => {
  const versions = ['v20.0.0', 'v20.11.0', 'v19.9.9', 'v21.0.0', 'v20.1.0', 'v20.0.1', '20.5.3', 'v0.10.48', 'v22.0.0-nightly20240101', 'v20.0.0-rc.1', 'v020.1.0', 'nonsense'];
  const ranges = ['>=20', '>=20.1', '>=20.0.1', '>= 20', ' >=20.1.0 ', '>=0', '^20.1.0', '>=18 <21', '20.x', '>=20.1.0-rc.0'];

  test.each(ranges)('agrees with semver.satisfies for %j', (range) => {
    for (const version of versions) expect([version, satisfiesNodeRange(version, range)]).toEqual([version, semver.satisfies(version, range)]);
  });
});

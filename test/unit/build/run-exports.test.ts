import { exportedRequirements, mergeRequirements, strongBuildExports } from '../../../build/run-exports.js';

const build = new Map([
  ['c-compiler', { strong: ['libgcc >=13'], weak: ['never'], strong_constrains: ['sysroot >=2.17'] }],
]);
const host = new Map([
  ['zlib', { weak: ['libzlib >=1.3,<2.0a0'], weak_constrains: ['zlib-ng <3'] }],
  ['openssl', { weak: ['openssl >=3,<4.0a0'], strong: ['ca-certificates'] }],
  ['python', { weak: ['python_abi 3.12.* *_cp312'], noarch: ['python'] }],
]);
const none = { byName: [], fromPackage: [] };

describe('run_exports', () => {
  test('weak from host, strong from build and host, constrains alike', () => {
    expect(exportedRequirements({ build, host, ignore: none, noarch: false })).toEqual({
      depends: ['libgcc >=13', 'openssl >=3,<4.0a0', 'ca-certificates', 'python_abi 3.12.* *_cp312', 'libzlib >=1.3,<2.0a0'],
      constrains: ['sysroot >=2.17', 'zlib-ng <3'],
    });
  });

  test('ignore by exported name and by package', () => {
    const ignore = { byName: ['libzlib', 'libgcc'], fromPackage: ['openssl'] };
    expect(exportedRequirements({ build, host, ignore, noarch: false }).depends).toEqual(['python_abi 3.12.* *_cp312']);
    expect(strongBuildExports(build, ignore, false)).toEqual([]);
  });

  test('noarch packages take only the noarch exports of host', () => {
    expect(exportedRequirements({ build, host, ignore: none, noarch: true })).toEqual({ depends: ['python'], constrains: [] });
    expect(strongBuildExports(build, none, true)).toEqual([]);
  });

  test('strong build exports go into host', () => {
    expect(strongBuildExports(build, none, false)).toEqual(['libgcc >=13']);
  });

  test('a bare name in run gives way to the pinned export; others add up without duplicates', () => {
    expect(mergeRequirements(['libzlib', 'python >=3.10', 'openssl >=3,<4.0a0'], ['libzlib >=1.3,<2.0a0', 'openssl >=3,<4.0a0'])).toEqual([
      'python >=3.10',
      'openssl >=3,<4.0a0',
      'libzlib >=1.3,<2.0a0',
    ]);
  });
});

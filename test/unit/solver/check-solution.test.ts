/** The independent solution checker must catch each kind of wrong answer. */
import type { RepoDataRecord } from '../../../channels/model/package-record.js';
import { checkSolution } from '../../helpers/check-solution.js';

function rec(name: string, version: string, depends: string[] = [], extra: Record<string, unknown> = {}): RepoDataRecord {
  const fn = `${name}-${version}-0.conda`;
  return { name, version, build: '0', build_number: 0, depends, subdir: 'noarch', fn, url: fn, channel: 'test', ...extra } as RepoDataRecord;
}

const a = rec('a', '1', ['b >=2']);
const b1 = rec('b', '1');
const b2 = rec('b', '2', [], { constrains: ['c <2'] });
const c3 = rec('c', '3');
const available = [a, b1, b2, c3];

describe('checkSolution', () => {
  test('accepts a valid solution', () => {
    expect(checkSolution({ records: [b2, a], specs: ['a'], available })).toEqual([]);
  });

  test('reports each kind of problem', () => {
    expect(checkSolution({ records: [a], specs: ['a'], available })).toEqual([
      "a-1-0 depends on 'b >=2', which the result does not satisfy (absent)",
    ]);
    expect(checkSolution({ records: [b1, a], specs: ['a'], available })[0]).toContain("depends on 'b >=2'");
    expect(checkSolution({ records: [b2, a, b1], specs: ['a'], available })[0]).toContain("two records named 'b'");
    expect(checkSolution({ records: [b2, a, c3], specs: ['a', 'c'], available })).toEqual(["b-2-0 constrains 'c <2' but c-3-0 is in the result"]);
    expect(checkSolution({ records: [b2, a], specs: ['a 2'], available })[0]).toContain("is not satisfied (a-1-0)");
    expect(checkSolution({ records: [b2, { ...a, channel: 'elsewhere' }], specs: ['a'], available })[0]).toContain('is not an available record');
    expect(checkSolution({ records: [b2, a, c3], specs: ['a'], available, requireMinimal: true })).toEqual([
      "b-2-0 constrains 'c <2' but c-3-0 is in the result",
      'c-3-0 is in the result but nothing requested needs it',
    ]);
    expect(checkSolution({ records: [a, b2], specs: ['a'], available })).toEqual(["a-1-0 comes before its dependency 'b'"]);
    expect(checkSolution({ records: [b1], specs: ['b'], available, pinned: ['b >=2'] })).toEqual(["pinned 'b >=2' but b-1-0 is in the result"]);
  });

  test('virtual packages satisfy dependencies but may not be in the result', () => {
    const v = rec('x', '1', ['__glibc >=2.17']);
    const glibc = { name: '__glibc', version: '2.28', build: '0', build_number: 0, depends: [] };
    expect(checkSolution({ records: [v], specs: ['x'], available: [v], virtualPackages: [glibc] })).toEqual([]);
    expect(checkSolution({ records: [v], specs: ['x'], available: [v], virtualPackages: [{ ...glibc, version: '2.5' }] })[0]).toContain('__glibc >=2.17');
  });
});

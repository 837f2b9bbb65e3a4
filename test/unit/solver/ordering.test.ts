/** Candidate order, install order and core minimisation: the solver's pure helpers. */
import type { RepoDataRecord } from '../../../channels/model/package-record.js';
import { channelKey, compareRecords, orderCandidates } from '../../../solver/candidates.js';
import { minimalCore } from '../../../solver/core.js';
import { topologicalOrder } from '../../../solver/topo.js';

function rec(version: string, buildNumber = 0, extra: Record<string, unknown> = {}): RepoDataRecord {
  const build = `h_${buildNumber}`;
  const channel = (extra.channel as string | undefined) ?? 'c';
  return { name: 'p', version, build, build_number: buildNumber, depends: [], subdir: 'linux-64', fn: `p-${version}-${build}.conda`, url: '', channel, ...extra } as RepoDataRecord;
}
const show = (records: readonly RepoDataRecord[]): string[] => records.map((r) => `${r.version}/${r.build_number}/${r.channel}`);

describe('candidate order', () => {
  test('track_features, then version (conda ordering, not text), then build number, then timestamp', () => {
    const records = [
      rec('1.9'), rec('1.10'), rec('1.10', 2), rec('1.10', 1, { timestamp: 5 }), rec('1.10', 1, { timestamp: 9, channel: 'c' }),
      rec('2.0', 0, { track_features: 'debug' }), rec('1.10a'),
    ];
    const ordered = orderCandidates(records, 'disabled');
    expect(ordered.map((r) => `${r.version}/${r.build_number}/${r.timestamp ?? '-'}`)).toEqual([
      '1.10/2/-', '1.10/1/9', '1.10/1/5', '1.10/0/-', '1.10a/0/-', '1.9/0/-', '2.0/0/-',
    ]);
    expect(compareRecords(rec('1.0'), rec('1.0'))).toBe(0);
  });

  test('channel priority: strict filters, flexible ranks, disabled ignores', () => {
    const records = [rec('1.0', 0, { channel: 'high' }), rec('2.0', 0, { channel: 'low' }), rec('1.5', 0, { channel: 'high' })];
    expect(show(orderCandidates(records, 'strict'))).toEqual(['1.5/0/high', '1.0/0/high']);
    expect(show(orderCandidates(records, 'flexible'))).toEqual(['1.5/0/high', '1.0/0/high', '2.0/0/low']);
    expect(show(orderCandidates(records, 'disabled'))).toEqual(['2.0/0/low', '1.5/0/high', '1.0/0/high']);
  });

  test("a channel spelled with its subdir is the same channel as without", () => {
    expect(channelKey(rec('1.0', 0, { channel: 'https://conda.anaconda.org/conda-forge/noarch', subdir: 'noarch' }))).toBe('https://conda.anaconda.org/conda-forge');
    const records = [rec('1.0', 0, { channel: 'https://x/cf/linux-64' }), rec('2.0', 0, { channel: 'https://x/cf/noarch', subdir: 'noarch' })];
    expect(orderCandidates(records, 'strict').map((r) => r.version)).toEqual(['2.0', '1.0']);
  });
});

describe('install order', () => {
  test('dependencies first, ties by name, cycles broken deterministically', () => {
    const order = topologicalOrder([
      { name: 'app', value: 'app', dependsOn: ['python', 'zlib'] },
      { name: 'python', value: 'python', dependsOn: ['pip', 'zlib', 'openssl'] },
      { name: 'pip', value: 'pip', dependsOn: ['python'], lateInCycle: true },
      { name: 'zlib', value: 'zlib', dependsOn: [] },
      { name: 'openssl', value: 'openssl', dependsOn: ['ca', 'missing'] },
      { name: 'ca', value: 'ca', dependsOn: [] },
    ]);
    expect(order).toEqual(['ca', 'openssl', 'zlib', 'python', 'pip', 'app']);
  });
});

describe('minimal core', () => {
  test('keeps exactly the items that conflict', () => {
    // Unsatisfiable when it contains both 2 and 5, or 7 alone.
    const unsat = (s: readonly number[]): boolean => (s.includes(2) && s.includes(5)) || s.includes(7);
    expect(minimalCore([1, 2, 3, 5, 6], (s) => !unsat(s))).toEqual([2, 5]);
    expect(minimalCore([2, 5, 7], (s) => !unsat(s))).toEqual([7]);
  });
});

/**
 * The scanner takes a file in chunks and must find the same records wherever the chunks
 * end: inside strings, escapes, keys, names, numbers or between tokens.
 */
import { readFileSync, existsSync } from 'node:fs';
import { Channel } from '../../../../channels/model/channel.js';
import { RepodataScanner, scanRepodata, type ScannedRepodata } from '../../../../channels/repodata/scan/json-scan.js';
import { LazyRepodata } from '../../../../channels/repodata/scan/lazy-repodata.js';
import { describeShared, sharedPath } from '../../../helpers/shared.js';

function scanInChunks(bytes: Buffer, size: number): ScannedRepodata {
  const scanner = new RepodataScanner('test');
  for (let i = 0; i < bytes.length; i += size) scanner.feed(bytes.subarray(i, i + size));
  return scanner.finish();
}

function plain(scanned: ScannedRepodata): unknown {
  return { ...scanned, packages: [...scanned.packages], condaPackages: [...scanned.condaPackages] };
}

const TRICKY = Buffer.from(
  JSON.stringify(
    {
      info: { subdir: 'noarch', note: 'braces } { and "quotes" \\ inside' },
      removed: ['b-1-0.tar.bz2'],
      signatures: { 'x.tar.bz2': { key: '}]"' } },
      packages: {
        'a-1-0.tar.bz2': { build: '0', name: 'a', version: '1', depends: ['x }', '"{'], nested: { name: 'not-this' } },
        'a-2-0.tar.bz2': { name: 'a', version: '2', build: '0', summary: 'say \\"name\\": "zzz"' },
        'esc-1-0.tar.bz2': { name: 'ESCAPED', version: '1', build: '0' },
        'b-1-0.tar.bz2': { version: '1', build: '0', name: 'b' },
        'a-3-0.tar.bz2': { name: 'a', version: '3', build: '0' },
        'nameless-1-0.tar.bz2': { version: '1', build: '0' },
      },
      'packages.conda': { 'ü-1-0.conda': { name: 'ü', version: '1', build: '0', license: 'naïve' } },
      repodata_version: 1,
    },
    null,
    1,
  ).replace('"ESCAPED"', '"e\\u0073c"'),
);

describe('RepodataScanner', () => {
  const whole = scanRepodata(TRICKY, 'test');

  test('indexes records by their name field, in runs of adjacent records', () => {
    expect(whole.info).toEqual({ subdir: 'noarch', note: 'braces } { and "quotes" \\ inside' });
    expect(whole.removed).toEqual(['b-1-0.tar.bz2']);
    expect([...whole.packages.keys()]).toEqual(['a', 'esc', 'b']);
    expect(whole.packages.get('a')).toHaveLength(4); // two runs: a-1 + a-2, then a-3 after b
    expect([...whole.condaPackages.keys()]).toEqual(['ü']);
  });

  test.each([1, 2, 3, 5, 7, 11, 64, 4096])('chunks of %i bytes give the same index', (size) => {
    expect(plain(scanInChunks(TRICKY, size))).toEqual(plain(whole));
  });

  test.each([
    ['empty', ''],
    ['not an object', '[1, 2]'],
    ['cut short', '{"packages": {"a-1-0.tar.bz2": {"name": "a"'],
    ['cut inside a string', '{"packages": {"a-1-0.tar.bz2": {"name": "a'],
    ['a record that is no object', '{"packages": {"a-1-0.tar.bz2": ["a"]}}'],
    ['mismatched brackets', '{"packages": {"a-1-0.tar.bz2": {"name": "a"]}}'],
    ['data after the object', '{"packages": {}} {}'],
    ['damaged info', '{"info": {"subdir": }, "packages": {}}'],
  ])('%s fails with INVALID_REPODATA, whole or in chunks', (_, text) => {
    const bytes = Buffer.from(text);
    for (const size of [1, 3, 1 << 20]) {
      expect(() => scanInChunks(bytes, size)).toThrow(expect.objectContaining({ code: 'INVALID_REPODATA', message: expect.stringContaining("'test'") }));
    }
  });
});

test('a long run of one name is split (records are read back a MB at a time) and nothing is lost', () => {
  const packages: Record<string, unknown> = {};
  for (let i = 0; i < 3000; i++) packages[`big-${i}-0.conda`] = { name: 'big', version: String(i), build: '0', summary: 'x'.repeat(500) };
  const bytes = Buffer.from(JSON.stringify({ 'packages.conda': packages }));
  const scanned = scanRepodata(bytes, 'test');
  const spans = scanned.condaPackages.get('big') as number[];
  expect(spans.length).toBeGreaterThan(2);
  for (let i = 0; i < spans.length; i += 2) expect((spans[i + 1] as number) - (spans[i] as number)).toBeLessThanOrEqual((1 << 20) + 1024);
  const lazy = LazyRepodata.fromBytes(bytes, Channel.parse('https://example.org/chan'), 'noarch', 'test');
  expect(lazy.records('big').map((r) => r.version)).toEqual(Array.from({ length: 3000 }, (_, i) => String(i)));
});

describeShared('RepodataScanner on a fixture channel', () => {
  test('conda-forge-subset linux-64 in odd chunk sizes', () => {
    const file = sharedPath('fixtures', 'channels', 'conda-forge-subset', 'linux-64', 'repodata.json');
    expect(existsSync(file)).toBe(true);
    const bytes = readFileSync(file);
    const whole = plain(scanRepodata(bytes, 'test'));
    for (const size of [997, 65_536]) expect(plain(scanInChunks(bytes, size))).toEqual(whole);
  });
});

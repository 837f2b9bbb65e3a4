/**
 * The lazy by-name index must give exactly the records a full JSON.parse gives, on every
 * real fixture channel, and must fail clearly on damaged files.
 */
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Channel } from '../../../../channels/model/channel.js';
import { LazyRepodata } from '../../../../channels/repodata/scan/lazy-repodata.js';
import { recordsFromRepodata } from '../../../../channels/repodata/records.js';
import { describeShared, sharedPath } from '../../../helpers/shared.js';

const channel = Channel.parse('https://example.org/chan');

function lazyAll(lazy: LazyRepodata): unknown[] {
  const out: unknown[] = [];
  for (const name of lazy.names()) out.push(...lazy.records(name));
  return out;
}

function byFn(records: readonly unknown[]): Map<string, unknown> {
  return new Map(records.map((r) => [(r as { fn: string }).fn, r]));
}

describe('LazyRepodata', () => {
  test('reads packages and packages.conda, prefers .conda, drops removed, honours base_url', () => {
    const json = {
      info: { subdir: 'linux-64', base_url: 'https://mirror.example/pkgs/linux-64/' },
      packages: {
        'a-1-0.tar.bz2': { name: 'a', version: '1', build: '0', build_number: 0, depends: ['b'] },
        'a-2-0.tar.bz2': { name: 'a', version: '2', build: '0', build_number: 0, depends: [] },
        'b-1-0.tar.bz2': { name: 'b', version: '1', build: '0', depends: [], nested: { x: ['}', '{"'] } },
      },
      'packages.conda': { 'a-1-0.conda': { name: 'a', version: '1', build: '0', build_number: 0, depends: ['b'] } },
      removed: ['a-2-0.tar.bz2'],
    };
    const lazy = LazyRepodata.fromBytes(Buffer.from(JSON.stringify(json, null, 1)), channel, 'linux-64', 'test');
    expect([...lazy.names()].sort()).toEqual(['a', 'b']);
    expect(lazy.records('a').map((r) => r.fn)).toEqual(['a-1-0.conda']);
    expect(lazy.records('a')[0]?.url).toBe('https://mirror.example/pkgs/linux-64/a-1-0.conda');
    expect(lazy.records('b')[0]?.nested).toEqual({ x: ['}', '{"'] });
    expect(lazy.records('b')[0]?.build_number).toBe(0);
    expect(lazy.records('zzz')).toEqual([]);
    expect(lazy.records('a')).toBe(lazy.records('a'));
    expect(Object.isFrozen(lazy.records('a')[0])).toBe(true);
  });

  test('damaged JSON fails with INVALID_REPODATA naming the source', () => {
    const text = '{"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1"';
    expect(() => LazyRepodata.fromBytes(Buffer.from(text), channel, 'noarch', 'cache/x.json')).toThrow(
      expect.objectContaining({ code: 'INVALID_REPODATA', message: expect.stringContaining("'cache/x.json'") }),
    );
  });

  test('escaped quotes and names with escapes are handled', () => {
    const text = '{"packages":{"q-1-0.tar.bz2":{"summary":"say \\"hi\\" \\\\","name":"q","version":"1","build":"0"}}}';
    const lazy = LazyRepodata.fromBytes(Buffer.from(text), channel, 'noarch', 't');
    expect(lazy.records('q')[0]?.summary).toBe('say "hi" \\');
  });
});

describeShared('LazyRepodata on the fixture channels', () => {
  const root = sharedPath('fixtures', 'channels');
  const files: string[] = [];
  if (existsSync(root)) {
    for (const chan of readdirSync(root)) {
      const dir = path.join(root, chan);
      if (!existsSync(dir) || chan.endsWith('.md')) continue;
      for (const subdir of readdirSync(dir)) {
        const file = path.join(dir, subdir, 'repodata.json');
        if (existsSync(file)) files.push(file);
      }
    }
  }

  test.each(files.map((f) => [path.relative(root, f)]))('%s: same records as JSON.parse', (rel) => {
    const file = path.join(root, rel);
    const subdir = path.basename(path.dirname(file));
    const bytes = readFileSync(file);
    const full = byFn(recordsFromRepodata(JSON.parse(bytes.toString('utf8')), channel, subdir, file));
    const lazy = byFn(lazyAll(LazyRepodata.fromBytes(bytes, channel, subdir, file)));
    expect(lazy.size).toBe(full.size);
    for (const [fn, record] of full) expect(lazy.get(fn)).toEqual(record);
  });
});

/**
 * Records built from bytes must be what `JSON.parse` + `adoptRecord` build: the same fields,
 * values and key order (conda-meta and lock files are written from them), frozen, with
 * repeated strings and lists shared.
 */
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Channel } from '../../../../channels/model/channel.js';
import type { RepoDataRecord } from '../../../../channels/model/package-record.js';
import { LazyRepodata } from '../../../../channels/repodata/scan/lazy-repodata.js';
import { ParsedRecords, RecordParser } from '../../../../channels/repodata/scan/record-parser.js';
import { adoptRecord, recordContext, recordsFromRepodata } from '../../../../channels/repodata/records.js';
import { describeShared, sharedPath } from '../../../helpers/shared.js';

const channel = Channel.parse('https://example.org/chan');
const context = recordContext(channel, 'linux-64', undefined, 'test');

/** Parse `"fn": {...}` members with RecordParser and with JSON.parse + adoptRecord. */
function both(members: string): { parsed: Map<string, RepoDataRecord>; expected: Map<string, RepoDataRecord> } {
  const bytes = Buffer.from(members);
  const out = new ParsedRecords();
  new RecordParser(context).members(bytes, 0, bytes.length, 0, out);
  const parsed = new Map(out.fns.map((fn, i) => [fn, out.records[i] as RepoDataRecord]));
  expect(out.fns).toHaveLength(parsed.size);
  const raw = JSON.parse(`{${members}}`) as Record<string, unknown>;
  const expected = new Map(Object.keys(raw).map((fn) => [fn, adoptRecord(raw[fn], fn, context)]));
  return { parsed, expected };
}

function expectSame(members: string): Map<string, RepoDataRecord> {
  const { parsed, expected } = both(members);
  expect([...parsed.keys()]).toEqual([...expected.keys()]);
  for (const [fn, record] of expected) {
    const got = parsed.get(fn);
    expect(JSON.stringify(got)).toBe(JSON.stringify(record));
    expect(got).toEqual(record);
    expect(Object.isFrozen(got)).toBe(true);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
  }
  return parsed;
}

describe('RecordParser', () => {
  test('every kind of value, in file order, completed like adoptRecord', () => {
    expectSame(`
      "a-1-0.tar.bz2": {
        "arch": null, "build": "0", "build_number": 3, "constrains": ["b <2"], "depends": ["python >=3.9", "c"],
        "fn": "other-name.tar.bz2", "url": "https://elsewhere/x", "channel": "https://elsewhere",
        "license": "Überlizenz \\u00e9\\n", "md5": "d7c89558ba9fa0495403155b64376d81", "name": "a",
        "noarch": "python", "platform": null, "size": 2562, "subdir": null, "timestamp": 1578324546067,
        "version": "1", "flag": true, "off": false, "ratio": 1.5, "exp": 1e3, "neg": -12, "negzero": -0,
        "huge": 12345678901234567890, "nested": {"x": ["}", "{\\""], "y": {"z": null}}, "list": [1, "a", [2]]
      },
      "b-1-0.conda":{"name":"b","version":"1","build":"0"},
      "c-1-0.conda" : { "version" : "1" , "build_number" : "7", "depends" : "not a list", "name" : "c", "build" : "0" }`);
  });

  test('a depends list with other values than strings is kept as JSON.parse makes it', () => {
    const parsed = expectSame('"a-1-0.conda": {"name": "a", "version": "1", "build": "0", "depends": ["x", 1, null]}');
    expect(parsed.get('a-1-0.conda')?.depends).toEqual(['x', 1, null]);
  });

  test('a repeated file name keeps its first place and its last record; __proto__ stays an own key', () => {
    const parsed = expectSame(
      '"a-1-0.conda": {"name": "a", "version": "1", "build": "0"}, "b-1-0.conda": {"name": "b", "version": "1", "build": "0", "__proto__": {"polluted": 1}}, "a-1-0.conda": {"name": "a", "version": "1", "build": "0", "size": 2, "size": 3}',
    );
    expect(parsed.get('a-1-0.conda')?.size).toBe(3);
    const b = parsed.get('b-1-0.conda') as unknown as Record<string, unknown>;
    expect(Object.keys(b)).toContain('__proto__');
    expect(b.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('repeated depends lists and strings are one frozen object', () => {
    const parsed = expectSame(
      '"a-1-0.conda": {"name": "a", "version": "1", "build": "0", "license": "MIT", "depends": ["x >=1", "y"]}, "a-2-0.conda": {"name": "a", "version": "2", "build": "0", "license": "MIT", "depends": ["x >=1", "y"]}',
    );
    const [one, two] = [...parsed.values()] as [RepoDataRecord, RepoDataRecord];
    expect(one.depends).toBe(two.depends);
    expect(Object.isFrozen(one.depends)).toBe(true);
  });

  test('many shapes (a new key per record) still give the same records', () => {
    const members = Array.from({ length: 300 }, (_, i) => `"p-${i}-0.conda": {"name": "p", "version": "${i}", "build": "0", "k${i}": ${i}}`).join(',');
    expectSame(members);
  });

  test('one record with 50,000 keys (a hostile file) is built like JSON.parse builds it', () => {
    const extra = Array.from({ length: 50_000 }, (_, i) => `"k${i}": ${i}`).join(', ');
    const parsed = expectSame(`"big-1-0.conda": {"name": "big", "version": "1", "build": "0", ${extra}}`);
    expect(Object.keys(parsed.get('big-1-0.conda')!)).toHaveLength(50_000 + 9);
  });

  test.each([
    ['an unsafe name', '"x-1-0.conda": {"name": "../x", "version": "1", "build": "0"}'],
    ['a missing build', '"x-1-0.conda": {"name": "x", "version": "1"}'],
    ['bad JSON', '"x-1-0.conda": {"name": "x", "version": "1", "build": "0", "size": 01}'],
    ['a control character', '"x-1-0.conda": {"name": "x\n", "version": "1", "build": "0"}'],
    ['a bad literal', '"x-1-0.conda": {"name": "x", "version": "1", "build": "0", "ok": nope}'],
    ['a cut record', '"x-1-0.conda": {"name": "x", "version": "1", "build": "0"'],
  ])('%s fails with INVALID_REPODATA', (_, members) => {
    const bytes = Buffer.from(members);
    expect(() => new RecordParser(context).members(bytes, 0, bytes.length, 0, new ParsedRecords())).toThrow(expect.objectContaining({ code: 'INVALID_REPODATA' }));
  });
});

describe('LazyRepodata.fromFile', () => {
  const json = {
    info: { subdir: 'noarch' },
    packages: {
      'a-1-0.tar.bz2': { name: 'a', version: '1', build: '0', depends: ['b'] },
      'b-1-0.tar.bz2': { name: 'b', version: '1', build: '0' },
    },
  };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'taipan-lazy-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('reads records back from the file it indexed, even after a new file is renamed over it', () => {
    const file = path.join(dir, 'repodata.json');
    writeFileSync(file, JSON.stringify(json));
    const lazy = LazyRepodata.fromFile(file, channel, 'noarch', file);
    writeFileSync(`${file}.new`, JSON.stringify({ packages: { 'zzzzzzzzzzzzzzzzzz-9-0.tar.bz2': { name: 'zzzzzzzzzzzzzzzzzz', version: '9', build: '0' } } }));
    renameSync(`${file}.new`, file);
    expect(lazy.records('a').map((r) => r.fn)).toEqual(['a-1-0.tar.bz2']);
    expect(lazy.records('b')[0]?.url).toBe('https://example.org/chan/noarch/b-1-0.tar.bz2');
  });

  const fdDir = '/proc/self/fd';
  (existsSync(fdDir) ? test : test.skip)('closes the file once every name is built', () => {
    const file = path.join(dir, 'repodata.json');
    writeFileSync(file, JSON.stringify(json));
    // Warm up anything that opens descriptors lazily, then count.
    closeSync(openSync(file, 'r'));
    const before = readdirSync(fdDir).length;
    const lazy = LazyRepodata.fromFile(file, channel, 'noarch', file);
    expect(readdirSync(fdDir).length).toBe(before + 1);
    lazy.records('a');
    expect(readdirSync(fdDir).length).toBe(before + 1);
    lazy.records('b');
    expect(readdirSync(fdDir).length).toBe(before);
    expect(lazy.records('a')).toBe(lazy.records('a'));
  });

  test('a missing file throws ENOENT as it is; a damaged one INVALID_REPODATA and no descriptor stays open', () => {
    expect(() => LazyRepodata.fromFile(path.join(dir, 'nope.json'), channel, 'noarch', 'x')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    const file = path.join(dir, 'repodata.json');
    writeFileSync(file, '{"packages": {"a-1-0.tar.bz2": {"name": "a"');
    const before = existsSync(fdDir) ? readdirSync(fdDir).length : 0;
    expect(() => LazyRepodata.fromFile(file, channel, 'noarch', file)).toThrow(expect.objectContaining({ code: 'INVALID_REPODATA' }));
    if (existsSync(fdDir)) expect(readdirSync(fdDir).length).toBe(before);
  });
});

describeShared('RecordParser on the fixture channels: the same records, key order included', () => {
  const root = sharedPath('fixtures', 'channels');
  const files: string[] = [];
  if (existsSync(root)) {
    for (const chan of readdirSync(root)) {
      const dir = path.join(root, chan);
      if (chan.endsWith('.md')) continue;
      for (const subdir of readdirSync(dir)) {
        const file = path.join(dir, subdir, 'repodata.json');
        if (existsSync(file)) files.push(file);
      }
    }
  }

  test.each(files.map((f) => [path.relative(root, f)]))('%s', (rel) => {
    const file = path.join(root, rel);
    const subdir = path.basename(path.dirname(file));
    const full = recordsFromRepodata(JSON.parse(readFileSync(file, 'utf8')), channel, subdir, file);
    const lazy = LazyRepodata.fromFile(file, channel, subdir, file);
    const got = new Map<string, RepoDataRecord>();
    for (const name of lazy.names()) for (const record of lazy.records(name)) got.set(record.fn, record);
    expect(got.size).toBe(full.length);
    for (const record of full) expect(JSON.stringify(got.get(record.fn))).toBe(JSON.stringify(record));
  });
});

/**
 * Every real package of ../shared/fixtures/packages extracts to exactly the tree the system
 * tools produce (paths, types, content hashes, symlink targets, executable bits).
 */
import { readdirSync, existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { extractPackage, hashFile } from '../../../../channels/archive/index.js';
import { isTaipanError } from '../../../../channels/model/errors.js';
import { describeShared, sharedPath } from '../../../helpers/shared.js';
import { asObject, mapLimit, referenceExtract, snapshotTree, tempDir } from './helpers.js';

const FIXTURES = sharedPath('fixtures', 'packages');

/** INDEX.md marks these two as CORRUPT negative tests (0-byte .conda; 16 bytes, not bzip2). */
const CORRUPT = new Set(['another_bad_package.conda', 'bad_package.tar.bz2']);

function fixtureNames(): string[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES).filter((name) => name.endsWith('.conda') || name.endsWith('.tar.bz2')).sort();
}

describeShared('extractPackage on the real fixtures', () => {
  let work: string;
  beforeAll(async () => {
    work = await tempDir('extract-fixtures');
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('every valid package extracts to the same tree as tar / unzip + zstd', async () => {
    const names = fixtureNames().filter((name) => !CORRUPT.has(name));
    expect(names.length).toBeGreaterThanOrEqual(80);
    await mapLimit(names, 3, async (name) => {
      const archive = path.join(FIXTURES, name);
      const ours = path.join(work, 'ours', name);
      const theirs = path.join(work, 'theirs', name);
      const [result] = await Promise.all([extractPackage(archive, ours), referenceExtract(archive, theirs)]);
      const [mine, reference] = await Promise.all([snapshotTree(ours), snapshotTree(theirs)]);
      expect({ name, tree: asObject(mine) }).toEqual({ name, tree: asObject(reference) });
      expect(result.entries.length).toBeGreaterThan(0);
      // The digests computed while streaming equal a separate read of the file.
      const hashes = await hashFile(archive);
      expect({ name, sha256: result.sha256, md5: result.md5, size: result.size }).toEqual({ name, ...hashes });
      await Promise.all([rm(ours, { recursive: true }), rm(theirs, { recursive: true })]);
    });
  });

  test('zlib-1.2.11-h1de35cc_3.conda: its two symlinks with an empty target are skipped and reported', async () => {
    const result = await extractPackage(path.join(FIXTURES, 'zlib-1.2.11-h1de35cc_3.conda'), path.join(work, 'empty-links'));
    expect(result.skipped.map((s) => s.path).sort()).toEqual(['lib/libz.1.dylib', 'lib/libz.dylib']);
  });

  test.each([...CORRUPT])('%s is CORRUPT_ARCHIVE naming the file, and leaves nothing behind', async (name) => {
    const archive = path.join(FIXTURES, name);
    const parent = path.join(work, `corrupt-${name}`);
    const dest = path.join(parent, 'pkg');
    const error = await extractPackage(archive, dest).catch((err: unknown) => err);
    expect(isTaipanError(error) && error.code).toBe('CORRUPT_ARCHIVE');
    expect((error as Error).message).toContain(archive);
    expect(existsSync(dest)).toBe(false);
    expect(await readdir(parent)).toEqual([]); // no temporary folder left either
  });

  test('ca-certificates .conda with members under extra folders: members are found by base name (as rattler does)', async () => {
    const archive = path.join(FIXTURES, 'ca-certificates-2024.7.4-hbcca054_0.conda');
    const dest = path.join(work, 'nested');
    const result = await extractPackage(archive, dest);
    const tree = await snapshotTree(dest);
    expect(tree.get('info/index.json')?.type).toBe('file');
    // The zip's Users/... folders are not package content.
    expect([...tree.keys()].some((p) => p.startsWith('Users'))).toBe(false);
    expect(result.entries.some((e) => e.type === 'symlink')).toBe(true);
    // rattler's own test pins these digests for this file.
    expect(result.sha256).toBe('6a5d6d8a1a7552dbf8c617312ef951a77d2dac09f2aeaba661deebce603a7a97');
    expect(result.md5).toBe('a1d1adb5a5dc516dfb3dccc7b9b574a9');
  });
});

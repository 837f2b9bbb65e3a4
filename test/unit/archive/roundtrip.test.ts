/**
 * Writing packages: re-packing an extracted fixture in both formats and extracting it again
 * gives the same tree (and the same info/); the written archives are readable by the
 * system tools; writing twice gives byte-identical files.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { extractPackage, readArchiveMetadata, readPackageMetadata, writeCondaPackage, writeTarBz2Package } from '../../../channels/archive/index.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';
import { asObject, infoPart, mapLimit, referenceExtract, snapshotTree, tempDir } from './helpers.js';

const FIXTURES = sharedPath('fixtures', 'packages');
const CORRUPT = new Set(['another_bad_package.conda', 'bad_package.tar.bz2']);

function fixtureNames(): string[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES)
    .filter((name) => (name.endsWith('.conda') || name.endsWith('.tar.bz2')) && !CORRUPT.has(name))
    .sort();
}

function stemOf(name: string): string {
  return name.replace(/\.(conda|tar\.bz2)$/, '');
}

describeShared('writeCondaPackage / writeTarBz2Package', () => {
  let work: string;
  beforeAll(async () => {
    work = await tempDir('roundtrip');
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('re-packing every fixture in both formats extracts to the identical tree, also with the system tools', async () => {
    await mapLimit(fixtureNames(), 3, async (name) => {
      const base = path.join(work, name);
      const source = path.join(base, 'src');
      await extractPackage(path.join(FIXTURES, name), source);
      const original = await snapshotTree(source);
      for (const format of ['conda', 'tar.bz2'] as const) {
        const archive = path.join(base, `${stemOf(name)}.${format}`);
        // A fast zstd level keeps the suite quick; the level does not change the content.
        if (format === 'conda') await writeCondaPackage(source, archive, { compressionLevel: 3 });
        else await writeTarBz2Package(source, archive);
        const again = path.join(base, `again-${format}`);
        const reference = path.join(base, `reference-${format}`);
        await Promise.all([extractPackage(archive, again), referenceExtract(archive, reference)]);
        const [ours, theirs] = await Promise.all([snapshotTree(again), snapshotTree(reference)]);
        expect({ name, format, tree: asObject(ours) }).toEqual({ name, format, tree: asObject(original) });
        expect({ name, format, info: infoPart(theirs) }).toEqual({ name, format, info: infoPart(original) });
        expect({ name, format, tree: asObject(theirs) }).toEqual({ name, format, tree: asObject(original) });
      }
      await rm(base, { recursive: true });
    });
  });

  test.each([
    'cph_test_data-0.0.1-0.tar.bz2', // symlink zoo, dangling link
    'zlib-1.2.11-h7b6447c_3.conda', // symlinks, text prefix, run_exports
    'symlink-test-1.0.0-0.conda', // hard link member
    'small-executable-1.0-0.conda', // executable bits
  ])('writing %s twice gives byte-identical archives in both formats', async (name) => {
    const base = path.join(work, `det-${name}`);
    const source = path.join(base, 'src');
    await extractPackage(path.join(FIXTURES, name), source);
    const stem = stemOf(name);
    for (const format of ['conda', 'tar.bz2'] as const) {
      const first = path.join(base, 'one', `${stem}.${format}`);
      const second = path.join(base, 'two', `${stem}.${format}`);
      for (const out of [first, second]) {
        await rm(path.dirname(out), { recursive: true, force: true });
        await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(out), { recursive: true }));
        if (format === 'conda') await writeCondaPackage(source, out);
        else await writeTarBz2Package(source, out);
      }
      expect(Buffer.compare(await readFile(first), await readFile(second))).toBe(0);
    }
  });

  test('the written .conda has conda\'s member layout and metadata.json', async () => {
    const name = 'zlib-1.2.11-h7b6447c_3.conda';
    const base = path.join(work, 'layout');
    const source = path.join(base, 'src');
    await extractPackage(path.join(FIXTURES, name), source);
    const out = path.join(base, 'zlib-1.2.11-h7b6447c_3.conda');
    await writeCondaPackage(source, out, { compressionLevel: 3 });
    const { execFileSync } = await import('node:child_process');
    const listing = execFileSync('unzip', ['-Zv', out], { encoding: 'utf8' });
    const members = execFileSync('unzip', ['-Z1', out], { encoding: 'utf8' }).trim().split('\n');
    expect(members).toEqual(['metadata.json', 'pkg-zlib-1.2.11-h7b6447c_3.tar.zst', 'info-zlib-1.2.11-h7b6447c_3.tar.zst']);
    expect(listing.match(/compression method: +.*/g)).toEqual(Array(3).fill("compression method:                             none (stored)"));
    expect(execFileSync('unzip', ['-p', out, 'metadata.json'], { encoding: 'utf8' })).toBe('{"conda_pkg_format_version": 2}');
    // info/ only in the info tarball, payload only in the pkg tarball; no owner names.
    const infoList = execFileSync('sh', ['-c', `unzip -p "$1" info-zlib-1.2.11-h7b6447c_3.tar.zst | zstd -dc | tar tvf -`, 'sh', out], {
      encoding: 'utf8',
    });
    const pkgList = execFileSync('sh', ['-c', `unzip -p "$1" pkg-zlib-1.2.11-h7b6447c_3.tar.zst | zstd -dc | tar tf -`, 'sh', out], {
      encoding: 'utf8',
    });
    expect(infoList.split('\n').filter(Boolean).every((line) => / 0\/0 /.test(line) && / info\//.test(line))).toBe(true);
    expect(pkgList.split('\n').filter(Boolean).some((line) => line.startsWith('info/'))).toBe(false);
    // Metadata read from the written archive equals the folder's.
    expect(await readArchiveMetadata(out)).toEqual(await readPackageMetadata(source));
  });

  test('the written .tar.bz2 lists info/ first, sorted, with uid/gid 0 and a fixed mtime', async () => {
    const name = 'cph_test_data-0.0.1-0.tar.bz2';
    const base = path.join(work, 'order');
    const source = path.join(base, 'src');
    await extractPackage(path.join(FIXTURES, name), source);
    const out = path.join(base, 'cph_test_data-0.0.1-0.tar.bz2');
    await writeTarBz2Package(source, out);
    const { execFileSync } = await import('node:child_process');
    const verbose = execFileSync('tar', ['tvjf', out], { encoding: 'utf8' }).trim().split('\n');
    const names = execFileSync('tar', ['tjf', out], { encoding: 'utf8' }).trim().split('\n');
    const firstPayload = names.findIndex((n) => !n.startsWith('info/'));
    expect(firstPayload).toBeGreaterThan(0);
    expect(names.slice(firstPayload).some((n) => n.startsWith('info/'))).toBe(false);
    expect(names.slice(0, firstPayload)).toEqual([...names.slice(0, firstPayload)].sort());
    expect(verbose.every((line) => / 0\/0 /.test(line) && /2023-01-01 00:00/.test(line))).toBe(true);
  });
});

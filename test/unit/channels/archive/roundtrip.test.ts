/**
 * Writing packages: re-packing an extracted fixture in both formats and extracting it again
 * gives the same tree (and the same info/); the written archives are readable by the
 * system tools; writing twice gives byte-identical files.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { extractPackage, readArchiveMetadata, readPackageMetadata, writeCondaPackage, writeTarBz2Package } from '../../../../channels/archive/index.js';
import { describeShared, sharedPath } from '../../../helpers/shared.js';
import { asObject, infoPart, mapLimit, referenceExtract, snapshotTree, tempDir } from './helpers.js';

const FIXTURES = sharedPath('fixtures', 'packages');

/**
 * A spread of the fixtures (INDEX.md): every kind of entry and layout, but not the few
 * multi-megabyte ones — pure-JS bzip2 runs at a few MB/s, and extract-fixtures.test.ts
 * already covers reading all of them.
 */
const ROUND_TRIP = [
  'cph_test_data-0.0.1-0.tar.bz2', // symlink zoo: dir symlinks, chains, dangling
  'symlink-test-1.0.0-0.conda', // hard link member
  'ca-certificates-2019.1.23-0.tar.bz2', // one symlink
  'ca-certificates-2024.7.4-hbcca054_0.conda', // nested zip members
  'zlib-1.2.11-h7b6447c_3.conda', // symlink members, text prefix
  'zlib-1.2.11-h7b6447c_3.tar.bz2', // softlinks stored as empty files
  'zlib-1.2.11-h62dcd97_3.tar.bz2', // win-64 layout
  'small-executable-1.0-0.conda', // executable bits
  'empty-0.1.0-h4616a5c_0.conda', // no payload at all
  'info-only-1.0.0-0.conda', // no pkg member
  'dotslash-test-1.0.0-0.conda', // ./-prefixed names
  'python-3.12.4-h194c7f8_0_cpython.conda', // pkg tar also carries info/licenses
  'conda-index-pkg-a-1.0-pyhed9eced_1.tar.bz2', // noarch python, entry points
  'libffi-3.2.1-hd88cf55_4.tar.bz2', // symlinks + text prefix
  'xz-5.2.4-h14c3975_4.tar.bz2', // 33 symlinks, binary prefix
  'mock-2.0.0-py37_1000.conda', // real conda-forge .conda
  'nano-2.4.1-0.tar.bz2', // legacy info/ only
  'pixi-editor-1.0.0-h4616a5c_0.conda', // binary icons
];

function fixtureNames(): string[] {
  return existsSync(FIXTURES) ? ROUND_TRIP.filter((name) => existsSync(path.join(FIXTURES, name))) : [];
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

  test('re-packing fixtures in both formats extracts to the identical tree, also with the system tools', async () => {
    expect(fixtureNames()).toHaveLength(ROUND_TRIP.length);
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

  test('every other readable fixture re-packs to the identical tree (.conda always, .tar.bz2 for archives up to 256 KiB)', async () => {
    const corrupt = new Set(['another_bad_package.conda', 'bad_package.tar.bz2']);
    const rest = (await readdir(FIXTURES)).filter((n) => /\.(conda|tar\.bz2)$/.test(n) && !corrupt.has(n) && !ROUND_TRIP.includes(n)).sort();
    expect(rest.length).toBeGreaterThan(50);
    const condaOnly: string[] = [];
    await mapLimit(rest, 3, async (name) => {
      const base = path.join(work, `all-${name}`);
      const source = path.join(base, 'src');
      await extractPackage(path.join(FIXTURES, name), source);
      const original = await snapshotTree(source);
      // Pure-JS bzip2 compresses at 1-2 MB/s; the larger packages go through .conda only.
      const archiveBytes = (await stat(path.join(FIXTURES, name))).size;
      const formats = archiveBytes <= 256 * 1024 ? (['conda', 'tar.bz2'] as const) : (['conda'] as const);
      if (formats.length === 1) condaOnly.push(name);
      for (const format of formats) {
        const archive = path.join(base, `${stemOf(name)}.${format}`);
        if (format === 'conda') await writeCondaPackage(source, archive, { compressionLevel: 1 });
        else await writeTarBz2Package(source, archive, { compressionLevel: 1 });
        const again = path.join(base, `again-${format}`);
        await extractPackage(archive, again);
        expect({ name, format, tree: asObject(await snapshotTree(again)) }).toEqual({ name, format, tree: asObject(original) });
      }
      await rm(base, { recursive: true });
    });
    if (condaOnly.length > 0) console.log(`re-packed as .conda only (archives over 256 KiB): ${condaOnly.join(', ')}`);
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
        await mkdir(path.dirname(out), { recursive: true });
        if (format === 'conda') await writeCondaPackage(source, out);
        else await writeTarBz2Package(source, out);
      }
      expect(Buffer.compare(await readFile(first), await readFile(second))).toBe(0);
    }
  });

  test('the .conda bytes do not depend on the time zone (zip DOS times)', async () => {
    const base = path.join(work, 'tz');
    const source = path.join(base, 'src');
    await extractPackage(path.join(FIXTURES, 'small-executable-1.0-0.conda'), source);
    const saved = process.env.TZ;
    const outputs: Buffer[] = [];
    try {
      for (const tz of ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles']) {
        process.env.TZ = tz; // Node re-reads TZ when it is assigned
        const out = path.join(base, tz.replace('/', '-'), 'small-executable-1.0-0.conda');
        await mkdir(path.dirname(out), { recursive: true });
        await writeCondaPackage(source, out, { compressionLevel: 3 });
        outputs.push(await readFile(out));
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(outputs[1]?.equals(outputs[0] as Buffer)).toBe(true);
    expect(outputs[2]?.equals(outputs[0] as Buffer)).toBe(true);
  });

  test('a payload file above the in-memory threshold streams through both formats', async () => {
    const base = path.join(work, 'big');
    const source = path.join(base, 'src');
    await mkdir(path.join(source, 'info'), { recursive: true });
    await mkdir(path.join(source, 'share'), { recursive: true });
    await writeFile(path.join(source, 'info', 'index.json'), JSON.stringify({ name: 'big', version: '1', build: '0', build_number: 0, depends: [] }));
    const big = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.write(`block ${i}\n`, i);
    await writeFile(path.join(source, 'share', 'big.bin'), big);
    for (const format of ['conda', 'tar.bz2'] as const) {
      const archive = path.join(base, `big-1-0.${format}`);
      if (format === 'conda') await writeCondaPackage(source, archive, { compressionLevel: 1 });
      else await writeTarBz2Package(source, archive, { compressionLevel: 1 });
      const dest = path.join(base, `out-${format}`);
      await extractPackage(archive, dest);
      expect((await readFile(path.join(dest, 'share', 'big.bin'))).equals(big)).toBe(true);
    }
  });

  test('the written .conda has conda\'s member layout and metadata.json', async () => {
    const name = 'zlib-1.2.11-h7b6447c_3.conda';
    const base = path.join(work, 'layout');
    const source = path.join(base, 'src');
    await extractPackage(path.join(FIXTURES, name), source);
    const out = path.join(base, 'zlib-1.2.11-h7b6447c_3.conda');
    await writeCondaPackage(source, out, { compressionLevel: 3 });
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
    const verbose = execFileSync('tar', ['tvjf', out], { encoding: 'utf8' }).trim().split('\n');
    const names = execFileSync('tar', ['tjf', out], { encoding: 'utf8' }).trim().split('\n');
    const firstPayload = names.findIndex((n) => !n.startsWith('info/'));
    expect(firstPayload).toBeGreaterThan(0);
    expect(names.slice(firstPayload).some((n) => n.startsWith('info/'))).toBe(false);
    expect(names.slice(0, firstPayload)).toEqual([...names.slice(0, firstPayload)].sort());
    expect(verbose.every((line) => / 0\/0 /.test(line) && /2023-01-01 00:00/.test(line))).toBe(true);
  });
});

/** The info/ readers: parsers, the legacy paths.json fallback, folder vs archive readers. */
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  extractPackage,
  legacyPathsJson,
  parseHasPrefix,
  parseIndexJson,
  parsePathsJson,
  readArchiveIndexJson,
  readArchiveInfoFiles,
  readArchiveMetadata,
  readIndexJson,
  readPackageMetadata,
  readPathsJson,
  writeCondaPackage,
  writeTarBz2Package,
} from '../../../../channels/archive/index.js';
import { isTaipanError } from '../../../../channels/model/errors.js';
import { describeShared, sharedPath } from '../../../helpers/shared.js';
import { mapLimit, tempDir } from './helpers.js';

const FIXTURES = sharedPath('fixtures', 'packages');

let work: string;
beforeAll(async () => {
  work = await tempDir('metadata');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function metadataError(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return isTaipanError(err) ? `${err.code}: ${err.message}` : String(err);
  }
}

describe('parsers', () => {
  test('has_prefix: full lines, quoted win-64 lines, bare paths', () => {
    const text = [
      '/opt/anaconda1anaconda2anaconda3 text bin/tool',
      '"C:/ci/zlib_1542815121147/_h_env" text "Library/share/pkgconfig/zlib.pc"',
      '# comment',
      '',
      'lib/pkgconfig/x.pc',
      '/long/_h_env_placehold_placehold binary lib/libz.dylib',
    ].join('\n');
    expect(parseHasPrefix(text, 'src')).toEqual([
      { path: 'bin/tool', prefix_placeholder: '/opt/anaconda1anaconda2anaconda3', file_mode: 'text' },
      { path: 'Library/share/pkgconfig/zlib.pc', prefix_placeholder: 'C:/ci/zlib_1542815121147/_h_env', file_mode: 'text' },
      { path: 'lib/pkgconfig/x.pc', prefix_placeholder: '/opt/anaconda1anaconda2anaconda3', file_mode: 'text' },
      { path: 'lib/libz.dylib', prefix_placeholder: '/long/_h_env_placehold_placehold', file_mode: 'binary' },
    ]);
    expect(metadataError(() => parseHasPrefix('a weird b', 'src'))).toMatch(/^PACKAGE_METADATA: .*has_prefix.*'a weird b'/);
  });

  test('legacy paths.json is built from files + has_prefix + no_link like conda', () => {
    const paths = legacyPathsJson(
      {
        files: 'bin/tool\nlib/libx.so\nlib/libx.so.1\n',
        hasPrefix: '/opt/anaconda1anaconda2anaconda3 text bin/tool\n',
        noLink: 'lib/libx.so.1\n',
        isSymlink: (p) => p === 'lib/libx.so',
      },
      'src',
    );
    expect(paths).toEqual({
      paths_version: 0,
      paths: [
        { _path: 'bin/tool', path_type: 'hardlink', prefix_placeholder: '/opt/anaconda1anaconda2anaconda3', file_mode: 'text' },
        { _path: 'lib/libx.so', path_type: 'softlink' },
        { _path: 'lib/libx.so.1', path_type: 'hardlink', no_link: true },
      ],
    });
  });

  test('index.json and paths.json are validated with messages naming the file', () => {
    expect(metadataError(() => parseIndexJson('{"name": "x", "version": "1"}', '/pkgs/x'))).toBe(
      "PACKAGE_METADATA: invalid package metadata 'info/index.json' in '/pkgs/x': 'build' must be a non-empty string",
    );
    expect(metadataError(() => parseIndexJson('not json', '/pkgs/x'))).toMatch(/not valid JSON/);
    expect(parseIndexJson('{"name": "x", "version": "1", "build": "0"}', 's')).toEqual({
      name: 'x',
      version: '1',
      build: '0',
      build_number: 0,
      depends: [],
    });
    expect(metadataError(() => parsePathsJson('{"paths": [{"_path": "a", "path_type": "pyc_file"}]}', 's'))).toMatch(
      /paths\[0\] \('a'\) has path_type "pyc_file"/,
    );
  });
});

describe('folder readers and archive readers agree', () => {
  test('a synthetic legacy package with a symlink: same PathsJson from the folder and from both archive formats', async () => {
    const src = path.join(work, 'legacy-src');
    await mkdir(path.join(src, 'info'), { recursive: true });
    await mkdir(path.join(src, 'lib'), { recursive: true });
    await writeFile(path.join(src, 'info', 'index.json'), JSON.stringify({ name: 'legacy', version: '1', build: '0', build_number: 0, depends: [] }));
    await writeFile(path.join(src, 'info', 'files'), 'lib/libx.so.1\nlib/libx.so\n');
    await writeFile(path.join(src, 'info', 'has_prefix'), 'lib/libx.so.1\n');
    await writeFile(path.join(src, 'lib', 'libx.so.1'), 'binary');
    await symlink('libx.so.1', path.join(src, 'lib', 'libx.so'));
    const fromFolder = await readPackageMetadata(src);
    expect(fromFolder.paths.paths.map((p) => p.path_type)).toEqual(['hardlink', 'softlink']);
    for (const name of ['legacy-1-0.conda', 'legacy-1-0.tar.bz2']) {
      const archive = path.join(work, name);
      if (name.endsWith('.conda')) await writeCondaPackage(src, archive, { compressionLevel: 3 });
      else await writeTarBz2Package(src, archive);
      expect(await readArchiveMetadata(archive)).toEqual(fromFolder);
    }
  });

  test('a folder without info/index.json is PACKAGE_METADATA', async () => {
    const error = await readIndexJson(path.join(work, 'nowhere')).catch((err: unknown) => err);
    expect(isTaipanError(error) && error.code).toBe('PACKAGE_METADATA');
  });
});

describeShared('metadata of the real fixtures', () => {
  const NAMES = [
    '_openmp_mutex-4.5-2_gnu.tar.bz2',
    'conda-index-pkg-a-1.0-py27h5e241af_0.conda',
    'conda-index-pkg-a-1.0-pyhed9eced_1.tar.bz2',
    'dotslash-test-1.0.0-0.conda',
    'flask-0.11.1-py_0.tar.bz2',
    'info-only-1.0.0-0.conda',
    'libedit-3.1.20181209-hc058e9b_0.tar.bz2',
    'nano-2.4.1-0.tar.bz2',
    'pip-25.3-pyh8b19718_0.conda',
    'python-3.12.4-h194c7f8_0_cpython.conda',
    'run_exports_versions-1.0-he35c369_0.tar.bz2',
    'spiffy-test-app-0.5-pyh6afbcc8_0.tar.bz2',
    'zlib-1.2.11-h62dcd97_3.tar.bz2',
    'zlib-1.2.11-h7b6447c_3.conda',
  ];

  test('readArchiveMetadata (info only, no extraction) equals readPackageMetadata of the extracted folder', async () => {
    await mapLimit(NAMES, 3, async (name) => {
      const dir = path.join(work, 'fixtures', name);
      await extractPackage(path.join(FIXTURES, name), dir);
      const [fromArchive, fromFolder] = await Promise.all([readArchiveMetadata(path.join(FIXTURES, name)), readPackageMetadata(dir)]);
      expect({ name, metadata: fromArchive }).toEqual({ name, metadata: fromFolder });
    });
  });

  const archive = (name: string): string => path.join(FIXTURES, name);

  test('noarch python entry points come from link.json', async () => {
    const spiffy = await readArchiveMetadata(archive('spiffy-test-app-0.5-pyh6afbcc8_0.tar.bz2'));
    expect(spiffy.link?.noarch).toEqual({
      type: 'python',
      entry_points: ['spiffy-test-app = spiffy_test_app:main', 'spiffy-test-helper = spiffy_test_app:helper'],
    });
    const pip = await readArchiveMetadata(archive('pip-25.3-pyh8b19718_0.conda'));
    expect(pip.link?.noarch?.entry_points).toEqual(['pip = pip._internal.cli.main:main', 'pip3 = pip._internal.cli.main:main']);
    expect(pip.index.noarch).toBe('python');
  });

  test('run_exports.json, constrains, and the quoted win-64 placeholder', async () => {
    const runExports = await readArchiveMetadata(archive('run_exports_versions-1.0-he35c369_0.tar.bz2'));
    expect(Object.keys(runExports.runExports ?? {}).length).toBeGreaterThan(0);
    const mutex = await readArchiveMetadata(archive('_openmp_mutex-4.5-2_gnu.tar.bz2'));
    expect(mutex.runExports).toBeDefined();
    expect(mutex.index.constrains?.length).toBeGreaterThan(0);
    const win = await readArchiveMetadata(archive('zlib-1.2.11-h62dcd97_3.tar.bz2'));
    expect(win.paths.paths.find((p) => p._path === 'Library/share/pkgconfig/zlib.pc')).toMatchObject({
      file_mode: 'text',
      prefix_placeholder: 'C:/ci/zlib_1542815121147/_h_env',
    });
  });

  test('legacy packages: paths from info/files (paths_version 0); none at all when info/files is missing', async () => {
    const nano = await readArchiveMetadata(archive('nano-2.4.1-0.tar.bz2'));
    expect(nano.paths.paths_version).toBe(0);
    expect(nano.paths.paths.length).toBeGreaterThan(0);
    expect(nano.paths.paths.every((p) => p.path_type === 'hardlink')).toBe(true);
    expect(nano.index.subdir).toBeUndefined();
    const bare = await readArchiveMetadata(archive('info-only-1.0.0-0.conda'));
    expect(bare.paths).toEqual({ paths_version: 0, paths: [] });
  });

  test('index.json straight from archives, including ./-prefixed names; single info files', async () => {
    expect((await readArchiveIndexJson(archive('dotslash-test-1.0.0-0.conda'))).name).toBe('dotslash-test');
    const zlibConda = await readArchiveIndexJson(archive('zlib-1.2.11-h7b6447c_3.conda'));
    const zlibBz2 = await readArchiveIndexJson(archive('zlib-1.2.11-h7b6447c_3.tar.bz2'));
    expect(zlibConda).toMatchObject({ name: 'zlib', version: '1.2.11', build: 'h7b6447c_3', subdir: 'linux-64' });
    expect(zlibConda).toEqual(zlibBz2);
    const files = await readArchiveInfoFiles(archive('flask-0.11.1-py_0.tar.bz2'), ['info/files.json', 'info/missing']);
    expect([...files.keys()]).toEqual(['info/files.json']);
    expect(existsSync(archive('flask-0.11.1-py_0.tar.bz2'))).toBe(true);
  });

  test('readPathsJson of an extracted zlib matches its paths.json softlinks', async () => {
    const dir = path.join(work, 'zlib-paths');
    await extractPackage(archive('zlib-1.2.11-h7b6447c_3.conda'), dir);
    const paths = await readPathsJson(dir);
    expect(paths.paths.filter((p) => p.path_type === 'softlink').map((p) => p._path).sort()).toEqual(['lib/libz.so', 'lib/libz.so.1']);
  });
});

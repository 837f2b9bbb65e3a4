/** The pure parts of the cache restore, the `files:` selection and the host pins. */
import { selectFiles } from '../../../build/package/select-files.js';
import { rewritePrefix } from '../../../build/cache/restore-cache.js';
import { paddedPrefix, HOST_PREFIX_LENGTH } from '../../../build/cache/padded-prefix.js';
import { completeHostPins } from '../../../build/host-pins.js';
import { isTaipanError } from '../../../channels/model/errors.js';
import { renderedOutput } from './rendered.js';

describe('files: selection', () => {
  const files = ['bin/exe', 'bin/absolute-exe-symlink', 'foo.txt', 'absolute-symlink.txt', 'include/a/b.h', 'lib/libdav1d.so', 'lib/libdav1d.so.7', 'lib/libdav1d.so.7.0.0', 'lib/libx.a'];
  test.each([
    [{ include: ['lib/*.so.*'], exclude: [] }, ['lib/libdav1d.so.7', 'lib/libdav1d.so.7.0.0']],
    [{ include: ['**/*'], exclude: ['absolute-symlink.txt', 'bin/absolute-exe-symlink'] }, ['bin/exe', 'foo.txt', 'include/a/b.h', 'lib/libdav1d.so', 'lib/libdav1d.so.7', 'lib/libdav1d.so.7.0.0', 'lib/libx.a']],
    // a folder takes what is under it (conda-build lists folders; the CEP writes `include/`)
    [{ include: ['include/'], exclude: [] }, ['include/a/b.h']],
    [{ include: ['include'], exclude: [] }, ['include/a/b.h']],
    [{ include: ['lib/**'], exclude: ['**/*.a'] }, ['lib/libdav1d.so', 'lib/libdav1d.so.7', 'lib/libdav1d.so.7.0.0']],
    // exclude alone: every new file but those
    [{ include: [], exclude: ['lib/**', 'bin'] }, ['foo.txt', 'absolute-symlink.txt', 'include/a/b.h']],
  ])('%j', (selection, expected) => {
    expect(selectFiles(files, selection)).toEqual(expected);
  });
  test('no selection keeps every file', () => {
    expect(selectFiles(files, undefined)).toEqual(files);
  });
});

describe('moving a cache file to another prefix', () => {
  const from = paddedPrefix('/tmp/taipan-cache-x-AAAAAA/host_env');
  const to = paddedPrefix('/tmp/taipan-build-libfoo-BBBBBB/host_env');
  test('host prefixes are padded to one length', () => {
    expect(from.length).toBe(HOST_PREFIX_LENGTH);
    expect(to.length).toBe(HOST_PREFIX_LENGTH);
  });
  test('every occurrence is replaced, in text and binary alike, when the lengths agree', () => {
    const binary = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), Buffer.from(`${from}/share/x\0`), Buffer.from(`${from}/lib\0`)]);
    const out = rewritePrefix(binary, from, to);
    expect(out.length).toBe(binary.length);
    expect(out.includes(Buffer.from(from))).toBe(false);
    expect(out.toString('latin1').split(to).length - 1).toBe(2);
  });
  test('a different length is replaced in text only', () => {
    expect(rewritePrefix(Buffer.from(`prefix=${from}\n`), from, '/short').toString()).toBe('prefix=/short\n');
    const binary = Buffer.from(`\0${from}\0`);
    expect(rewritePrefix(binary, from, '/short')).toEqual(binary);
  });
});

describe('pin_compatible from the solved host environment', () => {
  const output = renderedOutput({ name: 'app', recipeDir: '/r', run: ['tool', 'libdemo', 'python'], runConstraints: ['numpy'] });
  const pinned = {
    ...output,
    requirements: {
      ...output.requirements,
      runExports: { ...output.requirements.runExports, weak: ['libdemo'] },
      hostPins: [
        { list: 'run' as const, index: 1, name: 'libdemo', lower: 'x.x.x.x.x.x', upper: 'x.x', exact: false },
        { list: 'run' as const, index: 2, name: 'python', lower: 'x.x.x.x.x.x', upper: 'x', exact: true },
        { list: 'runConstraints' as const, index: 0, name: 'numpy', lower: 'x.x', upper: 'x.x', exact: false },
        { list: 'weak' as const, index: 0, name: 'libdemo', lower: null, upper: '3', exact: false },
      ],
    },
  };
  const host = [
    { name: 'libdemo', version: '1.2.3', build: 'h0123456_0' },
    { name: 'python', version: '3.12.4', build: 'h1_0_cpython' },
    { name: 'numpy', version: '1.26.4', build: 'py312h2_0' },
  ];
  test('bounds from the version, exact from version and build', () => {
    const reqs = completeHostPins(pinned, host, []);
    expect(reqs.run).toEqual(['tool', 'libdemo >=1.2.3,<1.3.0a0', 'python 3.12.4 h1_0_cpython']);
    expect(reqs.runConstraints).toEqual(['numpy >=1.26,<1.27.0a0']);
    expect(reqs.runExports.weak).toEqual(['libdemo <3']);
  });
  test('a name missing from host is a recipe error naming it', () => {
    let error: unknown;
    try {
      completeHostPins(pinned, host.slice(1), []);
    } catch (e) {
      error = e;
    }
    expect(isTaipanError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'RECIPE', message: expect.stringContaining("pin_compatible('libdemo') of output 'app'") });
  });
});

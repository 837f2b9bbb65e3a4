/**
 * Malicious and damaged archives, built in the test: every escape attempt is refused with
 * UNSAFE_ARCHIVE_ENTRY, nothing appears outside the target, and no partial destination
 * (nor temporary folder) is left behind. Damaged bytes are CORRUPT_ARCHIVE.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import compressjs from 'compressjs';
import { Header, type HeaderData } from 'tar';
import yazl from 'yazl';
import { extractPackage } from '../../../../channels/archive/index.js';
import { zstdWasm } from '../../../../channels/archive/zstd-wasm.js';
import { isTaipanError } from '../../../../channels/model/errors.js';
import { tempDir } from './helpers.js';

interface RawEntry extends HeaderData {
  body?: string;
}

/** A tar written header by header, so names node-tar's Pack would sanitise stay hostile. */
function rawTar(entries: readonly RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const { body, ...header } of entries) {
    const data = Buffer.from(body ?? '');
    const block = Buffer.alloc(512);
    new Header({ mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, type: 'File', ...header, size: data.length }).encode(block, 0);
    blocks.push(block, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function bzip2(data: Buffer): Buffer {
  return Buffer.from(compressjs.Bzip2.compressFile(data) as Uint8Array);
}

const INDEX = JSON.stringify({ name: 'evil', version: '1', build: '0', build_number: 0, depends: [] });

async function condaOf(pkgTar: Buffer, out: string): Promise<void> {
  const zip = new yazl.ZipFile();
  const info = rawTar([{ path: 'info/index.json', body: INDEX }]);
  zip.addBuffer(Buffer.from('{"conda_pkg_format_version": 2}'), 'metadata.json', { compress: false });
  zip.addBuffer(Buffer.from(zstd.compress(pkgTar, 3)), 'pkg-evil-1-0.tar.zst', { compress: false });
  zip.addBuffer(Buffer.from(zstd.compress(info, 3)), 'info-evil-1-0.tar.zst', { compress: false });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  await writeFile(out, Buffer.concat(chunks));
}

let work: string;
let zstd: Awaited<ReturnType<typeof zstdWasm>>;
beforeAll(async () => {
  work = await tempDir('hostile');
  // The shared handle: initialising zstd-wasm a second time makes it write corrupt frames.
  zstd = await zstdWasm();
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Each case gets: an archive folder, an `outside` folder to watch, and a parent for dest. */
async function scenario(label: string): Promise<{ outside: string; parent: string; dest: string; archives: string }> {
  const base = path.join(work, label);
  const outside = path.join(base, 'outside');
  const parent = path.join(base, 'target-parent');
  const archives = path.join(base, 'archives');
  await Promise.all([mkdir(outside, { recursive: true }), mkdir(parent, { recursive: true }), mkdir(archives, { recursive: true })]);
  return { outside, parent, dest: path.join(parent, 'pkg'), archives };
}

async function expectRefused(archive: string, dest: string, code = 'UNSAFE_ARCHIVE_ENTRY'): Promise<Error> {
  const error = await extractPackage(archive, dest).then(
    () => new Error('extraction succeeded'),
    (err: unknown) => err as Error,
  );
  expect({ code: isTaipanError(error) ? error.code : 'not a TaipanError', message: error.message }).toEqual({
    code,
    message: expect.stringContaining(archive),
  });
  expect(existsSync(dest)).toBe(false);
  expect(await readdir(path.dirname(dest))).toEqual([]); // no temporary folder left
  return error;
}

type Case = [string, (outside: string) => RawEntry[], string];

const CASES: Case[] = [
  ['a ../ name', () => [{ path: 'ok.txt', body: 'fine' }, { path: '../evil.txt', body: 'pwned' }], '..'],
  ['a nested ../ name', () => [{ path: 'a/../../evil.txt', body: 'pwned' }], '..'],
  ['an absolute name', (outside) => [{ path: path.join(outside, 'abs-evil.txt'), body: 'pwned' }], 'absolute'],
  [
    'a symlink to /etc, then a file through it',
    () => [
      { path: 'etc', type: 'SymbolicLink', linkpath: '/etc' },
      { path: 'etc/taipan-evil', body: 'pwned' },
    ],
    "absolute path '/etc'",
  ],
  [
    'a symlink climbing out, then a file through it',
    (outside) => [
      { path: 'sub/up', type: 'SymbolicLink', linkpath: '../../outside' },
      { path: 'sub/up/evil.txt', body: 'pwned' },
      { path: 'x', type: 'SymbolicLink', linkpath: path.relative(path.join(outside, '..', 'target-parent'), outside) },
    ],
    'points outside',
  ],
  [
    'symlinks that only escape together (b -> c/.., then c -> .)',
    () => [
      { path: 'b', type: 'SymbolicLink', linkpath: 'c/..' },
      { path: 'c', type: 'SymbolicLink', linkpath: '.' },
    ],
    'through other symlinks',
  ],
  [
    'symlinks that escape through an earlier one (c -> ., then b -> c/..)',
    () => [
      { path: 'c', type: 'SymbolicLink', linkpath: '.' },
      { path: 'b', type: 'SymbolicLink', linkpath: 'c/..' },
    ],
    'points outside',
  ],
  ['a hard link to ../', () => [{ path: 'hl', type: 'Link', linkpath: '../outside/secret' }], 'hard link'],
  ['a hard link to an absolute path', (outside) => [{ path: 'hl', type: 'Link', linkpath: path.join(outside, 'secret') }], 'hard link'],
  ['a character device', () => [{ path: 'dev-null', type: 'CharacterDevice', devmaj: 1, devmin: 3 }], 'CharacterDevice'],
  ['a block device', () => [{ path: 'disk', type: 'BlockDevice', devmaj: 8, devmin: 0 }], 'BlockDevice'],
  ['a fifo', () => [{ path: 'pipe', type: 'FIFO' }], 'FIFO'],
];

describe('hostile .tar.bz2 entries are refused', () => {
  test.each(CASES)('%s', async (label, build, fragment) => {
    const { outside, dest, archives } = await scenario(`bz2-${label.replace(/\W+/g, '-')}`);
    await writeFile(path.join(outside, 'secret'), 'secret');
    const archive = path.join(archives, 'evil-1-0.tar.bz2');
    await writeFile(archive, bzip2(rawTar(build(outside))));
    const error = await expectRefused(archive, dest);
    expect(error.message).toContain(fragment);
    // Nothing was written outside the target.
    expect((await readdir(outside)).sort()).toEqual(['secret']);
    expect(await readFile(path.join(outside, 'secret'), 'utf8')).toBe('secret');
    expect(existsSync(path.join(work, `bz2-${label.replace(/\W+/g, '-')}`, 'evil.txt'))).toBe(false);
    expect(existsSync('/etc/taipan-evil')).toBe(false);
  });
});

describe('hostile .conda payloads are refused the same way', () => {
  test.each(CASES.slice(0, 5))('%s', async (label, build, fragment) => {
    const { outside, dest, archives } = await scenario(`conda-${label.replace(/\W+/g, '-')}`);
    const archive = path.join(archives, 'evil-1-0.conda');
    await condaOf(rawTar(build(outside)), archive);
    const error = await expectRefused(archive, dest);
    expect(error.message).toContain(fragment);
    expect(error.message).toContain('pkg-');
    expect(await readdir(outside)).toEqual([]);
  });
});

describe('what stays allowed', () => {
  test('symlinks inside the target, writing through a symlinked folder, hard links inside, ./ names', async () => {
    const { dest, archives } = await scenario('allowed');
    const archive = path.join(archives, 'fine-1-0.tar.bz2');
    await writeFile(
      archive,
      bzip2(
        rawTar([
          { path: './info/index.json', body: INDEX },
          { path: 'lib/python3.10/mod.py', body: 'x = 1' },
          { path: 'lib/python3.1', type: 'SymbolicLink', linkpath: 'python3.10' },
          { path: 'lib/python3.1/other.py', body: 'y = 2' },
          { path: 'bin/tool', body: '#!/bin/sh\n', mode: 0o755 },
          { path: 'bin/tool-again', type: 'Link', linkpath: 'bin/tool' },
          { path: 'share/up', type: 'SymbolicLink', linkpath: '..' },
          { path: 'dangling', type: 'SymbolicLink', linkpath: 'does/not/exist' },
        ]),
      ),
    );
    const result = await extractPackage(archive, dest);
    expect(await readFile(path.join(dest, 'lib/python3.10/other.py'), 'utf8')).toBe('y = 2');
    expect(await readFile(path.join(dest, 'bin/tool-again'), 'utf8')).toBe('#!/bin/sh\n');
    expect(result.entries.map((e) => `${e.type}:${e.path}`)).toEqual([
      'file:info/index.json',
      'file:lib/python3.10/mod.py',
      'symlink:lib/python3.1',
      'file:lib/python3.1/other.py',
      'file:bin/tool',
      'hardlink:bin/tool-again',
      'symlink:share/up',
      'symlink:dangling',
    ]);
  });
});

describe('damaged archives are CORRUPT_ARCHIVE', () => {
  const tarBody = (): Buffer =>
    rawTar([
      { path: 'info/index.json', body: INDEX },
      { path: 'big.bin', body: 'z'.repeat(300_000) + Math.random().toString(36).repeat(2000) },
    ]);

  test('a truncated .tar.bz2', async () => {
    const { dest, archives } = await scenario('truncated-bz2');
    const archive = path.join(archives, 'cut-1-0.tar.bz2');
    const whole = bzip2(tarBody());
    await writeFile(archive, whole.subarray(0, Math.floor(whole.length / 2)));
    await expectRefused(archive, dest, 'CORRUPT_ARCHIVE');
  });

  test('a .tar.bz2 whose tar is cut short (valid bzip2)', async () => {
    const { dest, archives } = await scenario('truncated-tar');
    const archive = path.join(archives, 'cut-1-0.tar.bz2');
    await writeFile(archive, bzip2(tarBody().subarray(0, 2048)));
    const error = await expectRefused(archive, dest, 'CORRUPT_ARCHIVE');
    expect(error.message).toMatch(/truncated/i);
  });

  test('a .conda cut in the middle', async () => {
    const { dest, archives } = await scenario('truncated-conda');
    const whole = path.join(archives, 'whole-1-0.conda');
    await condaOf(tarBody(), whole);
    const bytes = await readFile(whole);
    const archive = path.join(archives, 'cut-1-0.conda');
    await writeFile(archive, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectRefused(archive, dest, 'CORRUPT_ARCHIVE');
  });

  test('a .conda whose zstd member is damaged', async () => {
    const { dest, archives } = await scenario('bad-zstd');
    const whole = path.join(archives, 'whole-1-0.conda');
    await condaOf(tarBody(), whole);
    const bytes = Buffer.from(await readFile(whole));
    // Flip bytes inside the pkg member's compressed data (after its 30+name header).
    const at = bytes.indexOf('pkg-evil-1-0.tar.zst') + 'pkg-evil-1-0.tar.zst'.length + 40;
    for (let i = 0; i < 64; i++) bytes[at + i] = (bytes[at + i] as number) ^ 0xa5;
    const archive = path.join(archives, 'bad-1-0.conda');
    await writeFile(archive, bytes);
    await expectRefused(archive, dest, 'CORRUPT_ARCHIVE');
  });

  test('a .conda without an info member', async () => {
    const { dest, archives } = await scenario('no-info');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('{}'), 'metadata.json', { compress: false });
    zip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
    const archive = path.join(archives, 'noinfo-1-0.conda');
    await writeFile(archive, Buffer.concat(chunks));
    const error = await expectRefused(archive, dest, 'CORRUPT_ARCHIVE');
    expect(error.message).toContain('info-*.tar.zst');
  });

  test('not a package name at all is UNSUPPORTED_ARCHIVE', async () => {
    const error = await extractPackage(path.join(work, 'x.zip'), path.join(work, 'x')).catch((err: unknown) => err);
    expect(isTaipanError(error) && error.code).toBe('UNSUPPORTED_ARCHIVE');
  });
});

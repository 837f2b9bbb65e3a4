/**
 * Names the file system or a shell cannot take, through the real CLI with real archives
 * (issue 13 §6): payload names over 255 bytes and paths over PATH_MAX, a path that only
 * becomes too long under the package cache or the prefix, entry points of link.json named
 * `.`, `..`, with separators or too long, and environment.yml variables no shell can export.
 * Each ends in a typed error naming the entry, the package or the variable, and leaves no
 * environment behind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { sha256, writePackage } from '../reliability/fixtures.js';
import { deepPath, entryPointPackage, pythonStandIn } from '../reliability/cases/names.js';

function expectTypedError(run: CliResult, code: RegExp): void {
  expect(run.stderr).not.toMatch(/unexpected failure|    at /);
  expect(run.stderr).toMatch(code);
  expect(run.status).toBe(1);
}

describe('names at the limits of the file system', () => {
  let work: string;
  let channel: string;
  let env: NodeJS.ProcessEnv;
  const prefixOf = (name: string): string => path.join(work, 'envs', name);
  const create = (name: string, ...specs: string[]): CliResult =>
    runCli(['create', '-y', '-p', prefixOf(name), '-c', channel, '--override-channels', ...specs], env);

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-names-'));
    channel = path.join(work, 'channel');
    env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };
    await mkdir(path.join(work, 'envs'), { recursive: true });
    await writePackage(channel, { name: 'seg255', files: { [`share/${'c'.repeat(255)}`]: 'ok\n' } });
    await writePackage(channel, { name: 'seg256', files: { [`share/${'a'.repeat(256)}`]: 'x\n' } });
    await writePackage(channel, { name: 'seg300', files: { [`share/${'a'.repeat(300)}`]: 'x\n' }, format: 'tar.bz2' });
    await writePackage(channel, { name: 'pathmax', files: { [deepPath(4096)]: 'x\n' } });
    await writePackage(channel, { name: 'nearmax', files: { [deepPath(4060)]: 'x\n' } });
    await writePackage(channel, { name: 'deep3800', files: { [deepPath(3800)]: 'x\n' } });
    await pythonStandIn(channel);
    await entryPointPackage(channel, 'epdot', '. = mod_x:main');
    await entryPointPackage(channel, 'epdotdot', '.. = mod_x:main');
    await entryPointPackage(channel, 'epslash', 'a/b = mod_x:main');
    await entryPointPackage(channel, 'epbackslash', 'a\\b = mod_x:main');
    await entryPointPackage(channel, 'eplong', `${'e'.repeat(256)} = mod_x:main`);
    await entryPointPackage(channel, 'epgood', 'good-tool = mod_x:main');
    await indexChannel(channel);
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('a 255-byte file name installs', () => {
    const run = create('seg255', 'seg255');
    expect(run.stderr).toBe('');
    expect(existsSync(path.join(prefixOf('seg255'), 'share', 'c'.repeat(255)))).toBe(true);
  });

  test.each(['seg256', 'seg300'])('a payload name over 255 bytes (%s) is UNSAFE_ARCHIVE_ENTRY naming the entry', (name) => {
    const run = create(name, name);
    expectTypedError(run, /^error: refusing unsafe entry in package archive .*entry 'share\/aaaa.*file systems allow at most 255$/m);
    expect(existsSync(prefixOf(name))).toBe(false);
  });

  test('a payload path over 4095 bytes is refused the same way', () => {
    const run = create('pathmax', 'pathmax');
    expectTypedError(run, /^error: refusing unsafe entry .*the path is 4096 bytes long; file systems allow at most 4095$/m);
  });

  test('a path that fits lexically but not under the package cache: UNSUPPORTED_ARCHIVE naming the entry and the cache', () => {
    const run = create('nearmax', 'nearmax');
    expectTypedError(run, /^error: cannot extract '.*nearmax-1\.0-0\.conda', member 'pkg-\*\.tar\.zst', entry 'share\/ddd.*longer than the file system allows \(ENAMETOOLONG\)$/m);
    expect(run.stderr).toMatch(/^hint: use a package cache with a shorter path/m);
    // Nothing half-extracted stays in the cache.
    expect(readdirSync(path.join(work, 'pkgs')).filter((n) => n.includes('nearmax'))).toEqual(['nearmax-1.0-0.conda']);
  });

  test('a path that fits the cache but not the prefix: LINK_FAILED, rolled back', async () => {
    const longPrefix = path.join(work, 'p'.repeat(250), 'q'.repeat(100));
    await mkdir(path.dirname(longPrefix), { recursive: true });
    const run = runCli(['create', '-y', '-p', longPrefix, '-c', channel, '--override-channels', 'deep3800'], env);
    expectTypedError(run, /^error: cannot link 'share\/ddd.*the full path is \d+ bytes, longer than the file system allows \(ENAMETOOLONG\)$/m);
    expect(run.stderr).toMatch(/^hint: create the environment at a shorter path/m);
    expect(existsSync(longPrefix)).toBe(false);
  });

  test.each([
    ['epdot', "'.' names a folder, not a file"],
    ['epdotdot', "'..' names a folder, not a file"],
    ['epslash', 'a name may not contain a path separator'],
    ['epbackslash', 'a name may not contain a path separator'],
    ['eplong', 'the name is 256 bytes long'],
  ])("an entry point of %s's link.json is PACKAGE_METADATA before the prefix is touched", (name, reason) => {
    const run = create(name, name);
    expectTypedError(run, new RegExp(`^error: the entry point '.*' of '${name}' is not 'name = module:function': ${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    expect(run.stderr).not.toContain('EISDIR');
    expect(existsSync(prefixOf(name))).toBe(false);
  });

  test('a good entry point still becomes a script', () => {
    const run = create('epgood', 'epgood');
    expect(run.stderr).toBe('');
    expect(existsSync(path.join(prefixOf('epgood'), 'bin', 'good-tool'))).toBe(true);
  });

  test.each([
    ['1X', "'1X' is not a valid environment variable name"],
    ['A-B', "'A-B' is not a valid environment variable name"],
    ['A=B', "'A=B' is not a valid environment variable name"],
    ['"A B"', "'A B' is not a valid environment variable name"],
    ['"A\\0B"', "'A\\0B' is not a valid environment variable name"],
    ['PATH', "'PATH' is managed by activation"],
  ])('environment.yml variables: %s is refused before the transaction, naming the variable and the file', async (key, message) => {
    const file = path.join(work, `vars-${key.replace(/\W/g, '_')}.yml`);
    await writeFile(file, `name: vars\ndependencies:\n  - seg255\nvariables:\n  GOOD: "1"\n  ${key}: "2"\n`);
    const prefix = prefixOf(`vars-${key.replace(/\W/g, '_')}`);
    const run = runCli(['env', 'create', '-y', '-f', file, '-p', prefix, '-c', channel, '--override-channels'], env);
    expectTypedError(run, new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:3: in 'variables': ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    expect(run.stdout).not.toContain('Done');
    expect(existsSync(prefix)).toBe(false);
  });

  test('valid variables are set', async () => {
    const file = path.join(work, 'vars-ok.yml');
    await writeFile(file, 'name: vars\ndependencies:\n  - seg255\nvariables:\n  _GOOD_1: "one"\n  lower: two\n');
    const prefix = prefixOf('vars-ok');
    const run = runCli(['env', 'create', '-y', '-f', file, '-p', prefix, '-c', channel, '--override-channels'], env);
    expect(run.stderr).toBe('');
    const listed = runCli(['env', 'config', 'vars', 'list', '-p', prefix], env);
    expect(listed.stdout).toMatch(/_GOOD_1\s*=\s*one/);
    expect(listed.stdout).toMatch(/lower\s*=\s*two/);
  });
  test.each([
    ['a 256-byte -n name', ['--name', 'n'.repeat(256)], /^error: invalid environment name 'n{80}…'$/m],
    ['a -p path with a 300-byte folder', ['-p', 'PREFIX/'.concat('p'.repeat(300))], /^error: the environment path '.*' cannot be a folder: the name 'p{32}…' is 300 bytes long; file systems allow at most 255$/m],
  ])('%s is INVALID_ARGUMENT before anything is written', (_what, where, message) => {
    const args = where.map((a) => a.replace('PREFIX', path.join(work, 'envs')));
    const run = runCli(['create', '-y', ...args, '-c', channel, '--override-channels', 'seg255'], { ...env, TAIPAN_ENVS_DIRS: path.join(work, 'envs') });
    expectTypedError(run, message);
    expect(readdirSync(path.join(work, 'envs')).filter((n) => n.startsWith('nnn') || n.startsWith('ppp'))).toEqual([]);
  });

  test.each([
    ['a name, version and build too long for a conda-meta file', 'l'.repeat(300), 'long-1.0-0.conda', /^error: 'long-1\.0-0\.conda' cannot be installed: its record 'conda-meta\/l{60}…' would be 311 bytes, longer than file systems allow \(255\)$/m],
    ['a file name too long for the package cache', 'longfn', `${'x'.repeat(300)}.conda`, /^error: 'x{80}…' cannot be stored in the package cache '.*': the name is 306 bytes, longer than the file system allows \(ENAMETOOLONG\)$/m],
  ])('hand-written repodata with %s: INVALID_RECORD, nothing installed', async (_what, name, fn, message) => {
    const hostile = path.join(work, `hostile-${name.slice(0, 6)}`);
    await mkdir(path.join(hostile, 'noarch'), { recursive: true });
    const archive = readFileSync(path.join(channel, 'noarch', 'seg255-1.0-0.conda'));
    await writeFile(path.join(hostile, 'noarch', 'long-1.0-0.conda'), archive);
    const record = { name, version: '1.0', build: '0', build_number: 0, depends: [], subdir: 'noarch', sha256: sha256(archive), size: archive.length };
    await writeFile(path.join(hostile, 'noarch', 'repodata.json'), JSON.stringify({ info: { subdir: 'noarch' }, packages: {}, 'packages.conda': { [fn]: record } }));
    const prefix = prefixOf(`hostile-${name.slice(0, 6)}`);
    const run = runCli(['create', '-y', '-p', prefix, '-c', hostile, '--override-channels', name], env);
    expectTypedError(run, message);
    expect(existsSync(prefix)).toBe(false);
  });
});

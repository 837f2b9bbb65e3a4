/**
 * Every lock file in ../shared/fixtures/environments/conda-lock: the good ones read (with
 * spot checks of what they hold), the broken ones fail with a TaipanError that says why.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isTaipanError } from '../../../../channels/model/errors.js';
import { looksLikeLockFile, parseLockFile } from '../../../../environments/lockfile/read.js';
import { lockedRecords } from '../../../../environments/lockfile/select.js';
import { describeShared, sharedPath } from '../../../helpers/shared.js';

const ROOT = sharedPath('fixtures', 'environments', 'conda-lock');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

function mustFail(file: string): boolean {
  const relative = path.relative(ROOT, file);
  return relative.includes('lock_parse_fails') || /(^|\/)bad_/.test(relative) || relative.includes('forward-compatible');
}

describeShared('lock file fixtures', () => {
  const files = walk(ROOT).filter((f) => /\.(ya?ml|json|lock)$/.test(f));

  test('there are fixtures to read', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  test.each(files.map((f) => [path.relative(ROOT, f), f]))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    expect(looksLikeLockFile(text)).toBe(true);
    if (mustFail(file)) {
      let failure: unknown;
      try {
        parseLockFile(text, file);
      } catch (error) {
        failure = error;
      }
      expect(isTaipanError(failure)).toBe(true);
      expect((failure as Error).message).toContain('invalid lock file');
      return;
    }
    const lock = parseLockFile(text, file);
    expect(lock.environments.size).toBeGreaterThan(0);
    for (const environment of lock.environments.values()) {
      for (const packages of environment.packages.values()) {
        for (const pkg of packages) {
          if (pkg.kind !== 'conda') continue;
          expect(pkg.record.name).toMatch(/^[a-z0-9_.+-]+$/i);
          expect(pkg.record.url).toContain(pkg.record.fn);
        }
      }
    }
  });

  test('conda-lock v1: every package of a platform, with its hashes and dependencies', () => {
    const lock = parseLockFile(readFileSync(path.join(ROOT, 'micromamba-tests', 'envlockfile-check-step-1-lock.yaml'), 'utf8'), 'x');
    const records = lockedRecords(lock, 'linux-64');
    const mutex = records.find((r) => r.name === '_libgcc_mutex');
    expect(mutex).toMatchObject({ version: '0.1', build: 'conda_forge', md5: 'd7c89558ba9fa0495403155b64376d81', subdir: 'linux-64' });
    expect(mutex?.sha256).toBe('fe51de6107f9edc7aa4f786a70f4a883943bc9d39b3bb7307c04c41410990726');
    expect(records.every((r) => r.sha256 && r.md5)).toBe(true);
  });

  test('conda-lock v1 with constrains and several platforms', () => {
    const lock = parseLockFile(readFileSync(path.join(ROOT, 'mamba-tests', 'good_one_package-lock.yaml'), 'utf8'), 'x');
    const [zlib] = lockedRecords(lock, 'win-64');
    expect(zlib).toMatchObject({ name: 'libzlib', version: '1.2.11', depends: ['vc >=14.1,<15.0a0', 'vs2015_runtime >=14.16.27012'], constrains: ['zlib ==1.2.11 *_1013'] });
    expect(() => lockedRecords(lock, 'linux-aarch64')).toThrow(/no packages for 'linux-aarch64'/);
  });

  test('pixi v6: name, version and build come from the URL when the entry omits them', () => {
    const lock = parseLockFile(readFileSync(path.join(ROOT, 'rattler-tests', 'v6', 'python-from-conda-only-lock.yml'), 'utf8'), 'x');
    const records = lockedRecords(lock, 'osx-arm64');
    expect(records).toHaveLength(19);
    expect(records.find((r) => r.name === 'bzip2')).toMatchObject({ version: '1.0.8', build: 'h99b78c6_7', depends: ['__osx >=11.0'], size: 122909 });
  });

  test('pixi v4 references pypi URLs with #sha256 fragments; installing PyPI packages is refused clearly', () => {
    const lock = parseLockFile(readFileSync(path.join(ROOT, 'rattler-tests', 'test.lock'), 'utf8'), 'x');
    const env = lock.environments.get('default');
    expect(env?.packages.get('osx-arm64')?.filter((p) => p.kind === 'pypi')).toHaveLength(5);
    expect(() => lockedRecords(lock, 'osx-arm64')).toThrow(/PyPI package/);
  });

  test('pixi v7: named platforms map to subdirs', () => {
    const lock = parseLockFile(readFileSync(path.join(ROOT, 'rattler-tests', 'v7', 'conda-path-lock.yml'), 'utf8'), 'x');
    expect(lock.platforms.get('linux-64-foobar')).toBe('linux-64');
    expect(() => lockedRecords(lock, 'linux-64')).toThrow(/source package/);
  });

  test('micromamba env lockfile: URLs from channelInfo', () => {
    const lock = parseLockFile(readFileSync(path.join(ROOT, 'micromamba-tests', 'envlockfile-check-step-1-lock-linux-64.json'), 'utf8'), 'x');
    const records = lockedRecords(lock, 'linux-64');
    expect(records.find((r) => r.name === 'conda-lock')?.url).toBe('https://prefix.dev/conda-forge/noarch/conda-lock-1.1.1-pyhd8ed1ab_0.tar.bz2');
  });

  test('the reasons the broken ones fail', () => {
    const reason = (relative: string): string => {
      try {
        parseLockFile(readFileSync(path.join(ROOT, relative), 'utf8'), relative);
      } catch (error) {
        return (error as Error).message;
      }
      return 'parsed';
    };
    expect(reason('mamba-tests/bad_package-lock.yaml')).toMatch(/metadata|hash/);
    expect(reason('mamba-tests/bad_version-lock.json')).toMatch(/lockVersion '0.0.0'/);
    expect(reason('rattler-tests/forward-compatible-lock.yml')).toMatch(/version 1000, newer/);
    expect(reason('rattler-tests/lock_parse_fails/v7/missing_platform.yml')).toMatch(/'UNKNOWN'/);
    expect(reason('rattler-tests/lock_parse_fails/v7/invalid_platform_subdir.yml')).toMatch(/unknown subdir 'linux-XX'/);
    expect(reason('rattler-tests/lock_parse_fails/v7/duplicate_platform_definition.yml')).toMatch(/declared twice/);
    expect(reason('rattler-tests/lock_parse_fails/v7/duplicate_platform.yml')).toMatch(/unique|duplicate/i);
  });

  test('a JSON lock file written on one line is still a lock file', () => {
    for (const name of ['mamba-tests/good_one_package-lock.json', 'micromamba-tests/test-env-lock-linux-64.json']) {
      const oneLine = JSON.stringify(JSON.parse(readFileSync(path.join(ROOT, name), 'utf8')));
      expect([name, looksLikeLockFile(oneLine)]).toEqual([name, true]);
    }
  });

  test('environment files, spec lists and explicit files are not lock files', () => {
    const envDir = sharedPath('fixtures', 'environments');
    for (const dir of ['env-yaml', 'explicit', 'spec-files']) {
      for (const file of walk(path.join(envDir, dir))) expect([file, looksLikeLockFile(readFileSync(file, 'utf8'))]).toEqual([file, false]);
    }
  });
});

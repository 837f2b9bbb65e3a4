import { checkPackageContents } from '../../../build/test-package/package-contents.js';
import { globToRegExp } from '../../../build/test-package/glob.js';

const test_ = (over: Partial<{ files: string[]; bin: string[]; lib: string[]; include: string[]; sitePackages: string[] }>) => ({
  kind: 'package_contents' as const,
  files: [],
  bin: [],
  lib: [],
  include: [],
  sitePackages: [],
  ...over,
});

describe('globs', () => {
  test.each([
    ['**/*.txt', 'a.txt', true],
    ['**/*.txt', 'share/x/a.txt', true],
    ['share/*.txt', 'share/x/a.txt', false],
    ['share/**', 'share/x/a.txt', true],
    ['lib/lib?.so', 'lib/libz.so', true],
    ['include/zlib.h', 'include/zlib_h', false],
  ])('%s against %s', (glob, file, expected) => {
    expect(globToRegExp(glob).test(file)).toBe(expected);
  });
});

describe('package_contents', () => {
  const paths = ['bin/tool', 'lib/libz.so.1.3', 'include/zlib.h', 'lib/python3.12/site-packages/rich/__init__.py', 'test-execution.txt'];

  test('everything present passes', () => {
    expect(checkPackageContents(test_({ files: ['**/*.txt'], bin: ['tool'], lib: ['z'], include: ['zlib.h'], sitePackages: ['rich'] }), paths, { platform: 'linux-64', noarchPython: false })).toEqual([]);
  });

  test('each missing entry is reported with what was looked for', () => {
    const failures = checkPackageContents(test_({ files: ['**/*.php'], bin: ['rust'], sitePackages: ['rich.console'] }), paths, { platform: 'linux-64', noarchPython: false });
    expect(failures).toHaveLength(3);
    expect(failures[0]).toBe("files: **/*.php (looked for '**/*.php')");
    expect(failures[1]).toBe("bin: rust (looked for 'bin/rust')");
  });

  test('noarch python keeps site-packages at the top; windows has its own places', () => {
    expect(checkPackageContents(test_({ sitePackages: ['rich'] }), ['site-packages/rich/__init__.py'], { platform: 'noarch', noarchPython: true })).toEqual([]);
    expect(checkPackageContents(test_({ bin: ['rust'] }), ['Library/bin/rust.exe'], { platform: 'win-64', noarchPython: false })).toEqual([]);
  });
});

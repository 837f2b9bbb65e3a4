/**
 * `package_contents` tests: checks of the built package's file list, with no environment.
 * Each entry must match at least one file: `files` are globs over package paths; `bin`,
 * `lib`, `include` and `site_packages` are names that rattler-build expands to where such
 * a thing lives on the target platform.
 */
import type { RecipeTest } from '../../recipes/stage1.js';
import { anyMatch } from './glob.js';

type ContentsTest = Extract<RecipeTest, { kind: 'package_contents' }>;

export interface ContentsContext {
  /** The target platform (e.g. `linux-64`, `win-64`). */
  readonly platform: string;
  /** True for noarch: python packages (site-packages/ at the top). */
  readonly noarchPython: boolean;
}

/** The entries of `test` that match no file of `paths`, each with the globs that were tried. */
export function checkPackageContents(test: ContentsTest, paths: readonly string[], context: ContentsContext): string[] {
  const failures: string[] = [];
  const check = (entry: string, globs: readonly string[]): void => {
    if (!globs.some((g) => anyMatch(g, paths))) failures.push(`${entry} (looked for ${globs.map((g) => `'${g}'`).join(' or ')})`);
  };
  const windows = context.platform.startsWith('win');
  for (const glob of test.files) check(`files: ${glob}`, [glob]);
  for (const name of test.bin) {
    check(`bin: ${name}`, windows ? [`Library/bin/${name}`, `Library/bin/${name}.exe`, `Scripts/${name}.exe`, `${name}.exe`] : [`bin/${name}`]);
  }
  for (const name of test.lib) {
    const osx = context.platform.startsWith('osx');
    const unix = osx ? [`lib/lib${name}.dylib`, `lib/lib${name}.*.dylib`] : [`lib/lib${name}.so`, `lib/lib${name}.so.*`];
    check(`lib: ${name}`, windows ? [`Library/lib/${name}.lib`, `Library/bin/${name}.dll`] : [...unix, `lib/lib${name}.a`, `lib/${name}`]);
  }
  for (const name of test.include) check(`include: ${name}`, [windows ? `Library/include/${name}` : `include/${name}`]);
  for (const module of test.sitePackages) {
    const relative = module.replace(/\./g, '/');
    const root = context.noarchPython ? 'site-packages' : windows ? 'Lib/site-packages' : 'lib/python*/site-packages';
    check(`site_packages: ${module}`, [`${root}/${relative}/__init__.py`, `${root}/${relative}.py`, `${root}/${relative}.*.so`, `${root}/${relative}.*.pyd`, `${root}/${relative}`]);
  }
  return failures;
}

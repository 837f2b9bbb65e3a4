/**
 * Testing a built package before it reaches the output channel: `package_contents` checks
 * against its file list, and `script` and `python` tests each in a fresh environment made
 * by the solver from the new package (served from a channel of its own, first in line)
 * plus the test's requirements. Test output goes to the build log as well.
 */
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Channel } from '../../channels/model/channel.js';
import { TaipanError } from '../../channels/model/errors.js';
import type { Platform } from '../../channels/model/platform.js';
import { activatedEnvironment } from '../../environments/activation/activation.js';
import type { PackageCache } from '../../environments/package-cache/package-cache.js';
import type { RecipeTest, RenderedOutput } from '../../recipes/stage1.js';
import { createEnvironment } from '../environment/create-env.js';
import { shellQuote } from '../../channels/util/shell-quote.js';
import { runScript } from '../script/run-script.js';
import { checkPackageContents } from './package-contents.js';

export interface PackageTestOptions {
  readonly output: RenderedOutput;
  /** `name-version-build` of the package under test. */
  readonly dist: string;
  /** Package-relative paths of its files. */
  readonly paths: readonly string[];
  /** Channels for the test environments; the one holding the new package first. */
  readonly channels: readonly Channel[];
  readonly cache: PackageCache;
  readonly platform: Platform;
  /** A folder for test environments and scripts. */
  readonly workDir: string;
  readonly logFile: string;
  readonly onOutput?: (text: string) => void;
  readonly onStep?: (text: string) => void;
  readonly toolVersion?: string;
}

/** Run every test of the output; rejects with the first failure. */
export async function runPackageTests(options: PackageTestOptions): Promise<void> {
  const { output } = options;
  for (const [i, test] of output.tests.entries()) {
    options.onStep?.(`test ${i + 1}/${output.tests.length}: ${test.kind}`);
    if (test.kind === 'package_contents') {
      const failures = checkPackageContents(test, options.paths, { platform: options.platform, noarchPython: output.build.noarch === 'python' });
      if (failures.length > 0) {
        throw new TaipanError('TEST_FAILED', `the package_contents test of output '${output.name}' (${options.dist}) of recipe '${output.recipe.path}' failed; nothing in the package matches:\n${failures.map((f) => `  ${f}`).join('\n')}`, {
          hint: 'check what the build script installs into $PREFIX, or fix the test',
        });
      }
      continue;
    }
    await runInEnvironment(test, i, options);
  }
}

async function runInEnvironment(test: Exclude<RecipeTest, { kind: 'package_contents' }>, index: number, options: PackageTestOptions): Promise<void> {
  const { output } = options;
  const prefix = path.join(options.workDir, `test_env_${index}`);
  const testDir = path.join(options.workDir, `test_${index}`);
  await mkdir(testDir, { recursive: true });
  const packageSpec = `${output.name}==${output.version}=${output.build.string}`;
  const specs =
    test.kind === 'script'
      ? [packageSpec, ...test.requirements.run, ...test.requirements.build]
      : [packageSpec, 'python', ...(test.pipCheck ? ['pip'] : [])];
  await createEnvironment({ prefix, platform: options.platform, channels: options.channels, specs, cache: options.cache, purpose: 'test', toolVersion: options.toolVersion });
  if (test.kind === 'script') {
    for (const file of test.files) await cp(path.resolve(output.recipe.dir, file), path.join(testDir, file), { recursive: true });
  }
  const lines =
    test.kind === 'script'
      ? test.script
      : [...test.imports.map((m) => `python -c ${shellQuote(`import ${m}`)}`), ...(test.pipCheck ? ['python -m pip check'] : [])];
  const env = await activatedEnvironment(prefix, { ...process.env, CONDA_SHLVL: '0' }, options.platform);
  env.PREFIX = prefix;
  env.RECIPE_DIR = output.recipe.dir;
  env.PKG_NAME = output.name;
  env.PKG_VERSION = output.version;
  env.PKG_BUILDNUM = String(output.build.number);
  await runScript({
    script: lines,
    recipeDir: output.recipe.dir,
    scriptDir: testDir,
    scriptName: `run_test_${index}`,
    cwd: testDir,
    env,
    activate: [prefix],
    logFile: options.logFile,
    what: `the ${test.kind} test ${index + 1} of output '${output.name}' (${options.dist}) of recipe '${output.recipe.path}'`,
    failureCode: 'TEST_FAILED',
    onOutput: options.onOutput,
  });
}

/**
 * The environment a build script runs in, as conda-build sets it: the activated build
 * environment (its bin/ first on PATH, then the host's), and PREFIX, BUILD_PREFIX,
 * SRC_DIR, RECIPE_DIR, PKG_* (PKG_HASH is the variant hash of the build string, `h` + 7
 * hex), CPU_COUNT, target_platform, build_platform, SUBDIR, PYTHON (the rest of the python
 * variables when python is in host), the variant's keys and the recipe's
 * `script_env`; of the caller's own environment only an allowlist. Compiler variables (CC, CFLAGS, ...) come from the build environment's
 * activate.d scripts, which the script wrapper sources (run-script.ts).
 */
import os from 'node:os';
import path from 'node:path';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { isWindows, type Platform } from '../../channels/model/platform.js';
import { activatedEnvironment, prefixPathEntries } from '../../environments/activation/activation.js';
import { keptUserVariables } from '../../environments/link/link-script-env.js';
import { pythonInfo } from '../../environments/link/noarch-python.js';
import type { RenderedOutput } from '../../recipes/stage1.js';

export interface ScriptEnvInput {
  readonly output: RenderedOutput;
  readonly srcDir: string;
  readonly buildPrefix: string;
  readonly hostPrefix: string;
  readonly hostRecords: readonly RepoDataRecord[];
  readonly buildPlatform: Platform;
  /** The platform the host environment is for (the build platform for noarch packages). */
  readonly hostPlatform: Platform;
  /** The environment to start from (default process.env). */
  readonly base?: NodeJS.ProcessEnv;
}

/**
 * What a build keeps of the caller's environment besides locale, home and temp folder, as
 * conda-build and rattler-build do: the user's identity, terminal and make flags. Anything
 * else (tokens, cloud keys, a conda activation of the caller's shell) reaches a build only
 * when the recipe names it in `script_env`.
 */
const KEPT_FOR_BUILDS = /^(PATH|USER|LOGNAME|SHELL|TERM|MAKEFLAGS|SOURCE_DATE_EPOCH)$/i;

export async function buildScriptEnv(input: ScriptEnvInput): Promise<NodeJS.ProcessEnv> {
  const { output } = input;
  const base = keptUserVariables(input.base ?? process.env, isWindows(input.buildPlatform), KEPT_FOR_BUILDS);
  const env = await activatedEnvironment(input.buildPrefix, base, input.buildPlatform);
  const sep = isWindows(input.buildPlatform) ? ';' : ':';
  env.PATH = [...prefixPathEntries(input.buildPrefix, input.buildPlatform), ...prefixPathEntries(input.hostPrefix, input.hostPlatform), base.PATH ?? ''].join(sep);

  // Variant keys first, so the fixed variables below win over a variant named like one.
  for (const [key, value] of Object.entries(output.variant)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) env[key] = value;
  Object.assign(env, {
    PREFIX: input.hostPrefix,
    BUILD_PREFIX: input.buildPrefix,
    SRC_DIR: input.srcDir,
    RECIPE_DIR: output.recipe.dir,
    PKG_NAME: output.name,
    PKG_VERSION: output.version,
    PKG_BUILDNUM: String(output.build.number),
    PKG_BUILD_STRING: output.build.string,
    PKG_HASH: output.hash,
    CPU_COUNT: env.CPU_COUNT ?? String(os.availableParallelism()),
    target_platform: output.build.noarch ? 'noarch' : output.targetPlatform,
    build_platform: input.buildPlatform,
    host_platform: input.hostPlatform,
    SUBDIR: output.build.noarch ? 'noarch' : output.targetPlatform,
    CONDA_BUILD: '1',
    SHLIB_EXT: shlibExt(input.hostPlatform),
  });
  const python = pythonInfo(input.hostRecords, isWindows(input.hostPlatform));
  // conda-build sets PYTHON even without python in host: where it would be.
  env.PYTHON = isWindows(input.hostPlatform) ? path.join(input.hostPrefix, 'python.exe') : path.join(input.hostPrefix, 'bin', 'python');
  if (python) {
    Object.assign(env, {
      PYTHON: path.join(input.hostPrefix, python.executable),
      PY_VER: python.majorMinor,
      PY3K: python.majorMinor.startsWith('3') ? '1' : '0',
      SP_DIR: path.join(input.hostPrefix, python.sitePackages),
      STDLIB_DIR: path.join(input.hostPrefix, python.windows ? 'Lib' : `lib/python${python.majorMinor}`),
    });
  }
  Object.assign(env, output.build.scriptEnv);
  return env;
}

function shlibExt(platform: Platform): string {
  if (isWindows(platform)) return '.dll';
  return platform.startsWith('osx') ? '.dylib' : '.so';
}

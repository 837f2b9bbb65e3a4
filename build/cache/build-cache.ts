/**
 * Building a recipe's cache (v1 `cache:` or a `staging:` output) once for every output
 * that uses it, as rattler-build does: its sources, build and host environments and
 * script, in a work folder of its own. What the script added to PREFIX, and the work
 * folder as the script left it, are kept there until the outputs have taken them
 * (restore-cache.ts). A failed cache build fails every output that needs it, once.
 */
import { appendFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunExportsJson } from '../../channels/archive/index.js';
import type { HttpClient } from '../../channels/fetch/http-client.js';
import type { Channel } from '../../channels/model/channel.js';
import type { Platform } from '../../channels/model/platform.js';
import type { PackageCache } from '../../environments/package-cache/package-cache.js';
import { variantHash } from '../../recipes/hash.js';
import type { RenderedCache, RenderedOutput } from '../../recipes/stage1.js';
import { prepareStage, runStageScript } from '../build-stage.js';
import { listPrefixFiles, newPrefixFiles } from '../package/collect-files.js';
import { paddedPrefix } from './padded-prefix.js';

export interface BuiltCache {
  readonly id: string;
  /** The cache's own work folder (sources, environments, log); removed by whoever built it. */
  readonly workDir: string;
  /** The work folder (SRC_DIR) as the cache's script left it. */
  readonly srcDir: string;
  /** The host prefix the cache's script installed into. */
  readonly hostPrefix: string;
  /** Prefix-relative files the cache's script added. */
  readonly files: readonly string[];
  readonly buildRunExports: ReadonlyMap<string, RunExportsJson>;
  readonly hostRunExports: ReadonlyMap<string, RunExportsJson>;
  readonly logFile: string;
}

/** Cache builds of one `taipan build` run, by cache id; shared by the outputs of every variant. */
export type CacheBuilds = Map<string, Promise<BuiltCache>>;

export interface CacheBuildContext {
  /** Channels for the cache's environments (the output channel first). */
  readonly channels: readonly Channel[];
  readonly packageCache: PackageCache;
  readonly buildPlatform: Platform;
  readonly hostPlatform: Platform;
  readonly sourceCacheDir: string;
  readonly client?: HttpClient;
  readonly toolVersion?: string;
  readonly onOutput?: (text: string) => void;
  readonly onStep?: (text: string) => void;
}

/** The cache of `output`, built now or by an earlier output of the same run. */
export function ensureCache(output: RenderedOutput & { cache: RenderedCache }, builds: CacheBuilds, ctx: CacheBuildContext): Promise<BuiltCache> {
  let built = builds.get(output.cache.id);
  if (!built) {
    built = buildCache(output, ctx);
    builds.set(output.cache.id, built);
  }
  return built;
}

async function buildCache(output: RenderedOutput & { cache: RenderedCache }, ctx: CacheBuildContext): Promise<BuiltCache> {
  const { cache } = output;
  const workDir = await mkdtemp(path.join(os.tmpdir(), `taipan-cache-${cache.name}-`));
  const dirs = { src: path.join(workDir, 'work'), build: path.join(workDir, 'build_env'), host: paddedPrefix(path.join(workDir, 'host_env')), log: path.join(workDir, 'build.log') };
  await writeFile(dirs.log, `taipan build of the cache '${cache.name}' of ${output.recipe.path}\n`);
  const step = async (text: string): Promise<void> => {
    ctx.onStep?.(`cache '${cache.name}': ${text}`);
    await appendFile(dirs.log, `\n== ${text}\n`);
  };
  try {
    const { buildEnv, hostEnv } = await prepareStage({
      dirs,
      sources: cache.sources,
      recipeDir: output.recipe.dir,
      sourceCacheDir: ctx.sourceCacheDir,
      client: ctx.client,
      buildSpecs: cache.requirements.build,
      hostSpecs: cache.requirements.host,
      ignoreRunExports: cache.requirements.ignoreRunExports,
      noarch: false,
      channels: ctx.channels,
      packageCache: ctx.packageCache,
      toolVersion: ctx.toolVersion,
      buildPlatform: ctx.buildPlatform,
      hostPlatform: ctx.hostPlatform,
      step,
    });
    await mkdir(dirs.src, { recursive: true });
    const before = await listPrefixFiles(dirs.host);
    if (!Array.isArray(cache.script) || cache.script.length > 0) {
      await step('running the build script');
      // The script sees the cache's name, version and variant, as rattler-build sets them.
      const asOutput: RenderedOutput = {
        ...output,
        name: cache.name,
        version: cache.version,
        variant: cache.variant,
        hash: `h${variantHash(cache.variant)}`,
        build: { ...output.build, scriptEnv: cache.scriptEnv },
      };
      await runStageScript({
        output: asOutput,
        script: cache.script,
        interpreter: cache.scriptInterpreter,
        dirs,
        workDir,
        hostRecords: hostEnv.records,
        buildPlatform: ctx.buildPlatform,
        hostPlatform: ctx.hostPlatform,
        what: `the build script of the cache '${cache.name}' of recipe '${output.recipe.path}'`,
        onOutput: ctx.onOutput,
      });
    }
    const files = await newPrefixFiles(dirs.host, before);
    await appendFile(dirs.log, `\nthe cache holds ${files.length} file(s)\n`);
    return { id: cache.id, workDir, srcDir: dirs.src, hostPrefix: dirs.host, files, buildRunExports: buildEnv.runExports, hostRunExports: hostEnv.runExports, logFile: dirs.log };
  } catch (error) {
    await appendFile(dirs.log, `\nerror: ${(error as Error).message}\n`).catch(() => undefined);
    throw error;
  }
}

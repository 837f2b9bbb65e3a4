/**
 * The part of a build that outputs and v1 caches share: fetch the sources, create the
 * build environment, then the host environment (with the strong run_exports of what the
 * build environment holds), and later run the build script in them. Each caller keeps its
 * own work folder, log and what it does with the files the script adds.
 */
import { appendFile } from 'node:fs/promises';
import type { HttpClient } from '../channels/fetch/http-client.js';
import type { Channel } from '../channels/model/channel.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import type { Platform } from '../channels/model/platform.js';
import type { PackageCache } from '../environments/package-cache/package-cache.js';
import type { IgnoreRunExports, RenderedOutput, SourceSpec } from '../recipes/stage1.js';
import { createEnvironment, type BuiltEnvironment } from './environment/create-env.js';
import { strongBuildExports } from './run-exports.js';
import { buildScriptEnv } from './script/script-env.js';
import { runScript } from './script/run-script.js';
import { fetchSources } from './sources/fetch-sources.js';

/** The folders of one build: sources, the two environments, and the log. */
export interface StageDirs {
  readonly src: string;
  readonly build: string;
  readonly host: string;
  readonly log: string;
}

export interface StagePlatforms {
  readonly buildPlatform: Platform;
  readonly hostPlatform: Platform;
}

export interface PrepareStageInput extends StagePlatforms {
  readonly dirs: StageDirs;
  readonly sources: readonly SourceSpec[];
  readonly recipeDir: string;
  readonly sourceCacheDir: string;
  readonly client?: HttpClient;
  readonly buildSpecs: readonly string[];
  readonly hostSpecs: readonly string[];
  readonly ignoreRunExports: IgnoreRunExports;
  readonly noarch: boolean;
  readonly channels: readonly Channel[];
  readonly packageCache: PackageCache;
  readonly toolVersion?: string;
  /** Announces a step (and writes it into the log). */
  readonly step: (text: string) => Promise<void>;
}

/** Sources fetched and both environments created; the environments as built. */
export async function prepareStage(input: PrepareStageInput): Promise<{ buildEnv: BuiltEnvironment; hostEnv: BuiltEnvironment }> {
  const { dirs } = input;
  await input.step(`fetching ${input.sources.length} source(s)`);
  await fetchSources(input.sources, dirs.src, {
    recipeDir: input.recipeDir,
    cacheDir: input.sourceCacheDir,
    client: input.client,
    onSource: (s) => appendFile(dirs.log, `source: ${s}\n`),
  });
  await input.step(`creating the build environment (${input.buildSpecs.length} spec(s))`);
  const environment = (prefix: string, platform: Platform, specs: readonly string[], purpose: 'build' | 'host'): Promise<BuiltEnvironment> =>
    createEnvironment({ prefix, platform, channels: input.channels, specs, cache: input.packageCache, purpose, toolVersion: input.toolVersion });
  const buildEnv = await environment(dirs.build, input.buildPlatform, input.buildSpecs, 'build');
  const hostSpecs = [...input.hostSpecs, ...strongBuildExports(buildEnv.runExports, input.ignoreRunExports, input.noarch)];
  await input.step(`creating the host environment (${hostSpecs.length} spec(s))`);
  const hostEnv = await environment(dirs.host, input.hostPlatform, hostSpecs, 'host');
  return { buildEnv, hostEnv };
}

export interface RunStageScriptInput extends StagePlatforms {
  /** Whose variables the script sees (PKG_NAME, PKG_HASH, script_env, …). */
  readonly output: RenderedOutput;
  readonly script: RenderedOutput['build']['script'];
  readonly interpreter?: string;
  readonly dirs: StageDirs;
  /** Where the generated script files go. */
  readonly workDir: string;
  readonly hostRecords: readonly RepoDataRecord[];
  /** What is run, for messages. */
  readonly what: string;
  readonly onOutput?: (text: string) => void;
}

/** The build script, run in the source folder with both environments activated (host, then build). */
export async function runStageScript(input: RunStageScriptInput): Promise<void> {
  const { dirs } = input;
  const env = await buildScriptEnv({
    output: input.output,
    srcDir: dirs.src,
    buildPrefix: dirs.build,
    hostPrefix: dirs.host,
    hostRecords: input.hostRecords,
    buildPlatform: input.buildPlatform,
    hostPlatform: input.hostPlatform,
  });
  await runScript({
    script: input.script,
    recipeDir: input.output.recipe.dir,
    scriptDir: input.workDir,
    scriptName: 'conda_build',
    cwd: dirs.src,
    env,
    activate: [dirs.host, dirs.build],
    logFile: dirs.log,
    what: input.what,
    failureCode: 'BUILD_FAILED',
    ...(input.interpreter ? { interpreter: input.interpreter } : {}),
    onOutput: input.onOutput,
  });
}

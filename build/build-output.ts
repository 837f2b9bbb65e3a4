/**
 * Building one rendered output, in rattler-build's order (`run_build`): its cache's work
 * folder (built once, cache/) → sources → build and host environments (with run_exports;
 * pin_compatible completed from host) → the cache's files into PREFIX → script → collect
 * the new files of PREFIX (`files:` chooses among them) → package (info/, archive) →
 * tests in fresh environments → into the output channel,
 * which is indexed. The output channel is also the first channel of every solve, so an
 * earlier output serves a later one (conda-build's `local` channel).
 *
 * A failure keeps the work folder (sources, environments, scripts, the log) and nothing
 * reaches the output channel; a success removes the work folder unless asked to keep it.
 */
import { access, appendFile, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeCondaPackage, writeTarBz2Package } from '../channels/archive/index.js';
import type { HttpClient } from '../channels/fetch/http-client.js';
import { indexChannel } from '../channels/indexer/index-channel.js';
import { Channel } from '../channels/model/channel.js';
import { TaipanError } from '../channels/model/errors.js';
import type { PackageRecord } from '../channels/model/package-record.js';
import { currentPlatform, isWindows, parsePlatform, type Platform } from '../channels/model/platform.js';
import type { PackageCache } from '../environments/package-cache/package-cache.js';
import type { RenderedCache, RenderedOutput } from '../recipes/stage1.js';
import { ensureCache, type BuiltCache, type CacheBuilds } from './cache/build-cache.js';
import { HOST_PREFIX_LENGTH, paddedPrefix } from './cache/padded-prefix.js';
import { restorePrefixFiles, restoreWorkDir } from './cache/restore-cache.js';
import { completeHostPins } from './host-pins.js';
import { selectFiles } from './package/select-files.js';
import { writeEntryPoints } from './package/entry-points.js';
import { newPrefixFiles, listPrefixFiles } from './package/collect-files.js';
import { copyPayload } from './package/payload.js';
import { exportedRequirements, mergeRequirements } from './run-exports.js';
import { prepareStage, runStageScript } from './build-stage.js';
import { stagePackage } from './stage-package.js';
import { runPackageTests } from './test-package/run-tests.js';
import { pythonInfo } from '../environments/link/noarch-python.js';

export type PackageFormat = 'conda' | 'tar.bz2';

export interface BuildOptions {
  /** Channels for the build, host and test dependencies (the output channel comes first on its own). */
  readonly channels: readonly Channel[];
  /** The output channel folder; created and indexed. */
  readonly outputDir: string;
  readonly cache: PackageCache;
  /** Where url sources are cached; default `<outputDir>/src_cache`. */
  readonly sourceCacheDir?: string;
  /** The work folder of this build; default a new folder in the system temp folder. */
  readonly workDir?: string;
  readonly packageFormat?: PackageFormat;
  /** Run the recipe's tests (default true). */
  readonly test?: boolean;
  /** The platform the build runs on (default this machine's). */
  readonly buildPlatform?: Platform;
  /** index.json `timestamp` in ms (default now). */
  readonly timestamp?: number;
  /** Keep the work folder after a successful build too. */
  readonly keepWorkDir?: boolean;
  readonly client?: HttpClient;
  /** The script's and the tests' output as it comes. */
  readonly onOutput?: (text: string) => void;
  /** One line per step ("fetching sources", "creating the host environment", ...). */
  readonly onStep?: (text: string) => void;
  readonly toolVersion?: string;
  /**
   * Cache builds shared by the outputs of one run (buildOutputs passes one and removes
   * their folders at the end); without it an output builds its cache for itself.
   */
  readonly cacheBuilds?: CacheBuilds;
}

export interface BuildResult {
  /** The package in the output channel. */
  readonly packagePath: string;
  readonly record: PackageRecord;
  /** Package-relative paths of its files (info/ excluded). */
  readonly files: readonly string[];
  /** The build log (gone with the work folder unless it is kept). */
  readonly logFile: string;
  readonly workDir: string;
}

export { HOST_PREFIX_LENGTH };

/** Build `output`; undefined when the recipe says to skip it on this platform. */
export async function buildOutput(output: RenderedOutput, options: BuildOptions): Promise<BuildResult | undefined> {
  if (output.build.skip) return undefined;
  const dist = `${output.name}-${output.version}-${output.build.string}`;
  const buildPlatform = options.buildPlatform ?? currentPlatform();
  const noarch = output.build.noarch !== undefined;
  const hostPlatform = noarch ? buildPlatform : parsePlatform(output.targetPlatform);
  const subdir = noarch ? 'noarch' : hostPlatform;

  const workDir = options.workDir ?? (await mkdtemp(path.join(os.tmpdir(), `taipan-build-${output.name}-`)));
  const dirs = {
    src: path.join(workDir, 'work'),
    build: path.join(workDir, 'build_env'),
    host: hostPrefixPath(workDir),
    test: path.join(workDir, 'test'),
    channel: path.join(workDir, 'package_channel'),
    log: path.join(workDir, 'build.log'),
  };
  await mkdir(workDir, { recursive: true });
  await writeFile(dirs.log, `taipan build of ${dist} for ${subdir}\n`);
  const step = async (text: string): Promise<void> => {
    options.onStep?.(text);
    await appendFile(dirs.log, `\n== ${text}\n`);
  };
  let ownCaches: CacheBuilds | undefined;
  const restoreStep = async (cached: BuiltCache): Promise<string[]> => {
    await step(`restoring ${cached.files.length} file(s) of the cache '${output.cache!.name}'`);
    return restorePrefixFiles(cached, dirs.host);
  };
  try {
    const outputDir = path.resolve(options.outputDir);
    await mkdir(outputDir, { recursive: true });
    await indexChannel(outputDir);
    const channels = [Channel.parse(outputDir), ...options.channels.filter((c) => c.localPath() !== outputDir)];
    const sourceCacheDir = options.sourceCacheDir ?? path.join(outputDir, 'src_cache');

    let cached: BuiltCache | undefined;
    if (output.cache) {
      const builds = options.cacheBuilds ?? new Map();
      if (!options.cacheBuilds) ownCaches = builds;
      await step(`using the cache '${output.cache.name}'`);
      cached = await ensureCache(output as RenderedOutput & { cache: RenderedCache }, builds, {
        channels,
        packageCache: options.cache,
        buildPlatform,
        hostPlatform,
        sourceCacheDir,
        client: options.client,
        toolVersion: options.toolVersion,
        onOutput: options.onOutput,
        onStep: options.onStep,
      });
      // The cache's work folder first: the output's own sources go on top of it.
      await restoreWorkDir(cached, dirs.src);
    }

    const ignore = output.requirements.ignoreRunExports;
    const platforms = { buildPlatform, hostPlatform };
    const { buildEnv, hostEnv } = await prepareStage({
      dirs,
      sources: output.sources,
      recipeDir: output.recipe.dir,
      sourceCacheDir,
      client: options.client,
      buildSpecs: output.requirements.build,
      hostSpecs: output.requirements.host,
      ignoreRunExports: ignore,
      noarch,
      channels,
      packageCache: options.cache,
      toolVersion: options.toolVersion,
      ...platforms,
      step,
    });
    const requirements = completeHostPins(output, hostEnv.records, buildEnv.records);
    const exported = exportedRequirements({ build: buildEnv.runExports, host: hostEnv.runExports, ignore, noarch });
    if (cached && output.cache?.inheritRunExports) {
      const cacheIgnore = output.cache.requirements.ignoreRunExports;
      const fromCache = exportedRequirements({
        build: cached.buildRunExports,
        host: cached.hostRunExports,
        ignore: { byName: [...cacheIgnore.byName, ...ignore.byName], fromPackage: [...cacheIgnore.fromPackage, ...ignore.fromPackage] },
        noarch,
      });
      exported.depends.push(...fromCache.depends.filter((d) => !exported.depends.includes(d)));
      exported.constrains.push(...fromCache.constrains.filter((c) => !exported.constrains.includes(c)));
    }

    // rattler-build's cache files are new files of the output; conda-build's top-level
    // files are there before the output's script runs (see RenderedCache.restoredFiles).
    const listed = output.cache?.restoredFiles === 'listed';
    let restored: string[] = [];
    if (cached && listed) restored = await restoreStep(cached);
    const before = await listPrefixFiles(dirs.host);
    if (cached && !listed) await restoreStep(cached);
    const script = await effectiveScript(output);
    if (script) {
      await step('running the build script');
      await runStageScript({
        output,
        script,
        interpreter: output.build.scriptInterpreter,
        dirs,
        workDir,
        hostRecords: hostEnv.records,
        ...platforms,
        what: `the build script of output '${output.name}' (${dist}) of recipe '${output.recipe.path}'`,
        onOutput: options.onOutput,
      });
    }

    await step('packaging');
    const python = pythonInfo(hostEnv.records, isWindows(hostPlatform));
    if (output.build.noarch !== 'python' && output.build.entryPoints.length > 0) {
      await writeEntryPoints(dirs.host, python, output.build.entryPoints, output.name);
    }
    const added = await newPrefixFiles(dirs.host, before);
    const files = !listed ? selectFiles(added, output.files) : script ? added : output.files ? selectFiles(restored, output.files) : [];
    if (files.length === 0 && output.requirements.run.length === 0) {
      await appendFile(dirs.log, 'warning: the build added no files to $PREFIX\n');
    }
    const payload = path.join(workDir, 'payload');
    await rm(payload, { recursive: true, force: true });
    const entryPointNames = output.build.entryPoints.map((e) => e.split('=')[0]?.trim() ?? '');
    const packageFiles = await copyPayload({
      prefix: dirs.host,
      files,
      dest: payload,
      noarchPython: output.build.noarch === 'python' ? requirePython(python, dist) : undefined,
      entryPointNames,
    });
    const depends = mergeRequirements(requirements.run, exported.depends);
    const constrains = [...new Set([...requirements.runConstraints, ...exported.constrains])];
    const final: RenderedOutput = { ...output, requirements };
    const staging = path.join(workDir, 'staging');
    await rm(staging, { recursive: true, force: true });
    await stagePackage(
      payload,
      staging,
      {
        name: output.name,
        version: output.version,
        build: output.build.string,
        build_number: output.build.number,
        depends,
        constrains,
        noarch: output.build.noarch,
        license: typeof output.about.license === 'string' ? output.about.license : undefined,
        summary: typeof output.about.summary === 'string' ? output.about.summary : undefined,
        subdir,
        timestamp: options.timestamp ?? Date.now(),
      },
      {
        prefixes: [dirs.host],
        runExports: requirements.runExports,
        entryPoints: output.build.noarch === 'python' ? output.build.entryPoints : undefined,
        about: output.about,
        hashInput: output.variant,
        recipe: { dir: output.recipe.dir, rendered: final, exclude: [outputDir, workDir] },
        tests: output.tests,
      },
    );
    const fileName = `${dist}.${options.packageFormat === 'tar.bz2' ? 'tar.bz2' : 'conda'}`;
    const built = path.join(dirs.channel, subdir, fileName);
    await mkdir(path.dirname(built), { recursive: true });
    if (options.packageFormat === 'tar.bz2') await writeTarBz2Package(staging, built);
    else await writeCondaPackage(staging, built);

    if (options.test !== false && output.tests.length > 0) {
      await step(`testing ${dist}`);
      await indexChannel(dirs.channel, { bz2: false, shards: false, zst: false });
      await runPackageTests({
        output: final,
        dist,
        paths: packageFiles,
        channels: [Channel.parse(dirs.channel), ...channels],
        cache: options.cache,
        platform: hostPlatform,
        workDir: dirs.test,
        logFile: dirs.log,
        onOutput: options.onOutput,
        onStep: (s) => options.onStep?.(s),
        toolVersion: options.toolVersion,
      });
    }

    const packagePath = path.join(outputDir, subdir, fileName);
    await mkdir(path.dirname(packagePath), { recursive: true });
    await copyFile(built, packagePath);
    await indexChannel(outputDir);
    const record = JSON.parse(await readFile(path.join(staging, 'info', 'index.json'), 'utf8')) as PackageRecord;
    if (!options.keepWorkDir) await rm(workDir, { recursive: true, force: true });
    return { packagePath, record, files: packageFiles, logFile: dirs.log, workDir };
  } catch (error) {
    await appendFile(dirs.log, `\nerror: ${(error as Error).message}\n`).catch(() => undefined);
    throw error;
  } finally {
    if (ownCaches) await removeCacheBuilds(ownCaches, options.keepWorkDir === true);
  }
}

/** Remove the work folders of finished cache builds (a failed one is kept for a look, as a failed output's is). */
export async function removeCacheBuilds(builds: CacheBuilds, keep: boolean): Promise<void> {
  for (const pending of builds.values()) {
    const built = await pending.catch(() => undefined);
    if (built && !keep) await rm(built.workDir, { recursive: true, force: true });
  }
}

/** `<workDir>/host_env_placehold_placehold...`, padded to HOST_PREFIX_LENGTH characters. */
export function hostPrefixPath(workDir: string): string {
  return paddedPrefix(path.join(workDir, 'host_env'));
}

/** The recipe's script, or `build.sh` beside the recipe when it names none (conda-build's default). */
async function effectiveScript(output: RenderedOutput): Promise<RenderedOutput['build']['script'] | undefined> {
  const script = output.build.script;
  if (!Array.isArray(script) || script.length > 0) return script;
  // The cache ran the recipe's build.sh already.
  if (output.cache) return undefined;
  const fallback = path.join(output.recipe.dir, 'build.sh');
  try {
    await access(fallback);
    return { file: 'build.sh' };
  } catch {
    return undefined;
  }
}

function requirePython<T>(python: T | undefined, dist: string): T {
  if (!python) {
    throw new TaipanError('PACKAGE_METADATA', `'${dist}' is noarch: python, but python is not in its host requirements`, {
      hint: 'add python (and usually pip) to requirements.host',
    });
  }
  return python;
}

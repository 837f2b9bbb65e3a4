/**
 * The build (BUILD_PREFIX), host (PREFIX) and test environments: solved by taipan's own
 * solver and linked by its own linker from the given channels, exactly as `taipan create`
 * would, before any build code runs. An environment with no requirements is an empty
 * folder with conda-meta/, which is what conda-build makes too.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Channel } from '../../channels/model/channel.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import type { Platform } from '../../channels/model/platform.js';
import { readRunExportsJson, type RunExportsJson } from '../../channels/archive/index.js';
import type { PackageCache } from '../../environments/package-cache/package-cache.js';
import { installIntoPrefix } from '../../environments/install-service.js';
import { condaMetaDir } from '../../environments/prefix/prefix-files.js';

export interface CreateEnvOptions {
  readonly prefix: string;
  readonly platform: Platform;
  readonly channels: readonly Channel[];
  readonly specs: readonly string[];
  readonly cache: PackageCache;
  /** What the environment is for, in the history file (`build`, `host`, `test`). */
  readonly purpose: string;
  readonly toolVersion?: string;
}

export interface BuiltEnvironment {
  readonly prefix: string;
  readonly records: readonly RepoDataRecord[];
  /** `info/run_exports.json` of each installed package that has one, by name. */
  readonly runExports: ReadonlyMap<string, RunExportsJson>;
}

/** Solve `specs` and link them into the new folder `prefix`. */
export async function createEnvironment(options: CreateEnvOptions): Promise<BuiltEnvironment> {
  if (options.specs.length === 0) {
    await mkdir(condaMetaDir(options.prefix), { recursive: true });
    return { prefix: options.prefix, records: [], runExports: new Map() };
  }
  // The same service as `taipan create`: a prefix changed under the lock is solved again.
  const outcome = await installIntoPrefix({
    prefix: options.prefix,
    platform: options.platform,
    request: { kind: 'solve', channels: options.channels, specs: options.specs, mode: 'create' },
    packageCache: () => options.cache,
    history: { command: `taipan build (${options.purpose} environment)`, toolVersion: options.toolVersion ?? '0', updateSpecs: [...options.specs] },
  });
  const records = outcome.plan.solved.finalRecords;
  const runExports = new Map<string, RunExportsJson>();
  for (const record of records) {
    // The transaction just extracted every package into the cache, so this is a lookup.
    const entry = await options.cache.get(record);
    const exports = await readRunExportsJson(entry.dir);
    if (exports) runExports.set(record.name, exports);
  }
  return { prefix: options.prefix, records, runExports };
}

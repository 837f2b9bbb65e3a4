/**
 * Removing a whole environment (`env remove`, `remove --all`): the one place where taipan
 * deletes a folder recursively, so it deletes only a folder that is an environment and that
 * holds nothing else a user keeps: never an envs folder, a folder holding another
 * environment, the home folder, the working folder or one of its parents, or the active
 * environment (conda refuses that one too).
 */
import { lstat, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../channels/model/errors.js';
import { condaMetaDir } from './prefix/prefix-files.js';
import { listEnvironments, unregisterEnvironment } from './registry.js';

/** What a removal is judged against. */
export interface RemovalContext {
  readonly envsDirs: readonly string[];
  readonly home: string;
  readonly cwd: string;
  /** The active environment (CONDA_PREFIX), when one is. */
  readonly activePrefix?: string;
  /** The registry of `-p` environments (tests give their own). */
  readonly registryFile?: string;
}

/** True when `inner` is `outer` or inside it. */
function within(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!path.isAbsolute(relative) && relative !== '..' && !relative.startsWith(`..${path.sep}`));
}

/** The path with symlinks resolved where it exists, else as given (absolute). */
async function real(p: string): Promise<string> {
  return realpath(p).catch(() => path.resolve(p));
}

/** Why `prefix` may not be removed as an environment; undefined when it may. */
export async function environmentRemovalProblem(prefix: string, context: RemovalContext): Promise<string | undefined> {
  const meta = await lstat(condaMetaDir(prefix)).catch(() => undefined);
  if (!meta?.isDirectory()) return 'it is not an environment (it has no conda-meta folder)';
  const target = await real(prefix);
  if (path.dirname(target) === target) return 'it is the root of the file system';
  const guarded: [string, string][] = [
    ...context.envsDirs.map((d): [string, string] => [d, `the envs folder '${d}'`]),
    [context.home, `the home folder '${context.home}'`],
    [context.cwd, `the working folder '${context.cwd}'`],
  ];
  for (const [folder, what] of guarded) {
    if (within(await real(folder), target)) return within(target, await real(folder)) ? `it is ${what}` : `it holds ${what}`;
  }
  if (context.activePrefix && (await real(context.activePrefix)) === target) {
    return 'it is the active environment; deactivate it first';
  }
  for (const other of await listEnvironments(context.envsDirs, context.registryFile)) {
    const otherReal = await real(other.prefix);
    if (otherReal !== target && within(otherReal, target)) return `it holds another environment, '${other.prefix}'`;
  }
  return undefined;
}

/** Remove the environment at `prefix` after {@link environmentRemovalProblem} allows it. */
export async function removeEnvironment(prefix: string, context: RemovalContext): Promise<void> {
  const problem = await environmentRemovalProblem(prefix, context);
  if (problem !== undefined) {
    throw new TaipanError('INVALID_ARGUMENT', `refusing to remove '${prefix}': ${problem}`, {
      hint: 'nothing was removed; name an environment with -n NAME or -p PREFIX (see `taipan env list`)',
    });
  }
  await rm(prefix, { recursive: true, force: true });
  await unregisterEnvironment(prefix, ...(context.registryFile ? [context.registryFile] : []));
}

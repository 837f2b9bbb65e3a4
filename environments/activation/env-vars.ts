/**
 * Per-environment variables (`env config vars set`, `variables:` of environment.yml),
 * kept where conda keeps them: `conda-meta/state` as `{"env_vars": {...}}`, so conda and
 * taipan activate the same environment the same way.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../../channels/model/errors.js';
import { writeJsonAtomically } from '../../channels/util/fs.js';
import { condaMetaDir } from '../prefix/prefix-files.js';

interface StateFile {
  env_vars?: Record<string, string>;
  [key: string]: unknown;
}

function stateFile(prefix: string): string {
  return path.join(condaMetaDir(prefix), 'state');
}

async function readState(prefix: string): Promise<StateFile> {
  try {
    const parsed = JSON.parse(await readFile(stateFile(prefix), 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as StateFile) : {};
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new TaipanError('INVALID_RECORD', `cannot read '${stateFile(prefix)}': ${(error as Error).message}`, { cause: error });
  }
}

export async function readEnvVars(prefix: string): Promise<Record<string, string>> {
  return { ...((await readState(prefix)).env_vars ?? {}) };
}

/**
 * Why `name` = `value` cannot be set per environment; undefined when it can. Names are what
 * every shell activation script can export (letters, digits and `_`, not starting with a
 * digit); a NUL byte cannot be in any variable.
 */
export function envVarProblem(name: string, value = ''): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return `'${name.replace(/\0/g, '\\0')}' is not a valid environment variable name (letters, digits and '_', not starting with a digit)`;
  }
  if (name === 'PATH' || name === 'CONDA_PREFIX') return `'${name}' is managed by activation and cannot be set per environment`;
  if (value.includes('\0')) return `the value of '${name}' contains a NUL byte, which no environment variable can hold`;
  return undefined;
}

export async function setEnvVars(prefix: string, vars: Readonly<Record<string, string>>): Promise<void> {
  for (const [name, value] of Object.entries(vars)) {
    const problem = envVarProblem(name, value);
    if (problem !== undefined) throw new TaipanError('INVALID_ARGUMENT', problem);
  }
  const state = await readState(prefix);
  await writeJsonAtomically(stateFile(prefix), { ...state, env_vars: { ...(state.env_vars ?? {}), ...vars } });
}

export async function unsetEnvVars(prefix: string, names: readonly string[]): Promise<void> {
  const state = await readState(prefix);
  const vars = { ...(state.env_vars ?? {}) };
  for (const name of names) delete vars[name];
  await writeJsonAtomically(stateFile(prefix), { ...state, env_vars: vars });
}

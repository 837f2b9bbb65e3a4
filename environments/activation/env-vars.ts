/**
 * Per-environment variables (`env config vars set`, `variables:` of environment.yml),
 * kept where conda keeps them: `conda-meta/state` as `{"env_vars": {...}}`, so conda and
 * taipan activate the same environment the same way.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../../channels/model/errors.js';
import { writeJsonAtomically } from '../../channels/util/fs.js';
import { condaMetaDir } from '../prefix/prefix-record.js';

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

export async function setEnvVars(prefix: string, vars: Readonly<Record<string, string>>): Promise<void> {
  for (const name of Object.keys(vars)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TaipanError('INVALID_ARGUMENT', `'${name}' is not a valid environment variable name`);
    }
    if (name === 'PATH' || name === 'CONDA_PREFIX') {
      throw new TaipanError('INVALID_ARGUMENT', `'${name}' is managed by activation and cannot be set per environment`);
    }
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

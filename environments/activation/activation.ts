/**
 * What activating and deactivating an environment changes, as plain data that each
 * shell's emitter turns into its own syntax. conda's variables are kept (CONDA_PREFIX,
 * CONDA_DEFAULT_ENV, CONDA_SHLVL, CONDA_PREFIX_<n> for the stack), and the PATH from
 * before each activation is saved, so deactivate restores it exactly rather than trying
 * to take the environment's folders back out of a PATH that may have changed shape.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../../channels/model/errors.js';
import { isWindows, type Platform } from '../../channels/model/platform.js';
import { isEnvironment } from '../prefix/prefix-record.js';
import { readEnvVars } from './env-vars.js';

export interface ActivationChanges {
  /** Variables to set, in order. */
  readonly set: ReadonlyArray<readonly [string, string]>;
  readonly unset: readonly string[];
  /** Scripts to run in the shell: activate.d after setting, deactivate.d before unsetting. */
  readonly scripts: readonly string[];
}

const SAVED_PATH = 'TAIPAN_SAVED_PATH_';
const SAVED_VARS = 'TAIPAN_ENV_VARS_';

/** The folders of a prefix that go on PATH, as conda puts them there. */
export function prefixPathEntries(prefix: string, platform: Platform): string[] {
  if (!isWindows(platform)) return [path.join(prefix, 'bin')];
  return ['', 'Library\\mingw-w64\\bin', 'Library\\usr\\bin', 'Library\\bin', 'Scripts', 'bin'].map((p) => (p ? path.win32.join(prefix, p) : prefix));
}

function pathSeparator(platform: Platform): string {
  return isWindows(platform) ? ';' : ':';
}

async function scriptsIn(prefix: string, phase: 'activate.d' | 'deactivate.d', extension: string): Promise<string[]> {
  const dir = path.join(prefix, 'etc', 'conda', phase);
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith(extension)).sort().map((n) => path.join(dir, n));
}

export interface ActivateOptions {
  readonly platform: Platform;
  /** Keep the current environment's PATH entries below the new one (`activate --stack`). */
  readonly stack?: boolean;
  /** The extension of the shell's activate.d scripts (`.sh`, `.fish`, `.ps1`, `.bat`). */
  readonly scriptExtension: string;
  /** The name shown as CONDA_DEFAULT_ENV (the env name, or the prefix). */
  readonly displayName?: string;
}

export async function activate(prefix: string, env: NodeJS.ProcessEnv, options: ActivateOptions): Promise<ActivationChanges> {
  if (!(await isEnvironment(prefix))) {
    throw new TaipanError('PREFIX_NOT_FOUND', `cannot activate '${prefix}': it is not an environment`, { hint: 'see the known environments with `taipan env list`' });
  }
  const level = Number(env.CONDA_SHLVL ?? '0') || 0;
  const current = env.CONDA_PREFIX;
  const sep = pathSeparator(options.platform);
  const basePath = env.PATH ?? '';
  // Without --stack, the environment now active is replaced: its PATH is the one saved before it.
  const pathBelow = !options.stack && current && env[`${SAVED_PATH}${level}`] !== undefined ? (env[`${SAVED_PATH}${level}`] as string) : basePath;
  const vars = await readEnvVars(prefix);
  const set: [string, string][] = [];
  if (current) set.push([`CONDA_PREFIX_${level}`, current]);
  set.push([`${SAVED_PATH}${level + 1}`, basePath]);
  set.push(['PATH', [...prefixPathEntries(prefix, options.platform), ...(pathBelow ? [pathBelow] : [])].join(sep)]);
  set.push(['CONDA_PREFIX', prefix]);
  set.push(['CONDA_DEFAULT_ENV', options.displayName ?? prefix]);
  set.push(['CONDA_SHLVL', String(level + 1)]);
  set.push(['CONDA_PROMPT_MODIFIER', `(${options.displayName ?? path.basename(prefix)}) `]);
  const names = Object.keys(vars).sort();
  for (const name of names) {
    // Remember a value the variable had, so deactivate can put it back.
    if (env[name] !== undefined) set.push([`${SAVED_VARS}${level + 1}_${name}`, env[name] as string]);
    set.push([name, vars[name] as string]);
  }
  set.push([`${SAVED_VARS}${level + 1}`, names.join(',')]);
  return { set, unset: [], scripts: await scriptsIn(prefix, 'activate.d', options.scriptExtension) };
}

export async function deactivate(env: NodeJS.ProcessEnv, options: Omit<ActivateOptions, 'stack' | 'displayName'>): Promise<ActivationChanges> {
  const level = Number(env.CONDA_SHLVL ?? '0') || 0;
  const prefix = env.CONDA_PREFIX;
  if (level === 0 || !prefix) return { set: [], unset: [], scripts: [] };
  const set: [string, string][] = [];
  const unset: string[] = [];
  const savedPath = env[`${SAVED_PATH}${level}`];
  if (savedPath !== undefined) set.push(['PATH', savedPath]);
  unset.push(`${SAVED_PATH}${level}`);
  for (const name of (env[`${SAVED_VARS}${level}`] ?? '').split(',').filter(Boolean)) {
    const before = env[`${SAVED_VARS}${level}_${name}`];
    if (before !== undefined) {
      set.push([name, before]);
      unset.push(`${SAVED_VARS}${level}_${name}`);
    } else unset.push(name);
  }
  unset.push(`${SAVED_VARS}${level}`);
  const previous = env[`CONDA_PREFIX_${level - 1}`];
  if (level - 1 > 0 && previous) {
    set.push(['CONDA_PREFIX', previous], ['CONDA_DEFAULT_ENV', previous], ['CONDA_SHLVL', String(level - 1)]);
    set.push(['CONDA_PROMPT_MODIFIER', `(${path.basename(previous)}) `]);
    unset.push(`CONDA_PREFIX_${level - 1}`);
  } else {
    unset.push('CONDA_PREFIX', 'CONDA_DEFAULT_ENV', 'CONDA_PROMPT_MODIFIER');
    set.push(['CONDA_SHLVL', '0']);
  }
  const scripts = (await scriptsIn(prefix, 'deactivate.d', options.scriptExtension)).reverse();
  return { set, unset, scripts };
}

/** The variables a process run "in" the environment sees (`taipan run`). */
export async function activatedEnvironment(prefix: string, env: NodeJS.ProcessEnv, platform: Platform): Promise<NodeJS.ProcessEnv> {
  const changes = await activate(prefix, env, { platform, scriptExtension: isWindows(platform) ? '.bat' : '.sh' });
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of changes.set) out[name] = value;
  return out;
}

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
  /** What happens to the shell's prompt; absent: it is left alone. */
  readonly prompt?: PromptChange;
}

/**
 * The prompt is changed inside the shell, never passed through taipan: the shell saves its
 * own prompt per level (`level`) and puts it back byte for byte, escape sequences and all.
 */
export interface PromptChange {
  readonly phase: 'activate' | 'deactivate';
  /** The CONDA_SHLVL whose saved prompt is written (activate) or restored (deactivate). */
  readonly level: number;
  /** The modifier shown before (stripped from the prompt's start where no saved prompt is). */
  readonly from: string;
  /** The modifier shown after: '' once no environment is active. */
  readonly to: string;
  /** Whether to change the prompt where nothing was saved (config `changeps1`). */
  readonly change: boolean;
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
  /** Put `(name) ` before the prompt (config `changeps1`, default true). */
  readonly changePrompt?: boolean;
}

/**
 * The variables an activation overwrites that are not the environment's own: saved with its
 * variables, so deactivating puts back exactly what was shown before (also conda's values
 * when taipan activates over an environment conda activated).
 */
const OVERWRITTEN = ['CONDA_DEFAULT_ENV', 'CONDA_PROMPT_MODIFIER'] as const;

/**
 * `(name) ` for the prompt. Shells expand their prompts every time they show them (bash runs
 * `$(...)` and backquotes in PS1, zsh with prompt_subst too, and reads `%` and `\\` escapes),
 * and an environment's name or folder can come from a file someone else wrote: anything but
 * letters, digits, spaces and plain punctuation is shown as `?`, so no name runs or styles.
 */
export function promptModifier(shown: string): string {
  return `(${shown.replace(/[^\p{L}\p{N}\p{M} ._+\-/@~:=,]/gu, '?')}) `;
}

/** The name `taipan activate NAME` finds `prefix` by (it is in the first envs folder), if any. */
export function environmentName(prefix: string, firstEnvsDir: string | undefined): string | undefined {
  const name = path.basename(prefix);
  return firstEnvsDir !== undefined && path.dirname(prefix) === firstEnvsDir && /^[\w+-][\w.+-]*$/.test(name) ? name : undefined;
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
  const changePrompt = options.changePrompt ?? true;
  const shown = options.displayName ?? prefix;
  const modifier = changePrompt ? promptModifier(shown) : '';
  const set: [string, string][] = [];
  if (current) set.push([`CONDA_PREFIX_${level}`, current]);
  set.push([`${SAVED_PATH}${level + 1}`, basePath]);
  set.push(['PATH', [...prefixPathEntries(prefix, options.platform), ...(pathBelow ? [pathBelow] : [])].join(sep)]);
  set.push(['CONDA_PREFIX', prefix]);
  set.push(['CONDA_SHLVL', String(level + 1)]);
  const own = Object.keys(vars).filter((name) => !(OVERWRITTEN as readonly string[]).includes(name)).sort();
  const values: [string, string][] = [['CONDA_DEFAULT_ENV', shown], ['CONDA_PROMPT_MODIFIER', modifier], ...own.map((name): [string, string] => [name, vars[name] as string])];
  for (const [name, value] of values) {
    // Remember a value the variable had, so deactivate can put it back.
    if (env[name] !== undefined) set.push([`${SAVED_VARS}${level + 1}_${name}`, env[name] as string]);
    set.push([name, value]);
  }
  set.push([`${SAVED_VARS}${level + 1}`, values.map(([name]) => name).join(',')]);
  return {
    set,
    unset: [],
    scripts: await scriptsIn(prefix, 'activate.d', options.scriptExtension),
    prompt: { phase: 'activate', level: level + 1, from: env.CONDA_PROMPT_MODIFIER ?? '', to: modifier, change: changePrompt },
  };
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
  const restored = new Map<string, string | undefined>();
  for (const name of (env[`${SAVED_VARS}${level}`] ?? '').split(',').filter(Boolean)) {
    const before = env[`${SAVED_VARS}${level}_${name}`];
    restored.set(name, before);
    if (before !== undefined) {
      set.push([name, before]);
      unset.push(`${SAVED_VARS}${level}_${name}`);
    } else unset.push(name);
  }
  unset.push(`${SAVED_VARS}${level}`);
  const previous = env[`CONDA_PREFIX_${level - 1}`];
  if (level - 1 > 0 && previous) {
    set.push(['CONDA_PREFIX', previous], ['CONDA_SHLVL', String(level - 1)]);
    unset.push(`CONDA_PREFIX_${level - 1}`);
  } else {
    unset.push('CONDA_PREFIX');
    set.push(['CONDA_SHLVL', '0']);
  }
  const scripts = (await scriptsIn(prefix, 'deactivate.d', options.scriptExtension)).reverse();
  const prompt: PromptChange = {
    phase: 'deactivate',
    level,
    from: env.CONDA_PROMPT_MODIFIER ?? '',
    to: restored.get('CONDA_PROMPT_MODIFIER') ?? '',
    change: options.changePrompt ?? true,
  };
  return { set, unset, scripts, prompt };
}

/** The variables a process run "in" the environment sees (`taipan run`). */
export async function activatedEnvironment(prefix: string, env: NodeJS.ProcessEnv, platform: Platform): Promise<NodeJS.ProcessEnv> {
  const changes = await activate(prefix, env, { platform, scriptExtension: isWindows(platform) ? '.bat' : '.sh' });
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of changes.set) out[name] = value;
  return out;
}

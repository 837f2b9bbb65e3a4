/**
 * User configuration: `~/.condarc` then `~/.taipanrc` (later files win), so that conda
 * users keep their settings; `TAIPAN_<KEY>` (or `CONDA_<KEY>`) environment variables win
 * over both, lists comma-separated as conda reads them.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TaipanError } from '../../channels/model/errors.js';
import { SETTINGS, isSettingName, type SettingDescription, type SettingName } from './schema.js';
import { yamlLibrary } from '../../channels/util/libraries.js';

export type SettingValue = string | boolean | number | string[] | Record<string, string[]> | Record<string, string>;

export interface TaipanConfig {
  channels: string[];
  channel_alias?: string;
  pkgs_dirs: string[];
  envs_dirs: string[];
  /** Every known setting that was given, by name, with the file or variable it came from. */
  values: Partial<Record<SettingName, { value: SettingValue; source: string }>>;
  /** The files that were read. */
  sources: string[];
}

/** The TypeScript type of each kind of setting. */
interface KindValue {
  list: string[];
  string: string;
  boolean: boolean;
  number: number;
  map: Record<string, string[]>;
  'string-map': Record<string, string>;
  'boolean-or-string': boolean | string;
}

/** The value type of setting `N`, from its kind in the schema. */
export type SettingType<N extends SettingName> = KindValue[(typeof SETTINGS)[N]['kind']];

/**
 * The value of setting `name`, typed by the schema (checked when it was read), or undefined
 * when no file or variable gives it: the one place a setting's value is cast.
 */
export function setting<N extends SettingName>(config: Pick<TaipanConfig, 'values'>, name: N): SettingType<N> | undefined {
  return config.values[name]?.value as SettingType<N> | undefined;
}

export function configFiles(home: string = os.homedir()): string[] {
  return [path.join(home, '.condarc'), path.join(home, '.taipanrc')];
}

/** The file `config --set` writes to: TAIPANRC, else ~/.taipanrc. */
export function userConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.TAIPANRC ?? path.join(env.HOME ?? os.homedir(), '.taipanrc');
}

export function readConfigFile(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const yaml = yamlLibrary();
  let data: unknown;
  try {
    data = yaml.parse(text);
  } catch (error) {
    throw new TaipanError('CONFIG', `cannot parse the config file '${file}': ${(error as Error).message}`, { cause: error, hint: 'fix the YAML or move the file away' });
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new TaipanError('CONFIG', `the config file '${file}' does not hold a mapping of settings`);
  }
  return data as Record<string, unknown>;
}

/** Check a value from a file against the schema. */
export function checkSetting(name: SettingName, value: unknown, source: string): SettingValue {
  const kind = SETTINGS[name].kind;
  const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((item) => typeof item === 'string');
  const ok =
    kind === 'list'
      ? isStringList(value)
      : kind === 'map' || kind === 'string-map'
        ? value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.values(value).every((v) => (kind === 'map' ? isStringList(v) : typeof v === 'string'))
        : kind === 'string'
          ? typeof value === 'string'
          : kind === 'boolean-or-string'
            ? typeof value === 'boolean' || typeof value === 'string'
            : typeof value === kind;
  if (!ok) {
    const expected =
      kind === 'list'
        ? 'a list of strings'
        : kind === 'map'
          ? 'a mapping of names to lists of strings'
          : kind === 'string-map'
            ? 'a mapping of names to strings'
            : kind === 'boolean-or-string'
              ? 'true, false or a path'
              : `a ${kind}`;
    throw new TaipanError('CONFIG', `'${name}' in '${source}' must be ${expected}`);
  }
  if (typeof value === 'string') checkChoice(name, value, source);
  return value as SettingValue;
}

/** Refuse a string outside the setting's choices, naming them. */
function checkChoice(name: SettingName, value: string, source: string): void {
  const choices = (SETTINGS[name] as SettingDescription).choices;
  if (choices === undefined || choices.includes(value)) return;
  throw new TaipanError('CONFIG', `'${value}' is not a value of '${name}' (from ${source})`, { hint: `choose one of ${choices.join(', ')}` });
}

/**
 * A scalar setting's value from text (an environment variable, `config --set`): booleans
 * as conda reads them, numbers, strings within the setting's choices.
 */
export function scalarSetting(name: SettingName, text: string, source: string): string | boolean | number {
  const kind = SETTINGS[name].kind;
  if (kind === 'boolean' || kind === 'boolean-or-string') {
    if (/^(true|yes|1|on)$/i.test(text)) return true;
    if (/^(false|no|0|off)$/i.test(text)) return false;
    if (kind === 'boolean-or-string') return text;
    throw new TaipanError('CONFIG', `'${text}' is not a boolean for '${name}' (from ${source})`, { hint: 'use true or false' });
  }
  if (kind === 'number') {
    const n = Number(text);
    if (!Number.isFinite(n)) throw new TaipanError('CONFIG', `'${text}' is not a number for '${name}' (from ${source})`);
    return n;
  }
  checkChoice(name, text, source);
  return text;
}

/** A value from an environment variable, converted to the setting's kind. */
function fromEnvironment(name: SettingName, text: string, variable: string): SettingValue {
  const kind = SETTINGS[name].kind;
  if (kind === 'map' || kind === 'string-map') throw new TaipanError('CONFIG', `${variable} cannot be set from the environment`, { hint: `set '${name}' in ~/.taipanrc` });
  if (kind === 'list') return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return scalarSetting(name, text, variable);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, files: readonly string[] = configFiles(env.HOME ?? os.homedir())): TaipanConfig {
  const values: TaipanConfig['values'] = {};
  const sources: string[] = [];
  const explicit = env.TAIPANRC ?? env.CONDARC;
  for (const file of explicit && !files.includes(explicit) ? [...files, explicit] : files) {
    const data = readConfigFile(file);
    if (data === undefined) continue;
    sources.push(file);
    for (const [key, value] of Object.entries(data)) {
      if (isSettingName(key)) values[key] = { value: checkSetting(key, value, file), source: file };
    }
  }
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    for (const variable of [`CONDA_${name.toUpperCase()}`, `TAIPAN_${name.toUpperCase()}`]) {
      const text = env[variable];
      if (text !== undefined && text !== '') values[name] = { value: fromEnvironment(name, text, variable), source: variable };
    }
  }
  const list = (name: 'channels' | 'pkgs_dirs' | 'envs_dirs'): string[] => setting({ values }, name) ?? [];
  const alias = setting({ values }, 'channel_alias');
  return { channels: list('channels'), ...(alias ? { channel_alias: alias } : {}), pkgs_dirs: list('pkgs_dirs'), envs_dirs: list('envs_dirs'), values, sources };
}

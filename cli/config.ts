/**
 * User configuration: `~/.condarc` then `~/.taipanrc` (later files win), so that conda
 * users keep their settings; `TAIPAN_*` / `CONDA_*` environment variables win over both.
 * Only the keys this version acts on are read; the rest is kept for later commands.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TaipanError } from '../channels/model/errors.js';

export interface TaipanConfig {
  channels: string[];
  channel_alias?: string;
  pkgs_dirs: string[];
  envs_dirs: string[];
  /** Where each value came from, for error messages. */
  sources: string[];
}

export function configFiles(home: string = os.homedir()): string[] {
  return [path.join(home, '.condarc'), path.join(home, '.taipanrc')];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, files: readonly string[] = configFiles(env.HOME ?? os.homedir())): TaipanConfig {
  const config: TaipanConfig = { channels: [], pkgs_dirs: [], envs_dirs: [], sources: [] };
  const explicit = env.TAIPANRC ?? env.CONDARC;
  for (const file of explicit ? [...files, explicit] : files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    let data: unknown;
    try {
      data = parseYaml(text);
    } catch (error) {
      throw new TaipanError('CONFIG', `cannot parse the config file '${file}': ${(error as Error).message}`, { cause: error, hint: 'fix the YAML or move the file away' });
    }
    if (data === null || data === undefined) continue;
    if (typeof data !== 'object' || Array.isArray(data)) {
      throw new TaipanError('CONFIG', `the config file '${file}' does not hold a mapping of settings`);
    }
    const values = data as Record<string, unknown>;
    for (const key of ['channels', 'pkgs_dirs', 'envs_dirs'] as const) {
      if (values[key] !== undefined) config[key] = stringList(values[key], key, file);
    }
    if (values.channel_alias !== undefined) config.channel_alias = String(values.channel_alias);
    config.sources.push(file);
  }
  return config;
}

function stringList(value: unknown, key: string, file: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new TaipanError('CONFIG', `'${key}' in '${file}' must be a list of strings`);
  }
  return value as string[];
}

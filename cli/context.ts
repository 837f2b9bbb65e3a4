/**
 * What every command shares: where environments and caches are, the target platform,
 * the channels, and how the user wants output (text, --json, --quiet).
 */
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { Channel } from '../channels/model/channel.js';
import { TaipanError } from '../channels/model/errors.js';
import { currentPlatform, parsePlatform, type Platform } from '../channels/model/platform.js';
import { PackageCache } from '../environments/package-cache/package-cache.js';
import { resolvePkgsDirs } from '../environments/package-cache/pkgs-dirs.js';

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

export interface PrefixOptions {
  prefix?: string;
  name?: string;
}

export const TOOL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** `-p PREFIX` or `-n NAME` (under the first envs dir) to an absolute prefix. */
export function resolvePrefix(options: PrefixOptions, env: NodeJS.ProcessEnv = process.env): string {
  if (options.prefix && options.name) {
    throw new TaipanError('INVALID_ARGUMENT', 'give either -p/--prefix or -n/--name, not both');
  }
  if (options.prefix) return path.resolve(options.prefix);
  if (options.name) {
    if (!/^[^/\\:\s]+$/.test(options.name)) {
      throw new TaipanError('INVALID_ARGUMENT', `invalid environment name '${options.name}'`, { hint: 'a name has no slashes, colons or spaces' });
    }
    return path.join(envsDirs(env)[0] as string, options.name);
  }
  throw new TaipanError('INVALID_ARGUMENT', 'no environment given', { hint: 'name one with -p PREFIX or -n NAME' });
}

export function envsDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env.TAIPAN_ENVS_DIRS ?? env.CONDA_ENVS_DIRS;
  return fromEnv ? fromEnv.split(',').map((d) => path.resolve(d.trim())) : [path.join(os.homedir(), '.taipan', 'envs')];
}

export function targetPlatform(value: string | undefined): Platform {
  return value ? parsePlatform(value) : currentPlatform();
}

export function parseChannels(values: readonly string[] | undefined): Channel[] {
  return (values ?? []).map((c) => Channel.parse(c));
}

export function packageCache(): PackageCache {
  return new PackageCache(resolvePkgsDirs());
}

/** The command line as conda writes it into history (`# cmd:`). */
export function commandLine(argv: readonly string[] = process.argv): string {
  return ['taipan', ...argv.slice(2)].join(' ');
}

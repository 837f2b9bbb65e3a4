/**
 * What every command shares: where environments and caches are, the target platform,
 * the channels, and how the user wants output (text, --json, --quiet).
 */
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Channel, redactUrl } from '../channels/model/channel.js';
import { rememberChannelCredentials } from '../channels/fetch/credentials.js';
import { TaipanError } from '../channels/model/errors.js';
import { NAME_MAX_BYTES, pathLengthProblem } from '../channels/archive/entry-path.js';
import { currentPlatform, parsePlatform, type Platform } from '../channels/model/platform.js';
import { PackageCache, type PackageProgress } from '../environments/package-cache/package-cache.js';
import { HttpClient } from '../channels/fetch/http-client.js';
import type { ChannelIndexOptions } from '../channels/repodata/channel-index.js';
import { backendByName, BACKEND_NAMES, type BackendName, type SolverBackend } from '../solver/index.js';
import { resolvePkgsDirs } from '../channels/util/pkgs-dirs.js';
import { expandUser } from '../channels/model/home-path.js';
import { closestName } from '../channels/model/suggest.js';
import { setting, type TaipanConfig } from './config/load.js';
import { networkSettings } from './config/network.js';

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

export { nodeVersionWarning, TOOL_VERSION } from './version.js';

/**
 * `-p PREFIX` or `-n NAME` (under the first envs dir) to an absolute prefix; with neither,
 * the active environment (CONDA_PREFIX, which `taipan activate` and conda's activation set),
 * else the configured `default_environment`, as conda and mamba act on the active one.
 * `required` (create) wants -n/-p and nothing else. None of these may name an envs folder
 * or a folder holding one: an environment made there would be the folder of every other
 * environment, and removing it would remove them all.
 */
export function resolvePrefix(options: PrefixOptions, config: TaipanConfig, env: NodeJS.ProcessEnv = process.env, required = false): string {
  if (options.prefix && options.name) {
    throw new TaipanError('INVALID_ARGUMENT', 'give either -p/--prefix or -n/--name, not both');
  }
  const roots = envsDirs(config, env);
  let prefix: string;
  let source = '';
  if (options.prefix) prefix = path.resolve(options.prefix);
  else if (options.name !== undefined) prefix = path.join(roots[0] as string, checkEnvironmentName(options.name));
  else if (required) throw new TaipanError('INVALID_ARGUMENT', 'no environment given', { hint: 'name the new environment with -n NAME or -p PREFIX' });
  else if (env.CONDA_PREFIX) {
    prefix = path.resolve(env.CONDA_PREFIX);
    source = 'the active environment ';
  } else {
    const configured = config.values.default_environment;
    if (configured === undefined || configured.value === '') {
      throw new TaipanError('NO_ENVIRONMENT', 'no environment given and none is active', {
        hint: 'name one with -n NAME or -p PREFIX, or activate one with `taipan activate NAME` (or set `default_environment` in ~/.taipanrc)',
      });
    }
    const value = setting(config, 'default_environment') as string;
    // An absolute path (or ~/...) is a folder; anything else must be a name: a relative path would change with the working folder.
    prefix = path.isAbsolute(value) || expandUser(value) !== value ? path.resolve(expandUser(value)) : path.join(roots[0] as string, checkEnvironmentName(value));
    source = `default_environment (from '${configured.source}') `;
  }
  const tooLong = pathLengthProblem(prefix);
  if (tooLong !== undefined) {
    throw new TaipanError('INVALID_ARGUMENT', `${source}the environment path '${prefix.slice(0, 120)}…' cannot be a folder: ${tooLong}`, {
      hint: 'choose a shorter name or path',
    });
  }
  const held = roots.find((root) => !path.relative(prefix, root).startsWith('..') && !path.isAbsolute(path.relative(prefix, root)));
  if (held !== undefined) {
    throw new TaipanError('INVALID_ARGUMENT', `${source}'${prefix}' ${held === prefix ? 'is' : 'holds'} the envs folder '${held}', not an environment`, {
      hint: 'name an environment inside it with -n NAME, or choose another folder with -p PREFIX',
    });
  }
  return prefix;
}

/** The environment closest to a `-n` name that names none (`scii` → `sci`), for a hint. */
export function similarEnvironmentName(name: string, config: TaipanConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names: string[] = [];
  for (const dir of envsDirs(config, env)) {
    try {
      for (const entry of readdirSync(dir)) if (existsSync(path.join(dir, entry, 'conda-meta'))) names.push(entry);
    } catch {
      // no such envs folder
    }
  }
  return closestName(name, names);
}

/**
 * An environment name as conda allows it: one folder name, so no separators, colons, `#`
 * or spaces, and not `.` or `..` (which would name the envs folder or its parent).
 */
export function checkEnvironmentName(name: string): string {
  if (name === '' || name === '.' || name === '..' || !/^[^/\\:#\s\0]+$/.test(name) || Buffer.byteLength(name) > NAME_MAX_BYTES) {
    throw new TaipanError('INVALID_ARGUMENT', `invalid environment name '${name.length > 80 ? `${name.slice(0, 80)}…` : name}'`, {
      hint: `a name is one folder name: no slashes, colons, '#' or spaces, not '.' or '..', at most ${NAME_MAX_BYTES} bytes`,
    });
  }
  return name;
}

export function envsDirs(config: TaipanConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env.TAIPAN_ENVS_DIRS ?? env.CONDA_ENVS_DIRS;
  if (fromEnv) return fromEnv.split(',').map((d) => path.resolve(d.trim()));
  if (config.envs_dirs.length > 0) return config.envs_dirs.map((d) => path.resolve(expandUser(d)));
  return [path.join(os.homedir(), '.taipan', 'envs')];
}


export function targetPlatform(value: string | undefined): Platform {
  return value ? parsePlatform(value) : currentPlatform();
}

/** What conda's `defaults` means when `default_channels` is not configured (non-Windows). */
export const DEFAULT_CHANNELS: readonly string[] = ['https://repo.anaconda.com/pkgs/main', 'https://repo.anaconda.com/pkgs/r'];

/** The channels given with -c, else (unless --override-channels) the configured ones. */
export function parseChannels(values: readonly string[] | undefined, config: TaipanConfig, override = false): Channel[] {
  const given = values && values.length > 0 ? values : override ? [] : config.channels;
  // `nodefaults` in an environment file means: not the defaults channels (conda-forge's advice).
  const names = given.includes('nodefaults') ? given.filter((c) => c !== 'nodefaults' && c !== 'defaults') : given;
  const customChannels = setting(config, 'custom_channels');
  const channelConfig = { ...(config.channel_alias ? { channelAlias: config.channel_alias } : {}), ...(customChannels ? { customChannels } : {}) };
  // `defaults` is conda's multichannel: the channels `default_channels` lists.
  const expanded = names.flatMap((c) => (c === 'defaults' ? (setting(config, 'default_channels') ?? DEFAULT_CHANNELS) : [c]));
  // Channel.parse drops credentials from URLs; the fetch layer keeps them for the wire only.
  for (const c of expanded) rememberChannelCredentials(c);
  return expanded.map((c) => Channel.parse(c, channelConfig));
}

export interface NetworkOptions {
  /** `--offline`; config `offline` and TAIPAN_OFFLINE/CONDA_OFFLINE otherwise. */
  offline?: boolean;
  onDownload?: (progress: PackageProgress) => void;
}

const clients = new WeakMap<TaipanConfig, HttpClient>();

/** One HTTP client per configuration: its pools, credentials, `mirrors`, certificate checks and proxies. */
export function httpClient(config: TaipanConfig): HttpClient {
  let client = clients.get(config);
  if (!client) {
    const mirrors = setting(config, 'mirrors');
    const warn = (message: string): void => void process.stderr.write(`warning: ${message}\n`);
    const seconds = (name: 'remote_connect_timeout_secs' | 'remote_read_timeout_secs' | 'remote_backoff_factor'): number | undefined => {
      const value = setting(config, name);
      return value === undefined ? undefined : value * 1000;
    };
    client = new HttpClient({
      ...(mirrors ? { mirrors } : {}),
      connectTimeoutMs: seconds('remote_connect_timeout_secs'),
      timeoutMs: seconds('remote_read_timeout_secs'),
      retryDelayMs: seconds('remote_backoff_factor'),
      retries: setting(config, 'remote_max_retries'),
      network: networkSettings(config, process.env, warn),
      onWarning: warn,
    });
    clients.set(config, client);
  }
  return client;
}

function offline(config: TaipanConfig, network: NetworkOptions): boolean | undefined {
  return network.offline || setting(config, 'offline') || undefined;
}

export function packageCache(config: TaipanConfig, network: NetworkOptions = {}): PackageCache {
  const threads = setting(config, 'fetch_threads');
  return new PackageCache(resolvePkgsDirs(process.env, config.pkgs_dirs), {
    client: httpClient(config),
    ...(offline(config, network) ? { offline: true } : {}),
    ...(threads ? { downloadConcurrency: threads } : {}),
    ...(config.values.allow_unhashed_packages?.value === true ? { allowUnhashed: true } : {}),
    ...(network.onDownload ? { onProgress: network.onDownload } : {}),
  });
}

/** How repodata is read: the same client, the cache next to the packages, offline and ttl. */
/** Where repodata and shards are cached: `<first pkgs dir>/cache`. */
export function repodataCacheDir(config: TaipanConfig): string {
  return path.join(resolvePkgsDirs(process.env, config.pkgs_dirs)[0] as string, 'cache');
}

export function channelIndexOptions(config: TaipanConfig, network: NetworkOptions = {}): ChannelIndexOptions {
  const ttl = setting(config, 'local_repodata_ttl');
  return {
    client: httpClient(config),
    cacheDir: repodataCacheDir(config),
    ...(offline(config, network) ? { offline: true } : {}),
    ...(ttl !== undefined ? { ttl } : {}),
  };
}

/** `--solver` or config `solver`; undefined means the default (CDCL). */
export function solverBackend(config: TaipanConfig, flag?: string): SolverBackend | undefined {
  const name = flag ?? setting(config, 'solver');
  if (name === undefined) return undefined;
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new TaipanError('INVALID_ARGUMENT', `unknown solver '${name}'`, { hint: `choose one of ${BACKEND_NAMES.join(', ')}` });
  }
  return backendByName(name as BackendName);
}

/** The command line as conda writes it into history (`# cmd:`). */
export function commandLine(argv: readonly string[] = process.argv): string {
  // History lands in the prefix: channel URLs lose their credentials (tokens, user info) first.
  return ['taipan', ...argv.slice(2).map((a) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(a) ? redactUrl(a) : a))].join(' ');
}

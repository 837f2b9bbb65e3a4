/**
 * All records of the requested channels and subdirs, grouped by package name. Within a
 * name the records keep channel order (the first channel first), which is how channel
 * priority reaches the solver as data.
 *
 * Nothing is built up front: monolithic repodata is indexed by name and a name's records
 * are made on its first `get`; sharded channels (CEP-16) fetch only the shards of names
 * reachable from `options.names` through `depends`.
 */
import os from 'node:os';
import path from 'node:path';
import type { Channel } from '../model/channel.js';
import { allSettledOrThrow } from '../util/settle.js';
import { TaipanError } from '../model/errors.js';
import { specPackageName } from '../model/match-spec/spec-name.js';
import { resolvePkgsDirs } from '../util/pkgs-dirs.js';
import type { RepoDataRecord } from '../model/package-record.js';
import type { Platform } from '../model/platform.js';
import { requestSubdirs } from '../model/platform.js';
import { defaultHttpClient, type HttpClient } from '../fetch/http-client.js';
import type { DownloadProgress } from '../fetch/save-response.js';
import { loadLocalSubdir } from './sources/local-repodata.js';
import { loadRemoteMonolithic, probeVariants, type RemoteOptions } from './sources/remote-repodata.js';
import { ShardedRepodata } from './shards/sharded-repodata.js';
import { asDiskError } from '../util/disk-errors.js';
import type { SubdirRecords } from './subdir-records.js';

export interface ChannelIndexOptions {
  /**
   * The package names a request starts from. Sharded channels then fetch the shards of
   * these names and, recursively, of their dependencies. Without names, sharded channels
   * are read through their monolithic repodata.json.
   */
  names?: Iterable<string>;
  /** The HTTP client (pools, retries, credentials, mirrors); a shared default. */
  client?: HttpClient;
  /** Repodata cache folder; default `<first pkgs dir>/cache` (TAIPAN_PKGS_DIRS/CONDA_PKGS_DIRS or ~/.taipan/pkgs). */
  cacheDir?: string;
  /** Use only cached repodata; default from TAIPAN_OFFLINE / CONDA_OFFLINE. */
  offline?: boolean;
  /** conda's local_repodata_ttl; default from CONDA_LOCAL_REPODATA_TTL, else 1 (honour max-age). */
  ttl?: number;
  /** Read CEP-16 shards when a channel serves them (default true). */
  sharded?: boolean;
  /** Bytes of repodata downloaded, for a progress display. */
  onProgress?: (progress: DownloadProgress) => void;
}

export class ChannelIndex {
  readonly channels: readonly Channel[];
  private readonly sources: readonly SubdirRecords[];
  private readonly byName = new Map<string, readonly RepoDataRecord[]>();

  private constructor(channels: readonly Channel[], sources: readonly SubdirRecords[]) {
    this.channels = channels;
    this.sources = sources;
  }

  static async load(channels: readonly Channel[], platform: Platform, options: ChannelIndexOptions = {}): Promise<ChannelIndex> {
    const remote: RemoteOptions = {
      client: options.client ?? defaultHttpClient(),
      cacheDir: options.cacheDir ?? defaultCacheDir(),
      policy: { offline: options.offline ?? envFlag('TAIPAN_OFFLINE') ?? envFlag('CONDA_OFFLINE') ?? false, ttl: options.ttl ?? envNumber('CONDA_LOCAL_REPODATA_TTL') },
      onProgress: options.onProgress,
    };
    const names = options.names ? [...options.names] : undefined;
    const useShards = names !== undefined && options.sharded !== false;
    const perChannel = await allSettledOrThrow(
      channels.map(async (channel) => {
        const subdirs = channel.platform ? [channel.platform] : requestSubdirs(platform);
        const loaded = await allSettledOrThrow(subdirs.map((subdir) => loadSubdir(channel, subdir, remote, useShards))).catch((error: unknown) => {
          throw asDiskError(error, `the repodata cache '${remote.cacheDir}'`, 'no damaged copy is trusted');
        });
        if (loaded.every((source) => source === undefined)) {
          throw new TaipanError(
            'REPODATA_NOT_FOUND',
            `channel '${channel.name}' has no repodata.json for ${subdirs.map((s) => `'${s}'`).join(' or ')}`,
            { hint: `check the channel location ('${channel.baseUrl}') or index it with 'taipan index'` },
          );
        }
        return loaded.filter((source): source is SubdirRecords => source !== undefined);
      }),
    );
    const index = new ChannelIndex(channels, perChannel.flat());
    if (names !== undefined && index.sources.some((s) => s.load)) await index.loadReachable(names);
    return index;
  }

  /** Records of one package name, in channel order (built on first use). */
  get(name: string): readonly RepoDataRecord[] {
    let records = this.byName.get(name);
    if (records === undefined) {
      records = this.sources.length === 1 ? (this.sources[0] as SubdirRecords).records(name) : this.sources.flatMap((s) => s.records(name));
      this.byName.set(name, records);
    }
    return records;
  }

  /** Every package name the channels know (sharded ones included, without fetching their shards). */
  *names(): IterableIterator<string> {
    const seen = new Set<string>();
    for (const source of this.sources) {
      for (const name of source.names()) {
        if (!seen.has(name)) {
          seen.add(name);
          yield name;
        }
      }
    }
  }

  /** Every record; builds them all, so for tests and small channels only. */
  *all(): IterableIterator<RepoDataRecord> {
    for (const name of this.names()) yield* this.get(name);
  }

  /** CEP-16's fetch loop: load the names, read their dependencies, repeat with the new names. */
  private async loadReachable(roots: readonly string[]): Promise<void> {
    const seen = new Set<string>();
    let frontier = roots.filter((n) => !n.startsWith('__'));
    while (frontier.length > 0) {
      for (const name of frontier) seen.add(name);
      await allSettledOrThrow(this.sources.map(async (s) => s.load?.(frontier)));
      const next = new Set<string>();
      for (const name of frontier) {
        for (const source of this.sources) {
          for (const record of source.records(name)) {
            for (const dep of record.depends) {
              const depName = dependencyName(dep);
              if (depName !== undefined && !seen.has(depName) && !depName.startsWith('__')) next.add(depName);
            }
          }
        }
      }
      frontier = [...next];
    }
  }
}

async function loadSubdir(channel: Channel, subdir: string, remote: RemoteOptions, useShards: boolean): Promise<SubdirRecords | undefined> {
  if (channel.localPath() !== undefined) return loadLocalSubdir(channel, subdir);
  if (!/^https?:\/\//i.test(channel.baseUrl)) {
    throw new TaipanError('INVALID_CHANNEL', `channel '${channel.name}' uses an unsupported URL scheme ('${channel.baseUrl}')`, {
      hint: 'taipan reads channels over http(s) and from local folders (file://)',
    });
  }
  if (!useShards) return loadRemoteMonolithic(channel, subdir, remote);
  // The variant probes run beside the shard index request; shards win when the channel has them.
  const probe = probeVariants(channel, subdir, remote);
  probe?.catch(() => undefined);
  const sharded = await ShardedRepodata.open(channel, subdir, remote);
  if (sharded !== undefined) return sharded;
  return loadRemoteMonolithic(channel, subdir, remote, probe);
}

/** The package name a dependency string names (`python >=3.9` → `python`, `conda-forge::numpy` → `numpy`). */
/** Only the names are needed here; a `*` in one matches nothing fetched by name. */
function dependencyName(spec: string): string | undefined {
  return specPackageName(spec)?.replace(/\*.*$/, '') || undefined;
}

/** `<first pkgs dir>/cache`, the pkgs dirs as the environment alone gives them. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(resolvePkgsDirs(env)[0] as string, 'cache');
}

function envFlag(name: string): boolean | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  return !['0', 'false', 'no', 'off'].includes(value.toLowerCase());
}

function envNumber(name: string): number | undefined {
  const value = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(value) ? value : undefined;
}

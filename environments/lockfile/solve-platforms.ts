/**
 * The solves behind `taipan lock`: the same request solved once per platform, each
 * against that platform's subdirs (plus noarch) and its virtual packages, with nothing
 * installed. Only the names the request reaches are loaded from sharded channels.
 */
import type { Channel } from '../../channels/model/channel.js';
import { TaipanError } from '../../channels/model/errors.js';
import { MatchSpec } from '../../channels/model/match-spec/index.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import type { Platform } from '../../channels/model/platform.js';
import { ChannelIndex } from '../../channels/repodata/channel-index.js';
import { solve, type ChannelPriority } from '../../solver/index.js';
import { detectVirtualPackages } from '../virtual-packages.js';

export interface PlatformSolveRequest {
  readonly channels: readonly Channel[];
  readonly specs: readonly string[];
  readonly platforms: readonly Platform[];
  readonly channelPriority?: ChannelPriority;
}

/** Solved records per platform, in the order the platforms were given. */
export async function solvePlatforms(request: PlatformSolveRequest): Promise<Map<Platform, RepoDataRecord[]>> {
  if (request.specs.length === 0) throw new TaipanError('INVALID_ARGUMENT', 'nothing to lock: no package specs given', { hint: 'list dependencies in the environment file or pass specs' });
  if (request.channels.length === 0) throw new TaipanError('INVALID_ARGUMENT', 'no channels given', { hint: 'pass -c CHANNEL or list `channels` in the environment file' });
  const specs = request.specs.map((s) => MatchSpec.parse(s));
  const out = new Map<Platform, RepoDataRecord[]>();
  for (const platform of request.platforms) {
    const index = await ChannelIndex.load(request.channels, platform, { names: specs.map((s) => s.name) });
    const result = await solve({
      specs,
      available: (name) => index.get(name),
      installed: [],
      virtualPackages: detectVirtualPackages(platform),
      channelPriority: request.channelPriority,
      channels: request.channels.map((c) => c.name),
    }).catch((error: unknown) => {
      if (error instanceof Error) error.message = `for ${platform}: ${error.message}`;
      throw error;
    });
    out.set(platform, [...result.records].filter((r) => !r.name.startsWith('__')));
  }
  return out;
}

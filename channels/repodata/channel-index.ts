/**
 * All records of the requested channels and subdirs, grouped by package name. Within a
 * name the records keep channel order (the first channel first), which is how channel
 * priority reaches the solver as data.
 */
import type { Channel } from '../model/channel.js';
import { TaipanError } from '../model/errors.js';
import type { RepoDataRecord } from '../model/package-record.js';
import type { Platform } from '../model/platform.js';
import { requestSubdirs } from '../model/platform.js';
import { loadLocalSubdir } from './local-repodata.js';

export class ChannelIndex {
  private readonly byName: ReadonlyMap<string, readonly RepoDataRecord[]>;
  readonly channels: readonly Channel[];

  private constructor(channels: readonly Channel[], byName: Map<string, RepoDataRecord[]>) {
    this.channels = channels;
    this.byName = byName;
  }

  static async load(channels: readonly Channel[], platform: Platform): Promise<ChannelIndex> {
    const byName = new Map<string, RepoDataRecord[]>();
    for (const channel of channels) {
      const subdirs = channel.platform ? [channel.platform] : requestSubdirs(platform);
      const loaded = await Promise.all(subdirs.map((subdir) => loadSubdir(channel, subdir)));
      if (loaded.every((records) => records === undefined)) {
        throw new TaipanError(
          'REPODATA_NOT_FOUND',
          `channel '${channel.name}' has no repodata.json for ${subdirs.map((s) => `'${s}'`).join(' or ')}`,
          { hint: `check the channel location ('${channel.baseUrl}') or index it with 'taipan index'` },
        );
      }
      for (const records of loaded) {
        for (const record of records ?? []) {
          const list = byName.get(record.name);
          if (list) list.push(record);
          else byName.set(record.name, [record]);
        }
      }
    }
    return new ChannelIndex(channels, byName);
  }

  /** Records of one package name, in channel order. */
  get(name: string): readonly RepoDataRecord[] {
    return this.byName.get(name) ?? [];
  }

  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  /** Every record; for tests and small channels only. */
  *all(): IterableIterator<RepoDataRecord> {
    for (const list of this.byName.values()) yield* list;
  }
}

function loadSubdir(channel: Channel, subdir: string): Promise<RepoDataRecord[] | undefined> {
  if (channel.localPath() !== undefined) return loadLocalSubdir(channel, subdir);
  throw new TaipanError('INVALID_CHANNEL', `remote channel '${channel.name}' ('${channel.baseUrl}') cannot be read yet`, {
    hint: 'this version of taipan reads local channels (a folder or a file:// URL); HTTP channels come next',
  });
}

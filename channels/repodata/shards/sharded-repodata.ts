/**
 * CEP-16 sharded repodata: `<subdir>/repodata_shards.msgpack.zst` maps each package name
 * to the sha256 of its shard, `<shards_base_url><sha256>.msgpack.zst`, a zstd-compressed
 * msgpack `{packages, packages.conda, removed}` for that one name. Only the shards of names
 * a request reaches are fetched (the channel index follows `depends` and calls `load`).
 * Shards are content-addressed, so a cached one is valid forever and is checked against its
 * hash when it arrives; the index itself is cached like repodata.json (ETag, max-age).
 */
import { allSettledOrThrow } from '../../util/settle.js';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Channel } from '../../model/channel.js';
import { TaipanError } from '../../model/errors.js';
import { checkReferencedUrl } from '../../fetch/url-trust.js';
import type { RepoDataRecord } from '../../model/package-record.js';
import { cachedGet, cacheKey, fetchRememberingAbsence, forget } from '../sources/http-cache.js';
import { decodeMsgpackZst, shardDir, toHex } from './shard-format.js';
import { adoptRecord, keptFileNames, recordContext, type RecordContext } from '../records.js';
import type { RemoteOptions } from '../sources/remote-repodata.js';
import type { SubdirRecords } from '../subdir-records.js';

export const SHARD_INDEX = 'repodata_shards.msgpack.zst';

interface ShardIndex {
  info?: { base_url?: string; shards_base_url?: string; [key: string]: unknown };
  shards?: Record<string, Uint8Array | string>;
}

interface Shard {
  packages?: Record<string, Record<string, unknown>>;
  'packages.conda'?: Record<string, Record<string, unknown>>;
  removed?: string[];
}

export class ShardedRepodata implements SubdirRecords {
  readonly url: string;
  private readonly shards: ReadonlyMap<string, string>;
  private readonly shardsBase: string;
  private readonly context: RecordContext;
  private readonly options: RemoteOptions;
  private readonly loaded = new Map<string, readonly RepoDataRecord[]>();
  private readonly pending = new Map<string, Promise<void>>();

  private constructor(url: string, shards: Map<string, string>, shardsBase: string, context: RecordContext, options: RemoteOptions) {
    this.url = url;
    this.shards = shards;
    this.shardsBase = shardsBase;
    this.context = context;
    this.options = options;
  }

  /** The subdir's shard index, or undefined when the channel does not serve one. */
  static async open(channel: Channel, subdir: string, options: RemoteOptions): Promise<ShardedRepodata | undefined> {
    const indexUrl = `${channel.subdirUrl(subdir)}/${SHARD_INDEX}`;
    const key = cacheKey(indexUrl);
    const policy = options.policy ?? {};
    // Most channels serve no shards: remembering that saves a round trip before every load.
    const fetched = await fetchRememberingAbsence(options.cacheDir, key, indexUrl, policy, () =>
      cachedGet({ client: options.client, url: indexUrl, cacheDir: options.cacheDir, key, extension: '.msgpack.zst', policy }),
    );
    if (fetched.kind === 'absent' || fetched.kind === 'missing') return undefined;
    let index: ShardIndex;
    try {
      index = (await decodeMsgpackZst(await readFile(fetched.file), indexUrl)) as ShardIndex;
      if (index === null || typeof index !== 'object' || typeof index.shards !== 'object' || index.shards === null) {
        throw new TaipanError('INVALID_REPODATA', `'${indexUrl}' is not a shard index (no "shards" map)`);
      }
    } catch (error) {
      // A damaged copy must not be revalidated (a 304 would keep it): forget it, so the next run downloads it again.
      await forget(options.cacheDir, key, '.msgpack.zst');
      throw error;
    }
    const shards = new Map<string, string>();
    for (const [name, hash] of Object.entries(index.shards)) shards.set(name, toHex(hash));
    // CEP-16: both base URLs may be relative to the index; an empty one means the subdir itself.
    const shardsBase = new URL(index.info?.shards_base_url || './', indexUrl).href;
    checkReferencedUrl({ url: channel.baseUrl, kind: 'channel' }, `info.shards_base_url in its '${subdir}' shard index`, shardsBase);
    const context = recordContext(channel, subdir, index.info?.base_url || undefined, indexUrl, indexUrl);
    return new ShardedRepodata(channel.subdirUrl(subdir), shards, shardsBase.endsWith('/') ? shardsBase : `${shardsBase}/`, context, options);
  }

  names(): IterableIterator<string> {
    return this.shards.keys();
  }

  records(name: string): readonly RepoDataRecord[] {
    return this.loaded.get(name) ?? [];
  }

  /** Fetch (in parallel, bounded by the client's per-host limit) the shards of these names. */
  async load(names: readonly string[]): Promise<void> {
    await allSettledOrThrow(names.filter((n) => this.shards.has(n)).map((n) => this.loadOne(n)));
  }

  private loadOne(name: string): Promise<void> {
    if (this.loaded.has(name)) return Promise.resolve();
    let promise = this.pending.get(name);
    if (promise === undefined) {
      promise = this.fetchShard(this.shards.get(name) as string).then((shard) => {
        this.loaded.set(name, this.toRecords(shard));
      });
      this.pending.set(name, promise);
    }
    return promise;
  }

  private async fetchShard(hash: string): Promise<Shard> {
    const dir = shardDir(this.options.cacheDir);
    const file = path.join(dir, `${hash}.msgpack.zst`);
    const url = `${this.shardsBase}${hash}.msgpack.zst`;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
      try {
        return (await decodeMsgpackZst(bytes, url)) as Shard;
      } catch (error) {
        // A cached shard damaged on disk: drop it, so the next run fetches it again.
        await rm(file, { force: true });
        throw error;
      }
    } catch (error) {
      if (error instanceof TaipanError) throw error; // the damaged cached copy, reported (and now gone)
      if (this.options.policy?.offline) {
        throw new TaipanError('OFFLINE', `offline: the shard of '${url}' is not cached`, {
          hint: 'run once with the network to fill the cache, or drop --offline',
        });
      }
      bytes = await this.download(url, hash);
      await mkdir(dir, { recursive: true });
      const temp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      await writeFile(temp, bytes);
      await rename(temp, file).catch(async (error: unknown) => {
        await rm(temp, { force: true });
        throw error;
      });
    }
    return (await decodeMsgpackZst(bytes, url)) as Shard;
  }

  private async download(url: string, hash: string): Promise<Buffer> {
    const response = await this.options.client.get(url);
    if (response.status !== 200) {
      await response.body.dump();
      throw new TaipanError('DOWNLOAD_FAILED', `cannot fetch the shard '${response.url}': HTTP ${response.status}`, {
        hint: 'the shard index may be newer than the shards; try again later',
      });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== hash) {
      throw new TaipanError('HASH_MISMATCH', `the shard '${response.url}' has sha256 ${actual}, not the ${hash} its name promises`, {
        hint: 'the server or a proxy damaged it; nothing from it was used',
      });
    }
    return bytes;
  }

  private toRecords(shard: Shard): readonly RepoDataRecord[] {
    const conda = shard['packages.conda'] ?? {};
    const tarBz2 = shard.packages ?? {};
    const kept = keptFileNames(Object.keys(conda), Object.keys(tarBz2), new Set(shard.removed ?? []));
    return Object.freeze([
      ...kept.conda.map((fn) => adoptRecord(withHexDigests(conda[fn]), fn, this.context)),
      ...kept.tarBz2.map((fn) => adoptRecord(withHexDigests(tarBz2[fn]), fn, this.context)),
    ]);
  }
}

/** CEP-16 stores sha256 and md5 as bytes; records carry them as hex, as repodata.json does. */
function withHexDigests(raw: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return raw;
  if (raw.sha256 instanceof Uint8Array) raw.sha256 = toHex(raw.sha256);
  if (raw.md5 instanceof Uint8Array) raw.md5 = toHex(raw.md5);
  return raw;
}

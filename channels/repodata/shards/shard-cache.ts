/**
 * Garbage in the CEP-16 shard cache, `<cache>/shards/<sha256>.msgpack.zst`. Shards are
 * content-addressed, so every new shard index a channel publishes leaves the shards of
 * the names that changed behind. A shard is garbage when no shard index in the cache
 * (`<cache>/<key>.msgpack.zst`, as ShardedRepodata.open stores them) lists its hash;
 * leftovers of downloads whose process is gone are garbage too.
 *
 * The shard files are listed before the indexes are read: a shard a concurrent process
 * writes meanwhile is not in the list, and its index is already on disk when it is (an
 * index is stored before its shards are fetched).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { decodeMsgpackZst, shardDir, toHex } from './shard-format.js';
import { isProcessAlive } from '../../util/fs.js';

const SHARD_FILE = /^([0-9a-f]{64})\.msgpack\.zst$/;
const SHARD_TEMP = /^[0-9a-f]{64}\.msgpack\.zst\.tmp-(\d+)-/;
const INDEX_FILE = /^[0-9a-f]{16}\.msgpack\.zst$/;

export interface UnusedShards {
  /** Shard files (and stale partial downloads) nothing refers to. */
  readonly files: string[];
  readonly bytes: number;
  /** Why nothing was collected, when an index could not be read (its shards are unknown). */
  readonly skipped?: string;
}

/** The shard hashes a cached shard index lists. */
async function referencedHashes(file: string): Promise<Set<string>> {
  const index = (await decodeMsgpackZst(await readFile(file), file)) as { shards?: Record<string, Uint8Array | string> } | null;
  const hashes = new Set<string>();
  for (const hash of Object.values(index?.shards ?? {})) {
    hashes.add(toHex(hash));
  }
  return hashes;
}

export async function unusedShards(cacheDir: string): Promise<UnusedShards> {
  const dir = shardDir(cacheDir);
  const shardNames = await readdir(dir).catch(() => [] as string[]);
  if (shardNames.length === 0) return { files: [], bytes: 0 };
  const referenced = new Set<string>();
  for (const name of (await readdir(cacheDir).catch(() => [] as string[])).filter((n) => INDEX_FILE.test(n))) {
    const file = path.join(cacheDir, name);
    try {
      for (const hash of await referencedHashes(file)) referenced.add(hash);
    } catch (error) {
      return { files: [], bytes: 0, skipped: `the cached shard index '${file}' cannot be read (${(error as Error).message}); it is fetched again on the next use of its channel` };
    }
  }
  const files: string[] = [];
  let bytes = 0;
  for (const name of shardNames) {
    const hash = SHARD_FILE.exec(name)?.[1];
    const tempOwner = SHARD_TEMP.exec(name)?.[1];
    const garbage = hash !== undefined ? !referenced.has(hash) : tempOwner !== undefined && !isProcessAlive(Number(tempOwner));
    if (!garbage) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    files.push(file);
    bytes += info.size;
  }
  return { files: files.sort(), bytes };
}

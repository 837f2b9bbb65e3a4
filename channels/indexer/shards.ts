/**
 * The sharded form of a subdir's repodata (CEP-16): one msgpack+zstd shard per package
 * name, named by the sha256 of its compressed bytes, and `repodata_shards.msgpack.zst`
 * mapping each name to that hash. As conda-index writes them, md5 and sha256 inside the
 * shards are raw bytes, and shard hashes in the index are 32 raw bytes.
 */
import { createHash } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encode } from '@msgpack/msgpack';
import { zstdCompressChecked } from '../archive/index.js';
import type { PackageRecord } from '../model/package-record.js';

const SHARD_LEVEL = 16;

function packRecord(record: PackageRecord): Record<string, unknown> {
  const packed: Record<string, unknown> = { ...record };
  if (typeof record.sha256 === 'string') packed.sha256 = Buffer.from(record.sha256, 'hex');
  if (typeof record.md5 === 'string') packed.md5 = Buffer.from(record.md5, 'hex');
  return packed;
}

export async function writeShards(
  dir: string,
  subdir: string,
  packages: Readonly<Record<string, PackageRecord>>,
  condaPackages: Readonly<Record<string, PackageRecord>>,
): Promise<number> {
  const byName = new Map<string, { packages: Record<string, unknown>; 'packages.conda': Record<string, unknown> }>();
  const shardOf = (name: string) => {
    let shard = byName.get(name);
    if (!shard) byName.set(name, (shard = { packages: {}, 'packages.conda': {} }));
    return shard;
  };
  for (const [fn, record] of Object.entries(packages)) shardOf(record.name).packages[fn] = packRecord(record);
  for (const [fn, record] of Object.entries(condaPackages)) shardOf(record.name)['packages.conda'][fn] = packRecord(record);

  const shards: Record<string, Uint8Array> = {};
  const written = new Set<string>();
  for (const name of [...byName.keys()].sort()) {
    const compressed = await zstdCompressChecked(encode(byName.get(name)), SHARD_LEVEL, `${subdir} shard of '${name}'`);
    const hash = createHash('sha256').update(compressed).digest();
    const file = `${hash.toString('hex')}.msgpack.zst`;
    await writeFile(path.join(dir, file), compressed);
    written.add(file);
    shards[name] = hash;
  }
  const index = { version: 1, info: { base_url: '', shards_base_url: '', subdir }, shards };
  await writeFile(path.join(dir, 'repodata_shards.msgpack.zst'), await zstdCompressChecked(encode(index), SHARD_LEVEL, `${subdir}/repodata_shards.msgpack.zst`));
  // Shards of an earlier index that no name points to any more.
  for (const stale of (await readdir(dir)).filter((f) => /^[0-9a-f]{64}\.msgpack\.zst$/.test(f) && !written.has(f))) {
    await rm(path.join(dir, stale), { force: true });
  }
  return byName.size;
}

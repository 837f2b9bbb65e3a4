/** What reading CEP-16 files needs in more than one place: decoding, digests, the shard folder. */
import path from 'node:path';
import { zstdDecompressWhole } from '../archive/zstd-wasm.js';
import { TaipanError } from '../model/errors.js';
import { MSGPACK } from '../util/libraries.js';

/** `<cache>/shards`: content-addressed shards, `<sha256>.msgpack.zst`. */
export function shardDir(cacheDir: string): string {
  return path.join(cacheDir, 'shards');
}

/** A zstd-compressed msgpack document (a shard index or a shard); `source` names it in errors. */
export async function decodeMsgpackZst(bytes: Uint8Array, source: string): Promise<unknown> {
  const { decode } = MSGPACK.loaded ?? (await MSGPACK.load());
  try {
    return decode(await zstdDecompressWhole(bytes));
  } catch (error) {
    throw new TaipanError('INVALID_REPODATA', `'${source}' is not zstd-compressed msgpack: ${(error as Error).message}`, {
      cause: error,
      hint: 'the cached copy or the server file is damaged',
    });
  }
}

/** CEP-16 stores digests as bytes; repodata.json and taipan carry them as lowercase hex. */
export function toHex(value: Uint8Array | string): string {
  return typeof value === 'string' ? value.toLowerCase() : Buffer.from(value).toString('hex');
}

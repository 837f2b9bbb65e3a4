/** What reading CEP-16 files needs in more than one place: decoding, digests, the shard folder. */
import path from 'node:path';
import { zstdDecompressWhole } from '../../archive/zstd-wasm.js';
import { TaipanError } from '../../model/errors.js';
import { MSGPACK } from '../../util/libraries.js';
import { MAX_NESTING } from '../repodata-errors.js';

/** `<cache>/shards`: content-addressed shards, `<sha256>.msgpack.zst`. */
export function shardDir(cacheDir: string): string {
  return path.join(cacheDir, 'shards');
}

/** A zstd-compressed msgpack document (a shard index or a shard); `source` names it in errors. */
export async function decodeMsgpackZst(bytes: Uint8Array, source: string): Promise<unknown> {
  const { decode } = MSGPACK.loaded ?? (await MSGPACK.load());
  let value: unknown;
  try {
    value = decode(await zstdDecompressWhole(bytes));
  } catch (error) {
    throw new TaipanError('INVALID_REPODATA', `'${source}' is not zstd-compressed msgpack: ${(error as Error).message}`, {
      cause: error,
      hint: 'the cached copy or the server file is damaged',
    });
  }
  // msgpack decodes any depth without recursion; the code reading the records would not.
  if (nestedDeeperThan(value, MAX_NESTING)) {
    throw new TaipanError('INVALID_REPODATA', `'${source}' holds arrays and maps nested more than ${MAX_NESTING} levels deep`, {
      hint: 'the cached copy or the server file is damaged or hostile',
    });
  }
  return value;
}

/** True when arrays and objects in `value` nest deeper than `max` levels (walked without recursion). */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop() as [unknown, number];
    if (item === null || typeof item !== 'object' || ArrayBuffer.isView(item)) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

/** CEP-16 stores digests as bytes; repodata.json and taipan carry them as lowercase hex. */
export function toHex(value: Uint8Array | string): string {
  return typeof value === 'string' ? value.toLowerCase() : Buffer.from(value).toString('hex');
}

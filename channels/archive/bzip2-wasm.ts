/**
 * One-shot bzip2 decoding with libbzip2 compiled to WASM (@foxglove/wasm-bz2), about four
 * times faster than unbzip2-stream (pure JS). bzip2 records no decompressed size, so the
 * output room is guessed from the input and doubled while libbzip2 says it is full, up to
 * a cap; beyond the cap, or for data of several bzip2 streams (which libbzip2's one-shot
 * call would silently cut after the first), the caller streams with unbzip2-stream.
 */
import type Bzip2 from '@foxglove/wasm-bz2';
import { packageFileExists, startWithoutProcessHandlers } from './wasm-module.js';

let ready: Promise<Bzip2> | undefined;

/** Most input held for the one-shot path, and most output it produces (the WASM heap keeps its peak). */
export const BZIP2_HOLD_LIMIT = 8 * 1024 * 1024;
export const BZIP2_OUTPUT_LIMIT = 64 * 1024 * 1024;

/** The start of a bzip2 stream whose first block follows: "BZh" + level + the block magic. */
const BLOCK_MAGIC = Buffer.from([0x31, 0x41, 0x59, 0x26, 0x53, 0x59]);
/** … or an empty stream: "BZh" + level + the end-of-stream magic. */
const END_MAGIC = Buffer.from([0x17, 0x72, 0x45, 0x38, 0x50, 0x90]);

/** True when another bzip2 stream seems to start after the first (pbzip2/lbzip2 output). */
function hasLaterStream(data: Buffer): boolean {
  for (let at = data.indexOf('BZh', 1); at !== -1; at = data.indexOf('BZh', at + 1)) {
    const level = data[at + 3] as number;
    if (level < 0x31 || level > 0x39) continue;
    const next = data.subarray(at + 4, at + 10);
    if (next.equals(BLOCK_MAGIC) || next.equals(END_MAGIC)) return true;
  }
  return false;
}

/**
 * The decoded bytes, or undefined when the one-shot path does not apply (too big, several
 * streams); damaged data throws with libbzip2's name for the problem.
 */
export async function bzip2DecodeWhole(data: Buffer): Promise<Uint8Array | undefined> {
  if (data.length > BZIP2_HOLD_LIMIT || hasLaterStream(data)) return undefined;
  // Without its .wasm file (the single-file bundle an installer carries) unbzip2-stream does the work.
  ready ??= packageFileExists('@foxglove/wasm-bz2', '../wasm/module.wasm')
    ? import('@foxglove/wasm-bz2').then(({ default: module }) => startWithoutProcessHandlers(() => module.init()))
    : Promise.reject(new Error('the libbzip2 .wasm file is not installed'));
  const bzip2 = await ready.catch(() => undefined);
  if (bzip2 === undefined) return undefined;
  // Repodata JSON compresses about 10:1, tar archives of binaries rather less.
  for (let room = Math.max(256 * 1024, data.length * 12); ; room *= 2) {
    try {
      return bzip2.decompress(data, Math.min(room, BZIP2_OUTPUT_LIMIT));
    } catch (error) {
      const message = (error as Error).message;
      if (!message.includes('BZ_OUTBUFF_FULL')) throw new Error(`invalid bzip2 data: ${/\(([A-Z_]+)\)/.exec(message)?.[1] ?? message}`);
      if (room >= BZIP2_OUTPUT_LIMIT) return undefined;
    }
  }
}

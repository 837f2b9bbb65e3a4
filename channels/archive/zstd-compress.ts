/**
 * The one place that compresses zstd: every writer (packages, repodata, shards) goes
 * through this module, and each frame is proved to decode back with fzstd (a decoder
 * independent of the WASM encoder) before anyone writes it anywhere.
 */
import { TaipanError } from '../model/errors.js';
import { FZSTD } from '../util/libraries.js';
import { zstdWasm } from './zstd-wasm.js';

/** zstd frame of `data` at `level` (1..22); `target` names what is being written, for the error. */
export async function zstdCompressChecked(data: Uint8Array, level: number, target: string): Promise<Uint8Array> {
  const zstd = await zstdWasm();
  const { decompress: zstdDecompress } = await FZSTD.load();
  const compressed = zstd.compress(Buffer.from(data.buffer, data.byteOffset, data.byteLength), level);
  let roundTrip: Uint8Array | undefined;
  try {
    roundTrip = zstdDecompress(compressed);
  } catch {
    roundTrip = undefined;
  }
  if (roundTrip === undefined || !Buffer.from(roundTrip.buffer, roundTrip.byteOffset, roundTrip.byteLength).equals(Buffer.from(data.buffer, data.byteOffset, data.byteLength))) {
    throw new TaipanError('CORRUPT_ARCHIVE', `zstd produced data that does not decode back while writing '${target}'`, {
      hint: 'was @bokuweb/zstd-wasm initialised twice in this process?',
    });
  }
  return compressed;
}

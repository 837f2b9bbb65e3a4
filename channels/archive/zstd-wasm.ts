/**
 * The one handle on @bokuweb/zstd-wasm (libzstd compiled to WASM). It is a process-wide
 * singleton that silently emits corrupt frames if its `init()` runs twice, so every user
 * (the compressor and the one-shot decompressor) awaits the same initialisation here.
 *
 * Decoding with it is about four times faster than fzstd (pure JS), but it has no
 * streaming API and its heap only grows: it is used for frames whose header declares a
 * modest size, and fzstd streams everything else (see decompress.ts).
 *
 * Both libraries are loaded on first use, not with this module: most runs decompress nothing.
 */
import type zstdModule from '@bokuweb/zstd-wasm';
import { FZSTD } from '../util/libraries.js';
import { packageFileExists, startWithoutProcessHandlers } from './wasm-module.js';

type ZstdWasm = typeof zstdModule;

let ready: Promise<ZstdWasm> | undefined;

/** The initialised module. */
export async function zstdWasm(): Promise<ZstdWasm> {
  ready ??= packageFileExists('@bokuweb/zstd-wasm', 'zstd.wasm')
    ? import('@bokuweb/zstd-wasm').then(async ({ default: zstd }) => {
        await startWithoutProcessHandlers(() => zstd.init());
        return zstd;
      })
    : Promise.reject(new Error('the libzstd .wasm file of @bokuweb/zstd-wasm is not installed'));
  return ready;
}

/** Largest declared frame size decoded in one piece by WASM (its heap keeps its peak size). */
export const ONE_SHOT_LIMIT = 32 * 1024 * 1024;

const MAGIC = 0xfd2fb528;

/**
 * The decompressed size a zstd frame header declares (RFC 8878 §3.1.1.1), or undefined
 * when the header is incomplete, is not a zstd frame, or does not declare a size.
 */
export function declaredContentSize(header: Uint8Array): number | undefined {
  if (header.length < 6) return undefined;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (view.getUint32(0, true) !== MAGIC) return undefined;
  const descriptor = header[4] as number;
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const dictIdSize = [0, 1, 2, 4][descriptor & 3] as number;
  const fcsSize = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  if (fcsSize === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + dictIdSize;
  if (header.length < at + fcsSize) return undefined;
  switch (fcsSize) {
    case 1:
      return view.getUint8(at);
    case 2:
      return view.getUint16(at, true) + 256;
    case 4:
      return view.getUint32(at, true);
    default:
      return Number(view.getBigUint64(at, true));
  }
}

/** libzstd's ZSTD_ErrorCode values this module tells apart. */
const DST_SIZE_TOO_SMALL = 70;
const ZSTD_ERROR_TEXT: Readonly<Record<number, string>> = {
  20: 'corrupted data',
  22: 'checksum mismatch',
  72: 'the data is cut short or does not match the size its header declares',
};

/**
 * Decode zstd data in one piece with WASM when its first frame declares a size within the
 * limit. undefined when that path does not apply: no declared size, too large, or more
 * than one frame (libzstd then runs out of the room the first frame declared); the caller
 * streams with fzstd instead. Damaged data throws, naming what libzstd found. WASM never
 * allocates more than the header declared, so a header that understates cannot balloon it.
 */
export async function zstdDecodeDeclared(data: Uint8Array): Promise<Uint8Array | undefined> {
  const declared = declaredContentSize(data);
  if (declared === undefined || declared > ONE_SHOT_LIMIT) return undefined;
  // Without its .wasm file (the single-file bundle an installer carries) fzstd does the work.
  const wasm = await zstdWasm().catch(() => undefined);
  if (wasm === undefined) return undefined;
  try {
    return wasm.decompress(data);
  } catch (error) {
    // The module reports `ZSTD_isError` results as "... with code -N".
    const code = -Number(/code (-?\d+)/.exec((error as Error).message)?.[1] ?? NaN);
    if (code === DST_SIZE_TOO_SMALL) return undefined;
    throw new Error(`invalid zstd data: ${ZSTD_ERROR_TEXT[code] ?? `libzstd error ${code}`}`);
  }
}

/** Decode whole zstd data (small inputs such as CEP-16 shards). */
export async function zstdDecompressWhole(data: Uint8Array): Promise<Uint8Array> {
  return (await zstdDecodeDeclared(data)) ?? (FZSTD.loaded ?? (await FZSTD.load())).decompress(data);
}

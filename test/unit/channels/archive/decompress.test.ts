/**
 * Each decoder's two paths (WASM one-shot for modest inputs, a JS streaming decoder for the
 * rest) must give the same bytes, and damaged or lying input must end in an error or in
 * the full, correct output, never in silently wrong data.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Bunzip2Stream, ZstdDecompressStream } from '../../../../channels/archive/decompress.js';
import { zstdCompressChecked } from '../../../../channels/archive/zstd-compress.js';
import { declaredContentSize, ONE_SHOT_LIMIT, zstdDecompressWhole } from '../../../../channels/archive/zstd-wasm.js';
import { describeShared, sharedPath } from '../../../helpers/shared.js';

/** Decode through a stream, fed in chunks of `chunkSize`. */
async function streamDecode(data: Uint8Array, chunkSize = 7919, decoder: Transform = new ZstdDecompressStream()): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const pieces = function* () {
    for (let i = 0; i < data.length; i += chunkSize) yield Buffer.from(data.subarray(i, i + chunkSize));
  };
  await pipeline(Readable.from(pieces()), decoder, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

/** Some compressible bytes that are not all alike. */
function sample(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >> 7)) % 97;
  return out;
}

/** The bzip2 CLI's output for `data`. */
function bzip2(data: Buffer): Buffer {
  const result = spawnSync('bzip2', ['-c', '-9'], { input: data, maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`bzip2 failed: ${result.stderr}`);
  return result.stdout;
}

/** The zstd CLI without a content size in the header (as `zstd -c < file` writes). */
function cliCompressWithoutSize(data: Buffer): Buffer | undefined {
  const result = spawnSync('zstd', ['-q', '-c', '--no-content-size'], { input: data });
  return result.status === 0 ? result.stdout : undefined;
}

describe('the WASM decoders', () => {
  test('starting them leaves no process-wide exception handlers behind (emscripten installs rethrowing ones)', async () => {
    const before = [process.listeners('uncaughtException').length, process.listeners('unhandledRejection').length];
    const data = sample(100_000);
    expect((await streamDecode(await zstdCompressChecked(data, 3, 'test'))).equals(data)).toBe(true);
    expect((await streamDecode(bzip2(data), 4096, new Bunzip2Stream())).equals(data)).toBe(true);
    expect([process.listeners('uncaughtException').length, process.listeners('unhandledRejection').length]).toEqual(before);
  });
});

describe('zstd decoding', () => {
  const original = sample(300_000);

  test('a frame that declares its size decodes the same through both entry points', async () => {
    const frame = await zstdCompressChecked(original, 3, 'test');
    expect(declaredContentSize(frame)).toBe(original.length);
    expect(Buffer.from(await zstdDecompressWhole(frame)).equals(original)).toBe(true);
    expect((await streamDecode(frame)).equals(original)).toBe(true);
    expect((await streamDecode(frame, 5)).equals(original)).toBe(true);
  });

  test('a frame without a declared size streams through fzstd', async () => {
    const frame = cliCompressWithoutSize(original);
    if (frame === undefined) {
      console.log('skipped: the zstd command is not installed here');
      return;
    }
    expect(declaredContentSize(frame)).toBeUndefined();
    expect((await streamDecode(frame)).equals(original)).toBe(true);
  });

  test('two concatenated frames decode to both contents', async () => {
    const second = sample(1000).reverse();
    const frames = Buffer.concat([await zstdCompressChecked(original, 3, 'a'), await zstdCompressChecked(second, 3, 'b')]);
    const expected = Buffer.concat([original, second]);
    expect((await streamDecode(frames)).equals(expected)).toBe(true);
    expect(Buffer.from(await zstdDecompressWhole(frames)).equals(expected)).toBe(true);
  });

  test('a header that understates the size is an error, never a short output', async () => {
    const frame = Buffer.from(await zstdCompressChecked(original, 3, 'test'));
    // Single-segment frame with a 4-byte size field: descriptor bits 7-6 = 2.
    expect(frame[4]! >> 6).toBe(2);
    frame.writeUInt32LE(1000, 5);
    expect(declaredContentSize(frame)).toBe(1000);
    await expect(streamDecode(frame)).rejects.toThrow(/does not match the size its header declares/);
    await expect(zstdDecompressWhole(frame)).rejects.toThrow(/does not match the size its header declares/);
  });

  test('a truncated frame is an error on either path', async () => {
    const frame = await zstdCompressChecked(original, 3, 'test');
    const cut = frame.subarray(0, frame.length - 100);
    await expect(streamDecode(cut)).rejects.toThrow(/zstd|EOF/i);
    await expect(zstdDecompressWhole(cut)).rejects.toThrow();
    const tiny = frame.subarray(0, 10);
    await expect(streamDecode(tiny)).rejects.toThrow();
  });

  test('bytes that are not zstd at all are an error', async () => {
    await expect(streamDecode(Buffer.from('{"not": "zstd"} and more bytes to pass the header'))).rejects.toThrow(/invalid zstd data/);
  });

  test('a size above the one-shot limit is left to the streaming decoder', () => {
    const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0]);
    header.writeUInt32LE(ONE_SHOT_LIMIT + 1, 5);
    expect(declaredContentSize(header)).toBe(ONE_SHOT_LIMIT + 1);
  });
});

describe('bzip2 decoding', () => {
  const original = sample(300_000);
  const bunzip2 = (data: Uint8Array, chunkSize?: number) => streamDecode(data, chunkSize, new Bunzip2Stream());

  test('one stream decodes to the original, in any chunking', async () => {
    const compressed = bzip2(original);
    expect((await bunzip2(compressed)).equals(original)).toBe(true);
    expect((await bunzip2(compressed, 3)).equals(original)).toBe(true);
  });

  test('several concatenated streams (pbzip2 style) decode to all of them, not just the first', async () => {
    const second = sample(5000).reverse();
    const joined = Buffer.concat([bzip2(original), bzip2(second)]);
    expect((await bunzip2(joined)).equals(Buffer.concat([original, second]))).toBe(true);
  });

  test('a very high ratio (the output room has to grow) still decodes whole', async () => {
    const zeros = Buffer.alloc(20 * 1024 * 1024);
    const compressed = bzip2(zeros);
    expect(compressed.length).toBeLessThan(100_000);
    expect((await bunzip2(compressed)).equals(zeros)).toBe(true);
  });

  test('truncated or foreign data is an error', async () => {
    const compressed = bzip2(original);
    await expect(bunzip2(compressed.subarray(0, compressed.length - 50))).rejects.toThrow();
    await expect(bunzip2(Buffer.from('not bzip2 at all, just some text'))).rejects.toThrow();
  });
});

describeShared('zstd decoding of real repodata', () => {
  test("conda-forge-subset's linux-64 repodata.json.zst decodes to repodata.json", async () => {
    const dir = sharedPath('fixtures', 'channels', 'conda-forge-subset', 'linux-64');
    const [zst, json] = await Promise.all([readFile(`${dir}/repodata.json.zst`), readFile(`${dir}/repodata.json`)]);
    expect(declaredContentSize(zst)).toBe(json.length);
    expect((await streamDecode(zst, 65536)).equals(json)).toBe(true);
  });

  test("conda-forge-subset's linux-64 repodata.json.bz2 decodes to repodata.json", async () => {
    const dir = sharedPath('fixtures', 'channels', 'conda-forge-subset', 'linux-64');
    const [bz2, json] = await Promise.all([readFile(`${dir}/repodata.json.bz2`), readFile(`${dir}/repodata.json`)]);
    expect((await streamDecode(bz2, 65536, new Bunzip2Stream())).equals(json)).toBe(true);
  });
});

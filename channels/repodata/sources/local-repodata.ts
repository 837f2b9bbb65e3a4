/**
 * Repodata of channels on the local disk (a folder or a file:// URL): `<subdir>/repodata.json`,
 * else its `.zst` or `.bz2` form, indexed lazily exactly as downloaded repodata is. The plain file
 * is scanned in place and read back by offset; a compressed one is decompressed into memory.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Bunzip2Stream, ZstdDecompressStream } from '../../archive/decompress.js';
import type { Channel } from '../../model/channel.js';
import { TaipanError } from '../../model/errors.js';
import { LazyRepodata } from '../scan/lazy-repodata.js';
import { unreadableRepodata } from '../repodata-errors.js';

const LOCAL_VARIANTS = [
  { suffix: '', decompress: undefined },
  { suffix: '.zst', decompress: () => new ZstdDecompressStream() },
  { suffix: '.bz2', decompress: () => new Bunzip2Stream() },
] as const;

/** The subdir's repodata, or undefined when the channel has no such subdir. */
export async function loadLocalSubdir(channel: Channel, subdir: string): Promise<LazyRepodata | undefined> {
  const root = channel.localPath();
  if (root === undefined) {
    throw new TaipanError('INVALID_CHANNEL', `channel '${channel.baseUrl}' is not a local folder`);
  }
  for (const variant of LOCAL_VARIANTS) {
    const file = path.join(root, subdir, `repodata.json${variant.suffix}`);
    if (variant.decompress === undefined) {
      const lazy = fromPlainFile(file, channel, subdir);
      if (lazy === undefined) continue;
      return lazy;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw unreadableRepodata(file, error);
    }
    return LazyRepodata.fromBytes(await decompressAll(bytes, variant.decompress(), file), channel, subdir, file);
  }
  return undefined;
}

/** The plain repodata.json, indexed in place (read back by offset, never held whole); undefined when absent. */
function fromPlainFile(file: string, channel: Channel, subdir: string): LazyRepodata | undefined {
  try {
    return LazyRepodata.fromFile(file, channel, subdir, file);
  } catch (error) {
    if (error instanceof TaipanError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadableRepodata(file, error);
  }
}

async function decompressAll(bytes: Buffer, transform: Transform, file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    await pipeline(Readable.from([bytes]), transform, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) chunks.push(chunk);
    });
  } catch (error) {
    throw new TaipanError('INVALID_REPODATA', `cannot decompress '${file}': ${(error as Error).message}`, { cause: error });
  }
  return Buffer.concat(chunks);
}

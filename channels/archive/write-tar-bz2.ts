/** Writer for `.tar.bz2` packages (deterministic; see tar-pack.ts for the layout facts). */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { bzip2CompressFile } from './bzip2-compress.js';
import { listPackageFiles, packTar, type WriteCommonOptions } from './tar-pack.js';

export interface WriteTarBz2Options extends WriteCommonOptions {
  /** bzip2 block size 1..9 (default 9, like conda-build). */
  compressionLevel?: number;
}

/**
 * Write `srcDir` (an `info/` folder plus the payload) as a `.tar.bz2` at `outPath`: one tar
 * with `info/` entries first. The tar is staged in a temporary file next to `outPath` and
 * the result renamed into place, so `outPath` never holds a partial package.
 */
export async function writeTarBz2Package(srcDir: string, outPath: string, options: WriteTarBz2Options = {}): Promise<void> {
  const files = await listPackageFiles(srcDir);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tarPath = `${outPath}.${tag}.tar`;
  const partPath = `${outPath}.${tag}.partial`;
  try {
    await pipeline(await packTar(srcDir, [...files.info, ...files.pkg], options), createWriteStream(tarPath));
    await bzip2CompressFile(tarPath, partPath, options.compressionLevel ?? 9);
    await rename(partPath, outPath);
  } finally {
    await rm(tarPath, { force: true });
    await rm(partPath, { force: true });
  }
}

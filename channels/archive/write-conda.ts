/**
 * Writer for `.conda` packages, with conda's member layout: an uncompressed (stored) zip
 * holding `metadata.json` = `{"conda_pkg_format_version": 2}`, then `pkg-<stem>.tar.zst`,
 * then `info-<stem>.tar.zst` (conda-package-handling 2 and rattler put info last), each zip
 * entry with one fixed DOS timestamp. The inner tars are deterministic (tar-pack.ts).
 *
 * zstd: @bokuweb/zstd-wasm only offers one-shot compression, so each tarball is built in
 * memory and compressed as a single frame. A multi-frame stream would allow streaming, but
 * conda-package-streaming reads members with python-zstandard's `stream_reader`, which
 * stops at the end of the first frame by default — so one frame it is. Package size is
 * therefore bounded by memory (and the 32-bit wasm heap, ~2 GB tar) when *writing*.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { archiveStem, detectArchiveFormat } from './format.js';
import { zstdCompressChecked } from './zstd-compress.js';
import { TaipanError } from '../model/errors.js';
import { DEFAULT_PACKAGE_MTIME, listPackageFiles, packTar, type WriteCommonOptions } from './tar-pack.js';

export interface WriteCondaOptions extends WriteCommonOptions {
  /** zstd level 1..22 (default 19, conda-package-handling's). */
  compressionLevel?: number;
}

/** Exactly what conda-package-handling writes (Python's json.dumps). */
export const CONDA_METADATA_JSON = '{"conda_pkg_format_version": 2}';

/**
 * Write `srcDir` (an `info/` folder plus the payload) as a `.conda` at `outPath`; the member
 * names use the file name's stem. Written to a temporary file and renamed into place.
 */
export async function writeCondaPackage(srcDir: string, outPath: string, options: WriteCondaOptions = {}): Promise<void> {
  if (detectArchiveFormat(outPath) !== 'conda') {
    throw new TaipanError('INVALID_ARGUMENT', `cannot write a .conda package to '${outPath}': the name must end with .conda`);
  }
  const stem = archiveStem(outPath);
  const level = options.compressionLevel ?? 19;
  const files = await listPackageFiles(srcDir);
  const pkg = await zstdCompressChecked(await (await packTar(srcDir, files.pkg, options)).concat(), level, outPath);
  const info = await zstdCompressChecked(await (await packTar(srcDir, files.info, options)).concat(), level, outPath);

  const mtime = options.mtime ?? DEFAULT_PACKAGE_MTIME;
  // yazl derives the DOS date/time from *local* time fields: build a Date whose local
  // fields are the UTC fields of `mtime`, so the bytes do not depend on the time zone.
  const dosTime = new Date(
    mtime.getUTCFullYear(),
    mtime.getUTCMonth(),
    mtime.getUTCDate(),
    mtime.getUTCHours(),
    mtime.getUTCMinutes(),
    mtime.getUTCSeconds(),
  );
  const entryOptions = { compress: false, mtime: dosTime, mode: 0o100644, forceDosTimestamp: true };
  const { default: yazl } = await import('yazl');
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(CONDA_METADATA_JSON), 'metadata.json', entryOptions);
  zip.addBuffer(Buffer.from(pkg.buffer, pkg.byteOffset, pkg.byteLength), `pkg-${stem}.tar.zst`, entryOptions);
  zip.addBuffer(Buffer.from(info.buffer, info.byteOffset, info.byteLength), `info-${stem}.tar.zst`, entryOptions);
  zip.end();

  const partPath = `${outPath}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  try {
    await pipeline(zip.outputStream, createWriteStream(partPath));
    await rename(partPath, outPath);
  } finally {
    await rm(partPath, { force: true });
  }
}

/**
 * Writing a packed environment as `.tar.gz`, `.tar.zst` or `.zip`: the prefix's own
 * files (read from disk as they are, symlinks kept as symlinks, modes and mtimes kept)
 * plus a few generated ones (scripts, the rewrite plan) given as buffers, dated MTIME.
 * The mtimes are kept because a `.pyc` is valid only while its source has the mtime it
 * records: with one date for every file, each unpacked module would be compiled again.
 * Two packs of an unchanged environment are still byte for byte the same.
 */
import { createWriteStream } from 'node:fs';
import { lstat, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Header, Pack, ReadEntry } from 'tar';
import yazl from 'yazl';
import { TaipanError } from '../../channels/model/errors.js';
import { zstdCompressChecked } from '../../channels/archive/index.js';

export type PackFormat = 'tar.gz' | 'tar.zst' | 'zip';

export type PackEntry =
  /** A file or symlink of `root`, stored as it is. */
  | { readonly kind: 'disk'; readonly path: string }
  /** Generated content stored at `path` with `mode`. */
  | { readonly kind: 'buffer'; readonly path: string; readonly data: Buffer; readonly mode: number };

/** The format an output name asks for. */
export function packFormatOf(output: string): PackFormat {
  if (/\.(tar\.gz|tgz)$/i.test(output)) return 'tar.gz';
  if (/\.(tar\.zst|tzst)$/i.test(output)) return 'tar.zst';
  if (/\.zip$/i.test(output)) return 'zip';
  throw new TaipanError('INVALID_ARGUMENT', `cannot tell the archive format of '${output}'`, { hint: 'name the output *.tar.gz, *.tar.zst or *.zip' });
}

const MTIME = new Date(Date.UTC(2023, 0, 1));

export async function writePackArchive(root: string, entries: readonly PackEntry[], output: string, format: PackFormat): Promise<void> {
  if (format === 'zip') return writeZip(root, entries, output);
  const pack = new Pack({ cwd: root, portable: true, noDirRecurse: true, follow: false, strict: true });
  for (const entry of entries) {
    if (entry.kind === 'disk') {
      pack.add(entry.path);
    } else {
      // A tar entry made in memory: node-tar packs ReadEntry objects as they are.
      const read = new ReadEntry(new Header({ path: entry.path, mode: entry.mode, size: entry.data.length, type: 'File', mtime: MTIME }));
      read.end(entry.data);
      pack.add(read);
    }
  }
  pack.end();
  if (format === 'tar.gz') {
    await pipeline(pack, createGzip({ level: 6 }), createWriteStream(output));
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  await writeFile(output, await zstdCompressChecked(Buffer.concat(chunks), 10, output));
}

async function writeZip(root: string, entries: readonly PackEntry[], output: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    if (entry.kind === 'buffer') {
      zip.addBuffer(entry.data, entry.path, { mode: 0o100000 | entry.mode, mtime: MTIME });
      continue;
    }
    const full = path.join(root, entry.path);
    const info = await lstat(full);
    if (info.isSymbolicLink()) {
      // zip stores a symlink as its target text with the link bit in the mode (Info-ZIP's way).
      zip.addBuffer(Buffer.from(await readlink(full)), entry.path, { mode: 0o120777, mtime: info.mtime });
    } else if (info.isDirectory()) {
      zip.addEmptyDirectory(entry.path, { mtime: info.mtime });
    } else {
      // unzip dates files from the DOS field (2-second steps, local time; yazl puts the exact
      // "UT" second in the central directory only), so a .pyc may be compiled again: tar is exact.
      zip.addBuffer(await readFile(full), entry.path, { mode: 0o100000 | (info.mode & 0o7777), mtime: info.mtime });
    }
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(output));
}

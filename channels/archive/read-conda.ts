/**
 * Reader for `.conda` packages: an outer zip holding `info-<stem>.tar.zst` (the `info/`
 * folder), `pkg-<stem>.tar.zst` (everything else) and `metadata.json`. The zip is read with
 * yauzl through its central directory and random access reads, so only the member being
 * decompressed is in flight — never the whole file.
 *
 * Members are located by their *base name* (`info-*.tar.zst`, `pkg-*.tar.zst`), ignoring
 * any leading folders. That is what rattler (pixi, mamba 2) does — it matches on the zip
 * entry's file name — and it is what makes the re-zipped
 * `ca-certificates-2024.7.4-hbcca054_0.conda` fixture (members under `Users/.../`) readable
 * there; conda-package-streaming instead looks for names *starting* with `info-<stem>` and
 * fails on it. The folder prefix carries no package content, so accepting it costs no
 * safety, while two candidates for the same component are refused as ambiguous. Like
 * rattler we do not require the member stem to equal the file's stem: the package cache
 * downloads to temporary names.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import type { Entry, ZipFile } from 'yauzl';
import { corruptArchive, isSystemError } from './errors.js';
import { ZstdDecompressStream } from './decompress.js';
import { forEachTarEntry, type SkippedEntry, type TarEntryVisitor, type VisitResult } from './tar-entries.js';

/** The two tarballs of a `.conda`. */
export type CondaComponent = 'info' | 'pkg';

/** An opened `.conda`: the zip and its located members. Call `close()` when done. */
export interface CondaArchive {
  readonly archivePath: string;
  /** The zip member per component (`pkg` is absent in info-only packages). */
  readonly members: Partial<Record<CondaComponent, Entry>>;
  /** `metadata.json` member, when present. */
  readonly metadata?: Entry;
  /** Decompressed tar bytes of one component. */
  openComponent(component: CondaComponent): Promise<Readable>;
  close(): void;
}

const COMPONENT_PATTERN: Readonly<Record<CondaComponent, RegExp>> = {
  info: /^info-.+\.tar\.zst$/,
  pkg: /^pkg-.+\.tar\.zst$/,
};

/** Open a `.conda` and locate its members; CORRUPT_ARCHIVE if it is not a usable zip. */
export async function openConda(archivePath: string): Promise<CondaArchive> {
  const { default: yauzl } = await import('yauzl');
  let zip: ZipFile;
  try {
    zip = await new Promise<ZipFile>((resolve, reject) =>
      // lazyEntries: walk the central directory at our pace; autoClose off: we open
      // member streams after the listing.
      yauzl.open(archivePath, { lazyEntries: true, autoClose: false }, (err, file) => (err ? reject(err) : resolve(file))),
    );
  } catch (err) {
    if (isSystemError(err)) throw err;
    throw corruptArchive(archivePath, `not a readable zip file (${message(err)})`, {}, err);
  }

  try {
    const entries = await listEntries(zip, archivePath);
    const members: Partial<Record<CondaComponent, Entry>> = {};
    let metadata: Entry | undefined;
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue; // folder records of re-zipped packages
      const base = path.posix.basename(entry.fileName);
      if (base === 'metadata.json') metadata ??= entry;
      for (const component of ['info', 'pkg'] as const) {
        if (!COMPONENT_PATTERN[component].test(base)) continue;
        const previous = members[component];
        if (previous !== undefined) {
          throw corruptArchive(
            archivePath,
            `two ${component}-*.tar.zst members ('${previous.fileName}' and '${entry.fileName}'); cannot tell which one is the package`,
          );
        }
        members[component] = entry;
      }
    }
    if (members.info === undefined) {
      throw corruptArchive(archivePath, 'no info-*.tar.zst member: this is not a conda package');
    }
    return {
      archivePath,
      members,
      ...(metadata === undefined ? {} : { metadata }),
      openComponent: (component) => openMember(zip, archivePath, members[component], component),
      close: () => zip.close(),
    };
  } catch (err) {
    zip.close();
    throw err;
  }
}

/**
 * Visit the tar entries of the given components in order (default: `pkg` then `info`, so
 * that `info/` from the info tarball wins if the payload also carries an `info/` file).
 * A component the package does not have (no `pkg` in info-only packages) is skipped.
 */
export async function forEachCondaEntry(
  archivePath: string,
  visit: (entry: Parameters<TarEntryVisitor>[0], component: CondaComponent) => ReturnType<TarEntryVisitor>,
  components: readonly CondaComponent[] = ['pkg', 'info'],
  onSkip?: (skipped: SkippedEntry) => void,
): Promise<VisitResult> {
  const conda = await openConda(archivePath);
  try {
    for (const component of components) {
      const member = conda.members[component];
      if (member === undefined) continue;
      const stream = await conda.openComponent(component);
      const result = await forEachTarEntry(stream, { archivePath, member: member.fileName, onSkip }, (entry) => visit(entry, component));
      if (result === 'stop') return 'stop';
    }
    return undefined;
  } finally {
    conda.close();
  }
}

async function listEntries(zip: ZipFile, archivePath: string): Promise<Entry[]> {
  return new Promise<Entry[]>((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (err: unknown) => reject(corruptArchive(archivePath, `bad zip directory (${message(err)})`, {}, err)));
    zip.readEntry();
  });
}

async function openMember(zip: ZipFile, archivePath: string, entry: Entry | undefined, component: CondaComponent): Promise<Readable> {
  if (entry === undefined) throw corruptArchive(archivePath, `no ${component}-*.tar.zst member`);
  let raw: Readable;
  try {
    raw = await new Promise<Readable>((resolve, reject) =>
      zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))),
    );
  } catch (err) {
    if (isSystemError(err)) throw err;
    throw corruptArchive(archivePath, `cannot read the member (${message(err)})`, { member: entry.fileName }, err);
  }
  // Errors of the zip read (CRC/size mismatch) or of zstd destroy the returned stream.
  return pipeline(raw, new ZstdDecompressStream(), () => undefined);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

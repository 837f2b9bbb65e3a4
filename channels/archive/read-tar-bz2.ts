/** Streaming reader for `.tar.bz2` packages: file → (hash) → bunzip2 → tar entries. */
import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { Bunzip2Stream } from './decompress.js';
import type { HashingStream } from './hash.js';
import { forEachTarEntry, type SkippedEntry, type TarEntryVisitor, type VisitResult } from './tar-entries.js';

/**
 * The decompressed tar bytes of a `.tar.bz2`, as a stream. When `hasher` is given the
 * compressed bytes go through it, so the archive's digests come for free with the read.
 */
export function openTarBz2(archivePath: string, hasher?: HashingStream): Readable {
  const noop = (): void => undefined;
  const file = createReadStream(archivePath, { highWaterMark: 256 * 1024 });
  // Errors of any stage destroy the last stream with that error, which the consumer sees.
  return hasher === undefined
    ? pipeline(file, new Bunzip2Stream(), noop)
    : pipeline(file, hasher, new Bunzip2Stream(), noop);
}

/** Visit every tar entry of a `.tar.bz2` package, in archive order. */
export async function forEachTarBz2Entry(
  archivePath: string,
  visit: TarEntryVisitor,
  options: { hasher?: HashingStream; onSkip?: (skipped: SkippedEntry) => void } = {},
): Promise<VisitResult> {
  return forEachTarEntry(openTarBz2(archivePath, options.hasher), { archivePath, onSkip: options.onSkip }, visit);
}

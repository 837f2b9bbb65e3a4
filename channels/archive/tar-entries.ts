/**
 * Ordered, back-pressured iteration over the entries of a tar byte stream, on node-tar's
 * Parser. Each entry is handed to an async visitor and the next one is only taken once the
 * visitor's promise settled, so filesystem effects happen in archive order (what makes
 * "symlink, then a file through it" checkable). Data that is not a valid tar (bad checksum,
 * truncated, not a tar at all) ends as CORRUPT_ARCHIVE naming the archive and member.
 */
import type { Readable } from 'node:stream';
import type { ReadEntry } from 'tar';
import { isTaipanError } from '../model/errors.js';
import { corruptArchive, isSystemError } from './errors.js';
import { TAR } from '../util/libraries.js';

/** What a visitor may return: 'stop' ends the iteration early (the rest is not read). */
export type VisitResult = void | 'stop';

/** Called once per tar entry, in order. It may read the entry's body; unread bodies are skipped. */
export type TarEntryVisitor = (entry: ReadEntry) => Promise<VisitResult> | VisitResult;

/** Names the archive (and `.conda` member) a tar stream comes from, for error messages. */
export interface TarSource {
  archivePath: string;
  member?: string;
  /** Told about entries that are skipped rather than fatal (see {@link SkippedEntry}). */
  onSkip?: (skipped: SkippedEntry) => void;
}

/**
 * An entry left out. The one case: a symlink with an empty target. GNU tar and Python's
 * tarfile (conda) report it and go on with the rest, and such packages exist
 * (zlib-1.2.11-h1de35cc_3.conda, a transmuted osx-64 package) — so it is skipped, not fatal.
 */
export interface SkippedEntry {
  path: string;
  reason: string;
  member?: string;
}

/**
 * Visit every entry of the tar carried by `stream` (already decompressed). Resolves with
 * 'stop' when the visitor stopped early, otherwise when the tar ended. `stream` is
 * destroyed on early stop or failure.
 */
export async function forEachTarEntry(stream: Readable, source: TarSource, visit: TarEntryVisitor): Promise<VisitResult> {
  // node-tar is imported by the first call; later calls start reading `stream` without a pause.
  const { Parser } = TAR.loaded ?? (await TAR.load());
  // strict: node-tar's warnings (checksum failure, truncated input, unrecognised format)
  // become errors; zstd: false because the bytes given here are already decompressed.
  const parser = new Parser({ strict: true, zstd: false, brotli: false });
  const queue: ReadEntry[] = [];
  let failure: unknown;
  let ended = false;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeFeeder: (() => void) | undefined;
  const poke = (): void => {
    const consumer = wakeConsumer;
    const feeder = wakeFeeder;
    wakeConsumer = undefined;
    wakeFeeder = undefined;
    consumer?.();
    feeder?.();
  };
  const fail = (err: unknown): void => {
    failure ??= err;
    poke();
  };

  parser.on('entry', (entry: ReadEntry) => {
    sawData = true;
    queue.push(entry);
    poke();
  });
  parser.on('end', () => {
    ended = true;
    poke();
  });
  parser.on('drain', poke);

  // node-tar calls a tar without entries "Unrecognized archive format"; GNU tar and
  // Python's tarfile accept one made only of end-of-archive zero blocks, and conda's
  // builders write exactly that as the pkg tarball of a package without payload.
  let sawData = false;
  let onlyZeros = true;
  parser.on('error', (err: Error & { code?: string }) => {
    if (err.code === 'TAR_BAD_ARCHIVE' && /Unrecognized archive format/.test(err.message) && onlyZeros && !sawData) {
      return;
    }
    const header = (err as { header?: { path?: string; type?: string } }).header;
    if (err.code === 'TAR_ENTRY_INVALID' && /linkpath required/.test(err.message) && header?.type === 'SymbolicLink') {
      sawData = true;
      source.onSkip?.({ path: header.path ?? '', reason: 'symlink with an empty target', member: source.member });
      return;
    }
    fail(err);
  });

  const feeding = (async () => {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (failure !== undefined || stopped) return;
        if (onlyZeros && chunk.some((byte) => byte !== 0)) onlyZeros = false;
        if (!parser.write(chunk)) {
          // Wait for the parser (i.e. the visitor reading the current entry) to catch up.
          await new Promise<void>((resolve) => (wakeFeeder = resolve));
        }
      }
      if (failure === undefined && !stopped) parser.end();
    } catch (err) {
      fail(err);
    }
  })();

  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      const entry = queue.shift();
      if (entry !== undefined) {
        const result = await visit(entry);
        if (result === 'stop') {
          stopped = true;
          return 'stop';
        }
        // Skip whatever body the visitor left unread so the parser can move on.
        if (!entry.emittedEnd) entry.resume();
        continue;
      }
      if (ended) return undefined;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
  } catch (err) {
    // Our own errors and operating-system errors (ENOENT, EACCES, ENOSPC...) are not about
    // the archive's bytes: pass them through unchanged.
    if (isTaipanError(err) || isSystemError(err)) throw err;
    throw corruptArchive(source.archivePath, describeTarError(err), { member: source.member }, err);
  } finally {
    stopped = true;
    if (!stream.destroyed) stream.destroy();
    poke();
    await feeding;
  }
}

function describeTarError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const entry = (err as { entry?: { path?: string } }).entry?.path;
  return entry === undefined ? err.message : `${err.message} (at '${entry}')`;
}

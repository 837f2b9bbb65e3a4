/**
 * Ordered, back-pressured iteration over the entries of a tar byte stream, on node-tar's
 * Parser. Each entry is handed to an async visitor and the next one is only taken once the
 * visitor's promise settled, so filesystem effects happen in archive order (what makes
 * "symlink, then a file through it" checkable). Data that is not a valid tar (bad checksum,
 * truncated, not a tar at all) ends as CORRUPT_ARCHIVE naming the archive and member.
 */
import type { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { isTaipanError } from '../model/errors.js';
import { corruptArchive, isSystemError } from './errors.js';

/** What a visitor may return: 'stop' ends the iteration early (the rest is not read). */
export type VisitResult = void | 'stop';

/** Called once per tar entry, in order. It may read the entry's body; unread bodies are skipped. */
export type TarEntryVisitor = (entry: ReadEntry) => Promise<VisitResult> | VisitResult;

/** Names the archive (and `.conda` member) a tar stream comes from, for error messages. */
export interface TarSource {
  archivePath: string;
  member?: string;
}

/**
 * Visit every entry of the tar carried by `stream` (already decompressed). Resolves with
 * 'stop' when the visitor stopped early, otherwise when the tar ended. `stream` is
 * destroyed on early stop or failure.
 */
export async function forEachTarEntry(stream: Readable, source: TarSource, visit: TarEntryVisitor): Promise<VisitResult> {
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
    queue.push(entry);
    poke();
  });
  parser.on('error', fail);
  parser.on('end', () => {
    ended = true;
    poke();
  });
  parser.on('drain', poke);

  const feeding = (async () => {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (failure !== undefined || stopped) return;
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

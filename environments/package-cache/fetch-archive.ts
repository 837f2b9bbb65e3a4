/**
 * Bringing a package archive into the cache folder: copied from a local channel for now
 * (the HTTP downloader arrives with remote channels). The file lands under a temporary
 * name and is renamed only once complete and verified, so a half-copied archive is
 * never mistaken for a good one.
 */
import { copyFile, rename, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TaipanError } from '../../channels/model/errors.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { redactUrl } from '../../channels/model/channel.js';
import { hashFile } from '../../channels/archive/index.js';

export async function fetchArchive(record: RepoDataRecord, destination: string): Promise<void> {
  const partial = `${destination}.partial-${process.pid}`;
  try {
    if (!record.url.startsWith('file://')) {
      throw new TaipanError('DOWNLOAD_FAILED', `cannot download '${redactUrl(record.url)}': only local channels are read yet`, {
        hint: 'use a local channel folder or a file:// URL',
      });
    }
    const source = fileURLToPath(record.url);
    try {
      await copyFile(source, partial);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new TaipanError(
        code === 'ENOENT' ? 'PACKAGE_NOT_FOUND' : 'DOWNLOAD_FAILED',
        code === 'ENOENT'
          ? `package file '${source}' is missing: the channel's repodata lists '${record.fn}' but the channel does not hold it`
          : `cannot read package file '${source}': ${(error as Error).message}`,
        { cause: error, hint: code === 'ENOENT' ? 'the channel index is out of date; re-index the channel, or use --no-deps if the dependency is installed another way' : undefined },
      );
    }
    await verifyArchive(record, partial);
    await rename(partial, destination);
  } finally {
    await rm(partial, { force: true });
  }
}

/** Checks the archive against the record's sha256 (or md5 when that is all there is). */
export async function verifyArchive(record: RepoDataRecord, file: string): Promise<void> {
  if (!record.sha256 && !record.md5) return;
  const actual = await hashFile(file);
  const [kind, expected, got] = record.sha256 ? ['sha256', record.sha256, actual.sha256] : ['md5', record.md5 as string, actual.md5];
  if (expected.toLowerCase() !== got) {
    throw new TaipanError('HASH_MISMATCH', `${kind} of '${redactUrl(record.url)}' is ${got}, but the channel says ${expected}`, {
      hint: 'the file is corrupt or the channel index is stale; nothing was installed from it',
    });
  }
}

/**
 * Bringing a package archive into the cache folder: downloaded over HTTP(S) or copied from
 * a local channel. The bytes land under a temporary name, are hashed on the way in, and
 * the file is renamed only once its sha256 (or md5 where that is all there is) matches the
 * record, so a failed, truncated or tampered download never leaves a file the cache trusts.
 * A broken transfer or a hash mismatch is retried with a fresh download, then reported.
 */
import { copyFile, rename, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TaipanError, isTaipanError } from '../../channels/model/errors.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { redactUrl } from '../../channels/model/channel.js';
import { hashFile, HashingStream, type FileHashes } from '../../channels/archive/hash.js';
import { defaultHttpClient, type HttpClient } from '../../channels/fetch/http-client.js';
import { isBrokenTransfer, saveResponse } from '../../channels/fetch/save-response.js';
import { checkReferencedUrl, isRemoteUrl } from '../../channels/fetch/url-trust.js';
import { testFaultPoint } from '../../channels/util/test-hooks.js';
import { isDiskError } from '../../channels/util/disk-errors.js';

/** Bytes of one package received so far; `total` from Content-Length or the record's size. */
export interface PackageProgress {
  readonly record: RepoDataRecord;
  readonly bytes: number;
  readonly total: number | undefined;
}

export interface FetchArchiveOptions {
  /** HTTP client; the process-wide one by default. */
  client?: HttpClient;
  /** Never download; a package that is not cached is an error. */
  offline?: boolean;
  /** Whole-download attempts (a hash mismatch or a broken transfer starts over). Default 3. */
  attempts?: number;
  /** Download records that carry neither sha256 nor md5 (config `allow_unhashed_packages`). */
  allowUnhashed?: boolean;
  onProgress?: (progress: PackageProgress) => void;
}

export async function fetchArchive(record: RepoDataRecord, destination: string, options: FetchArchiveOptions = {}): Promise<void> {
  // However the record was made (repodata, a lock file, conda-meta), one from a remote channel never reads a local file.
  checkReferencedUrl({ url: record.channel, kind: 'channel' }, `the url of '${record.fn}'`, record.url);
  if (record.url.startsWith('file://')) return copyLocal(record, destination);
  if (!isRemoteUrl(record.url)) {
    throw new TaipanError('DOWNLOAD_FAILED', `cannot download '${redactUrl(record.url)}': unsupported URL scheme`, {
      hint: 'packages come from http(s) channels or local folders',
    });
  }
  if (options.offline) {
    throw new TaipanError('OFFLINE', `offline: '${record.fn}' is not in the package cache (it would come from '${redactUrl(record.url)}')`, {
      hint: 'run once with the network to fill the cache, or drop --offline',
    });
  }
  if (!record.sha256 && !record.md5 && !options.allowUnhashed) throw unhashed(record);
  const attempts = Math.max(1, options.attempts ?? 3);
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await download(record, destination, options.client ?? defaultHttpClient(), options.onProgress);
      return;
    } catch (error) {
      lastError = error;
      // Only damaged transfers are worth another try; the HTTP client already retried the network.
      if (!(isTaipanError(error) && error.code === 'HASH_MISMATCH') && !isBrokenTransfer(error)) throw error;
    }
  }
  throw lastError;
}

/**
 * Nothing would tell a downloaded archive from whatever the server (or anyone on the path)
 * chose to send: conda channels always give a hash, so a record without one is refused
 * unless the user said otherwise. Local channels are the user's own files and need none.
 */
function unhashed(record: RepoDataRecord): TaipanError {
  return new TaipanError(
    'MISSING_HASH',
    `'${redactUrl(record.url)}' (channel '${redactUrl(record.channel)}') comes with neither a sha256 nor an md5, so its download could not be checked: refused`,
    {
      hint: 'a channel index lists the sha256 of every package (taipan index writes it; an @EXPLICIT line takes #sha256:HASH, as `taipan list --explicit --sha256` writes it). To download unchecked packages anyway: taipan config --set allow_unhashed_packages true (or TAIPAN_ALLOW_UNHASHED_PACKAGES=1)',
    },
  );
}

async function download(record: RepoDataRecord, destination: string, client: HttpClient, onProgress: FetchArchiveOptions['onProgress']): Promise<void> {
  const partial = `${destination}.partial-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    const response = await client.get(record.url);
    if (response.status === 404 || response.status === 410) {
      await response.body.dump();
      throw new TaipanError('PACKAGE_NOT_FOUND', `'${response.url}' does not exist (HTTP ${response.status}): the channel's repodata lists '${record.fn}' but the server does not hold it`, {
        hint: 'the channel index is out of date; try again later or use another channel or mirror',
      });
    }
    if (response.status !== 200) {
      await response.body.dump();
      throw new TaipanError('DOWNLOAD_FAILED', `cannot download '${response.url}': HTTP ${response.status}`, { hint: 'check the channel URL' });
    }
    const hasher = new HashingStream();
    await saveResponse(response, partial, {
      transforms: [hasher],
      faultSite: 'download',
      onProgress: onProgress && ((p) => onProgress({ record, bytes: p.bytes, total: p.total ?? record.size })),
    });
    checkHashes(record, hasher.digest(), response.url);
    testFaultPoint('cache', 'rename', destination);
    await rename(partial, destination);
  } finally {
    await rm(partial, { force: true });
  }
}

async function copyLocal(record: RepoDataRecord, destination: string): Promise<void> {
  const partial = `${destination}.partial-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    const source = fileURLToPath(record.url);
    try {
      await copyFile(source, partial);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // The copy's own side is full or read-only: the cache's problem, reported as such by the cache.
      if (isDiskError(error) && (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS' || code === 'EFBIG')) throw error;
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
  checkHashes(record, await hashFile(file), record.url);
}

function checkHashes(record: RepoDataRecord, actual: FileHashes, url: string): void {
  if (!record.sha256 && !record.md5) return;
  const [kind, expected, got] = record.sha256 ? ['sha256', record.sha256, actual.sha256] : ['md5', record.md5 as string, actual.md5];
  if (expected.toLowerCase() !== got) {
    throw new TaipanError('HASH_MISMATCH', `${kind} of '${redactUrl(url)}' is ${got}, but the channel says ${expected}`, {
      hint: 'the file is corrupt, truncated or the channel index is stale; nothing was installed from it',
    });
  }
}

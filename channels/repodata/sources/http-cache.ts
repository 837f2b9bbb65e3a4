/**
 * The repodata cache in `<pkgs dir>/cache/`: for each URL a content file and a state file
 * `<key>.state.json` (URL, ETag, Last-Modified, Cache-Control, size, variant, when it was
 * last confirmed), kept outside the content as the repodata-state CEP draft proposes, so
 * the content stays byte-identical to what the server sent (decompressed).
 *
 * A fetch revalidates with `If-None-Match` / `If-Modified-Since` and keeps the cached copy
 * on 304. Freshness follows conda's `local_repodata_ttl`: 1 (default) honours the server's
 * Cache-Control max-age, 0 always revalidates, a larger number is a max age in seconds.
 * Content is written to a temporary file and renamed; the state is written after the
 * content and records its size, so a state never vouches for a file it does not describe.
 * A lock per URL keeps two processes from downloading the same file at once.
 *
 * The state, absence and lock files are a few hundred bytes each and every channel load
 * touches a dozen of them per subdir: they are read and written synchronously, because the
 * thread-pool round trip of an asynchronous call costs more than the call itself, and a
 * cold load of a small channel would otherwise spend most of its time waiting on them.
 * Only the content, which can be hundreds of MB, streams asynchronously.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Transform } from 'node:stream';
import lockfile from 'proper-lockfile';
import { TaipanError } from '../../model/errors.js';
import type { HttpClient, HttpResponse } from '../../fetch/http-client.js';
import { saveResponse, type DownloadProgress } from '../../fetch/save-response.js';

export interface CacheState {
  /** The URL fetched (redacted). */
  url: string;
  etag?: string;
  mod?: string;
  cache_control?: string;
  /** Size of the content file in bytes. */
  size: number;
  /** Which variant of the file the content came from (`zst`, `bz2`, `json`, …). */
  variant?: string;
  /** When the server last confirmed the content (ms since the epoch). */
  checked_at: number;
}

export interface CachePolicy {
  /** conda's local_repodata_ttl: 1 = honour max-age (default), 0 = always revalidate, n > 1 = n seconds. */
  ttl?: number;
  /** Use only what is cached; never touch the network. */
  offline?: boolean;
  /** Clock, for tests. */
  now?: () => number;
}

export type CachedFetch =
  | { kind: 'cached' | 'revalidated' | 'downloaded'; file: string; state: CacheState }
  | { kind: 'missing' };

export interface CachedGetRequest {
  client: HttpClient;
  /** URL without credentials. */
  url: string;
  /** The cache folder and the key the files are named by. */
  cacheDir: string;
  key: string;
  /** File name extension of the content file; `.json` by default. */
  extension?: string;
  /** Recorded in the state; a cached copy of another variant is not revalidated against this URL. */
  variant?: string;
  /** Decompression between the wire and the content file. */
  transform?: () => Transform;
  policy?: CachePolicy;
  onProgress?: (progress: DownloadProgress) => void;
  /** Sees the content (decompressed) as a download writes it; not called for a cached copy. */
  onContent?: (chunk: Buffer) => void;
}

/** A short stable file name for a URL. */
export function cacheKey(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

export function contentPath(cacheDir: string, key: string, extension = '.json'): string {
  return path.join(cacheDir, `${key}${extension}`);
}

/** The cached state of `key`, when its content file is present and the size agrees. */
export async function readState(cacheDir: string, key: string, extension = '.json'): Promise<CacheState | undefined> {
  try {
    const state = JSON.parse(readFileSync(path.join(cacheDir, `${key}.state.json`), 'utf8')) as CacheState;
    const info = statSync(contentPath(cacheDir, key, extension));
    return info.size === state.size ? state : undefined;
  } catch {
    return undefined;
  }
}

/** How long a 404 is believed when local_repodata_ttl is the default (1): a day, as rattler remembers which variants a channel lacks. */
const ABSENCE_MAX_AGE_S = 24 * 60 * 60;

/** A remembered 404: what was missing and when that was seen. */
interface Absence {
  url: string;
  checked_at: number;
}

/**
 * Remember that `url` (a subdir's repodata, a shard index) does not exist, so that the next
 * runs neither probe it again while the memory is fresh nor, offline, report it as uncached.
 */
async function rememberAbsent(cacheDir: string, key: string, url: string, policy: CachePolicy = {}): Promise<void> {
  mkdirSync(cacheDir, { recursive: true });
  const absence: Absence = { url, checked_at: (policy.now ?? Date.now)() };
  writeFileSync(path.join(cacheDir, `${key}.absent`), `${JSON.stringify(absence)}\n`);
}

/** The remembered 404 of `key`, if any. */
async function readAbsence(cacheDir: string, key: string): Promise<Absence | undefined> {
  const file = path.join(cacheDir, `${key}.absent`);
  try {
    const text = readFileSync(file, 'utf8');
    try {
      return JSON.parse(text) as Absence;
    } catch {
      // Written by an earlier taipan as the bare URL: as old as the file.
      return { url: text.trim(), checked_at: statSync(file).mtimeMs };
    }
  } catch {
    return undefined;
  }
}

/** Whether a remembered 404 may be trusted without asking again (never when the ttl is 0). */
function absenceIsFresh(absence: Absence, policy: CachePolicy = {}): boolean {
  const ttl = policy.ttl ?? 1;
  if (ttl === 0) return false;
  const age = ((policy.now ?? Date.now)() - absence.checked_at) / 1000;
  return age < (ttl > 1 ? ttl : ABSENCE_MAX_AGE_S);
}

/** Forget a remembered 404 (the file came back). */
async function forgetAbsence(cacheDir: string, key: string): Promise<void> {
  rmSync(path.join(cacheDir, `${key}.absent`), { force: true });
}

/**
 * `fetch` (a cachedGet of `key`, or several variants of it) with 404s remembered: a fresh
 * memory answers `absent` without a request, a new 404 is remembered, and offline a
 * remembered 404 is `absent` rather than `missing` (not cached). A download forgets it.
 */
export async function fetchRememberingAbsence(
  cacheDir: string,
  key: string,
  url: string,
  policy: CachePolicy,
  fetch: () => Promise<CachedFetch>,
): Promise<CachedFetch | { kind: 'absent' }> {
  if (!policy.offline) {
    const absence = await readAbsence(cacheDir, key);
    if (absence !== undefined && absenceIsFresh(absence, policy)) return { kind: 'absent' };
  }
  const fetched = await fetch();
  if (fetched.kind === 'missing') {
    if (!policy.offline) {
      await rememberAbsent(cacheDir, key, url, policy);
      return { kind: 'absent' };
    }
    return (await readAbsence(cacheDir, key)) !== undefined ? { kind: 'absent' } : fetched;
  }
  if (fetched.kind === 'downloaded') await forgetAbsence(cacheDir, key);
  return fetched;
}

/** Drop a cached entry (its state first, so the content is never vouched for). */
export async function forget(cacheDir: string, key: string, extension = '.json'): Promise<void> {
  rmSync(path.join(cacheDir, `${key}.state.json`), { force: true });
  rmSync(contentPath(cacheDir, key, extension), { force: true });
}

/** Whether a cached state may be used without asking the server. */
export function isFresh(state: CacheState, policy: CachePolicy = {}): boolean {
  const ttl = policy.ttl ?? 1;
  const age = ((policy.now ?? Date.now)() - state.checked_at) / 1000;
  if (ttl === 0) return false;
  if (ttl > 1) return age < ttl;
  const maxAge = /max-age=(\d+)/.exec(state.cache_control ?? '')?.[1];
  return maxAge !== undefined && age < Number(maxAge);
}

/**
 * GET with the cache: fresh → cached; 304 → revalidated; 200 → downloaded; 404 → missing.
 * Offline, a cached copy of any age is used, and its absence is `missing`.
 *
 * The server is asked first and the entry's lock taken only for a body to store: a 304 or a
 * 404 writes at most a small file, atomically, so revalidating a warm cache and probing
 * for files a channel lacks cost no lock. When another process is storing the same entry,
 * this one drops its response, waits for that process and uses or refreshes its copy.
 */
export async function cachedGet(request: CachedGetRequest): Promise<CachedFetch> {
  const { cacheDir, key } = request;
  const policy = request.policy ?? {};
  const content = contentPath(cacheDir, key, request.extension);
  const cached = await readState(cacheDir, key, request.extension);
  const sameVariant = cached !== undefined && cached.url === request.url;
  if (policy.offline) {
    return sameVariant ? { kind: 'cached', file: content, state: cached } : { kind: 'missing' };
  }
  if (sameVariant && isFresh(cached, policy)) return { kind: 'cached', file: content, state: cached };

  const validated = sameVariant ? cached : undefined;
  const response = await conditionalGet(request, validated);
  const answered = await answerWithoutBody(request, response, validated, policy);
  if (answered !== undefined) return answered;
  mkdirSync(cacheDir, { recursive: true });
  const release = tryLockEntry(cacheDir, key);
  if (release !== undefined) {
    try {
      return await store(request, response, policy);
    } finally {
      release();
    }
  }
  await response.body.dump();
  return fetchAfterOtherProcess(request, policy);
}

/** The entry was being stored by another process: wait for it, then use its copy when fresh, else fetch again under the lock. */
async function fetchAfterOtherProcess(request: CachedGetRequest, policy: CachePolicy): Promise<CachedFetch> {
  const { cacheDir, key } = request;
  const release = await lockfile.lock(path.join(cacheDir, key), { ...lockOptions(cacheDir, key), retries: { retries: 600, minTimeout: 50, maxTimeout: 1000 } });
  try {
    const again = await readState(cacheDir, key, request.extension);
    const sameVariant = again !== undefined && again.url === request.url;
    if (sameVariant && isFresh(again, policy)) return { kind: 'cached', file: contentPath(cacheDir, key, request.extension), state: again };
    const validated = sameVariant ? again : undefined;
    const response = await conditionalGet(request, validated);
    return (await answerWithoutBody(request, response, validated, policy)) ?? (await store(request, response, policy));
  } finally {
    await release();
  }
}

function lockOptions(cacheDir: string, key: string): { realpath: false; lockfilePath: string; stale: number } {
  return { realpath: false, lockfilePath: path.join(cacheDir, `${key}.lock`), stale: 30_000 };
}

/** The entry's lock when it is free (taken without asynchronous round trips), else undefined. */
function tryLockEntry(cacheDir: string, key: string): (() => void) | undefined {
  try {
    return lockfile.lockSync(path.join(cacheDir, key), lockOptions(cacheDir, key));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw error;
  }
}

/** GET `request.url`, conditional on the validators of `cached` (ETag, Last-Modified) when given. */
function conditionalGet(request: CachedGetRequest, cached: CacheState | undefined): Promise<HttpResponse> {
  const headers: Record<string, string> = {};
  if (cached?.etag) headers['if-none-match'] = cached.etag;
  if (cached?.mod) headers['if-modified-since'] = cached.mod;
  return request.client.get(request.url, { headers });
}

/** The outcome of a response without a body to store (304, 404, 410); throws on other failures; undefined for a 200. */
async function answerWithoutBody(request: CachedGetRequest, response: HttpResponse, cached: CacheState | undefined, policy: CachePolicy): Promise<CachedFetch | undefined> {
  const { cacheDir, key } = request;
  if (response.status === 304 && cached !== undefined) {
    await response.body.dump();
    const state: CacheState = { ...cached, checked_at: (policy.now ?? Date.now)(), ...cacheHeaders(response.headers, cached) };
    await writeState(cacheDir, key, state);
    return { kind: 'revalidated', file: contentPath(cacheDir, key, request.extension), state };
  }
  if (response.status === 404 || response.status === 410) {
    await response.body.dump();
    return { kind: 'missing' };
  }
  if (response.status !== 200) {
    await response.body.dump();
    throw new TaipanError('DOWNLOAD_FAILED', `cannot fetch '${response.url}': HTTP ${response.status}`, {
      hint: 'check the channel URL',
    });
  }
  return undefined;
}

/** Stores a 200's body as the entry's content (through a temporary file), then its state. The caller holds the lock. */
async function store(request: CachedGetRequest, response: HttpResponse, policy: CachePolicy): Promise<CachedFetch> {
  const { cacheDir, key } = request;
  const file = contentPath(cacheDir, key, request.extension);
  const temp = `${file}.partial-${process.pid}`;
  try {
    await saveResponse(response, temp, {
      transforms: request.transform ? [request.transform()] : [],
      onProgress: request.onProgress,
      onContent: request.onContent,
      faultSite: 'repodata',
    });
    const size = statSync(temp).size;
    renameSync(temp, file);
    const state: CacheState = { url: request.url, size, checked_at: (policy.now ?? Date.now)(), ...cacheHeaders(response.headers) };
    if (request.variant !== undefined) state.variant = request.variant;
    await writeState(cacheDir, key, state);
    return { kind: 'downloaded', file, state };
  } catch (error) {
    if (error instanceof TaipanError) throw error;
    throw new TaipanError('DOWNLOAD_FAILED', `cannot store '${response.url}' in the cache '${cacheDir}': ${(error as Error).message}`, {
      cause: error,
      hint: 'the data may be damaged (a bad compressed file) or the cache folder not writable',
    });
  } finally {
    rmSync(temp, { force: true });
  }
}

function cacheHeaders(headers: Readonly<Record<string, string | undefined>>, previous?: CacheState): Partial<CacheState> {
  const out: Partial<CacheState> = {};
  const etag = headers.etag ?? previous?.etag;
  const mod = headers['last-modified'] ?? previous?.mod;
  const control = headers['cache-control'] ?? previous?.cache_control;
  if (etag) out.etag = etag;
  if (mod) out.mod = mod;
  if (control) out.cache_control = control;
  return out;
}

async function writeState(cacheDir: string, key: string, state: CacheState): Promise<void> {
  const file = path.join(cacheDir, `${key}.state.json`);
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, file);
}

/**
 * `url` sources: a file fetched over http(s) or read from a `file://` URL, checked against
 * the recipe's sha256 or md5 and kept in a source cache, so a rebuild (or a second recipe
 * with the same tarball) reads it from disk. A cached file is trusted only after its hash
 * is checked again, so a truncated or tampered cache entry is fetched anew.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { defaultHttpClient, type HttpClient } from '../../channels/fetch/http-client.js';
import { redactUrl } from '../../channels/model/channel.js';
import { TaipanError } from '../../channels/model/errors.js';

export interface UrlSourceSpec {
  readonly url: readonly string[];
  readonly sha256?: string;
  readonly md5?: string;
  readonly fileName?: string;
}

export interface FetchUrlOptions {
  /** Folder of the source cache. */
  readonly cacheDir: string;
  readonly client?: HttpClient;
}

/** The expected hash of a url source; rattler-build refuses a url source without one, as does taipan. */
function expectedHash(spec: UrlSourceSpec): { algorithm: 'sha256' | 'md5'; value: string } {
  if (spec.sha256) return { algorithm: 'sha256', value: spec.sha256.toLowerCase() };
  if (spec.md5) return { algorithm: 'md5', value: spec.md5.toLowerCase() };
  throw new TaipanError('INVALID_ARGUMENT', `the url source '${redactUrl(spec.url[0] ?? '')}' has no sha256 or md5`, {
    hint: 'add `sha256: <hex>` to the source so the download can be checked (`sha256sum FILE` prints it)',
  });
}

/** The file name a url source is saved as. */
export function sourceFileName(spec: UrlSourceSpec): string {
  if (spec.fileName) return spec.fileName;
  const first = spec.url[0] ?? 'source';
  const last = new URL(first).pathname.split('/').filter((p) => p !== '').pop();
  return decodeURIComponent(last ?? 'source');
}

/**
 * The path of the verified file in the cache, downloading it (trying each mirror in
 * order) when it is missing or does not match.
 */
export async function fetchUrlSource(spec: UrlSourceSpec, options: FetchUrlOptions): Promise<string> {
  const expected = expectedHash(spec);
  const fileName = sourceFileName(spec);
  const dir = path.join(options.cacheDir, `${expected.algorithm}-${expected.value.slice(0, 16)}`);
  const target = path.join(dir, fileName);
  if ((await hashFileOrUndefined(target, expected.algorithm)) === expected.value) return target;
  await mkdir(dir, { recursive: true });
  let lastError: unknown;
  for (const url of spec.url) {
    const partial = `${target}.${process.pid}.partial`;
    try {
      const actual = await download(url, partial, expected.algorithm, options.client);
      if (actual !== expected.value) {
        throw new TaipanError('HASH_MISMATCH', `${expected.algorithm} of the source '${redactUrl(url)}' is ${actual}, but the recipe says ${expected.value}`, {
          hint: 'the file changed upstream or the recipe has a wrong hash; check the URL and update the hash only if you trust the new file',
        });
      }
      await rename(partial, target);
      return target;
    } catch (error) {
      lastError = error;
    } finally {
      await rm(partial, { force: true });
    }
  }
  throw lastError ?? new TaipanError('INVALID_ARGUMENT', 'a url source lists no URL');
}

async function download(url: string, dest: string, algorithm: 'sha256' | 'md5', client?: HttpClient): Promise<string> {
  const hash = createHash(algorithm);
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const parsed = new URL(url);
  if (parsed.protocol === 'file:') {
    const file = fileURLToPath(parsed);
    try {
      await pipeline(createReadStream(file), hashing, createWriteStream(dest));
    } catch (error) {
      throw new TaipanError('DOWNLOAD_FAILED', `cannot read the source '${url}'`, { cause: error, hint: `check that '${file}' exists` });
    }
    return hash.digest('hex');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TaipanError('INVALID_ARGUMENT', `cannot fetch the source '${redactUrl(url)}': only http(s) and file:// URLs are supported`);
  }
  const response = await (client ?? defaultHttpClient()).get(url);
  if (response.status !== 200) {
    await response.body.dump();
    throw new TaipanError('DOWNLOAD_FAILED', `cannot fetch the source '${redactUrl(url)}': HTTP ${response.status}`, {
      hint: 'check the URL in the recipe',
    });
  }
  await pipeline(response.body as unknown as Readable, hashing, createWriteStream(dest));
  return hash.digest('hex');
}

async function hashFileOrUndefined(file: string, algorithm: 'sha256' | 'md5'): Promise<string | undefined> {
  try {
    const hash = createHash(algorithm);
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

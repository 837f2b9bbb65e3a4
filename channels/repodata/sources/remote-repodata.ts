/**
 * A remote subdir's monolithic repodata: `repodata.json.zst` first, then `.bz2`, then plain
 * JSON, as mamba and rattler try them. Which one a channel serves is remembered (in the
 * cache state for later runs, and per channel for the other subdirs of this run), so a
 * server without `.zst` is not asked for it on every fetch.
 */
import type { Transform } from 'node:stream';
import { Bunzip2Stream, ZstdDecompressStream } from '../../archive/decompress.js';
import type { Channel } from '../../model/channel.js';
import { TaipanError } from '../../model/errors.js';
import type { HttpClient } from '../../fetch/http-client.js';
import type { DownloadProgress } from '../../fetch/save-response.js';
import { cachedGet, cacheKey, contentPath, fetchRememberingAbsence, forget, readState, type CachePolicy, type CachedFetch } from './http-cache.js';
import { RepodataScanner, type ScannedRepodata } from '../scan/json-scan.js';
import { LazyRepodata } from '../scan/lazy-repodata.js';

interface Variant {
  readonly name: 'zst' | 'bz2' | 'json';
  readonly suffix: string;
  readonly transform?: () => Transform;
}

const VARIANTS: readonly Variant[] = [
  { name: 'zst', suffix: '.zst', transform: () => new ZstdDecompressStream() },
  { name: 'bz2', suffix: '.bz2', transform: () => new Bunzip2Stream() },
  { name: 'json', suffix: '' },
];

/** Channel base URL → the variant its subdirs served in this process. */
const servedVariant = new Map<string, Variant['name']>();

export interface RemoteOptions {
  client: HttpClient;
  /** `<first pkgs dir>/cache`. */
  cacheDir: string;
  policy?: CachePolicy;
  onProgress?: (progress: DownloadProgress) => void;
}

/** Which compressed variants a server has, from HEAD requests: false when it answered 404. */
export type VariantProbe = Promise<ReadonlyMap<Variant['name'], boolean>>;

/**
 * Ask, all at once, whether the subdir's `.zst` and `.bz2` exist, as rattler does, so that a
 * channel serving only plain JSON costs one round trip of probes instead of one per
 * variant. Only when nothing is known yet (no cached state, no variant seen this run) and
 * online; a server that does not answer HEAD properly leaves the variant to be tried.
 */
export function probeVariants(channel: Channel, subdir: string, options: RemoteOptions): VariantProbe | undefined {
  if (options.policy?.offline || servedVariant.has(channel.baseUrl)) return undefined;
  const base = `${channel.subdirUrl(subdir)}/repodata.json`;
  return (async () => {
    if ((await readState(options.cacheDir, cacheKey(base))) !== undefined) return new Map();
    const answers = await Promise.all(
      VARIANTS.filter((v) => v.name !== 'json').map(async (variant): Promise<[Variant['name'], boolean] | undefined> => {
        try {
          const response = await options.client.get(`${base}${variant.suffix}`, { method: 'HEAD' });
          await response.body.dump();
          if (response.status === 404 || response.status === 410) return [variant.name, false];
          return response.status >= 200 && response.status < 300 ? [variant.name, true] : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    return new Map(answers.filter((a): a is [Variant['name'], boolean] => a !== undefined));
  })();
}

/** The subdir's repodata, lazily indexed; undefined when the server has none for it. */
export async function loadRemoteMonolithic(channel: Channel, subdir: string, options: RemoteOptions, probe?: VariantProbe): Promise<LazyRepodata | undefined> {
  const base = `${channel.subdirUrl(subdir)}/repodata.json`;
  const key = cacheKey(base);
  const source = (url: string, file: string): string => `${url} (cached as '${file}')`;
  const download = new DownloadScan();
  // A subdir the channel lacks (a noarch-only channel's linux-64) is not probed on every run.
  const fetched = await fetchRememberingAbsence(options.cacheDir, key, base, options.policy ?? {}, () =>
    fetchVariants(base, key, channel, options, probe, (url) => download.start(source(url, contentPath(options.cacheDir, key)))),
  );
  if (fetched.kind === 'absent') return undefined;
  if (fetched.kind === 'missing') {
    throw new TaipanError('OFFLINE', `offline: no cached repodata for '${channel.subdirUrl(subdir)}'`, {
      hint: 'run once with the network to fill the cache, or drop --offline',
    });
  }
  try {
    const scanned = fetched.kind === 'downloaded' ? download.finish(fetched.state.size) : undefined;
    // Read back by offset from the cached file, never held whole (see repodata-bytes.ts).
    return LazyRepodata.fromFile(fetched.file, channel, subdir, source(fetched.state.url, fetched.file), `${channel.subdirUrl(subdir)}/`, scanned);
  } catch (error) {
    // A damaged copy must not be revalidated (a 304 would keep it): forget it, so the next run downloads it again.
    if (error instanceof TaipanError) await forget(options.cacheDir, key);
    throw error;
  }
}

/**
 * The index of a download made while its bytes arrive, so that the scan overlaps the
 * transfer instead of reading the file back afterwards. A scan error is kept and thrown
 * once the download is complete, as a scan of the cached file would throw it.
 */
class DownloadScan {
  private scanner: RepodataScanner | undefined;
  private error: unknown;

  /** A variant's download begins: what to call with its content. */
  start(source: string): (chunk: Buffer) => void {
    const scanner = new RepodataScanner(source);
    this.scanner = scanner;
    this.error = undefined;
    return (chunk) => {
      if (this.error !== undefined || this.scanner !== scanner) return;
      try {
        scanner.feed(chunk);
      } catch (error) {
        this.error = error;
      }
    };
  }

  finish(size: number): { index: ScannedRepodata; size: number } | undefined {
    if (this.scanner === undefined) return undefined;
    if (this.error !== undefined) throw this.error;
    return { index: this.scanner.finish(), size };
  }
}

async function fetchVariants(
  base: string,
  key: string,
  channel: Channel,
  options: RemoteOptions,
  probe: VariantProbe | undefined,
  onDownload: (url: string) => (chunk: Buffer) => void,
): Promise<CachedFetch> {
  const state = await readState(options.cacheDir, key);
  if (options.policy?.offline) {
    return state ? { kind: 'cached', file: contentPath(options.cacheDir, key), state } : { kind: 'missing' };
  }
  const remembered = (state?.variant as Variant['name'] | undefined) ?? servedVariant.get(channel.baseUrl);
  const absent = remembered === undefined && probe !== undefined ? await probe : new Map<Variant['name'], boolean>();
  const order = remembered
    ? [...VARIANTS.filter((v) => v.name === remembered), ...VARIANTS.filter((v) => v.name !== remembered)]
    : VARIANTS.filter((v) => absent.get(v.name) !== false);
  for (const variant of order) {
    const url = `${base}${variant.suffix}`;
    const result = await cachedGet({
      client: options.client,
      url,
      cacheDir: options.cacheDir,
      key,
      variant: variant.name,
      transform: variant.transform,
      policy: options.policy,
      onProgress: options.onProgress,
      onContent: onDownload(url),
    });
    if (result.kind !== 'missing') {
      servedVariant.set(channel.baseUrl, variant.name);
      return result;
    }
  }
  return { kind: 'missing' };
}

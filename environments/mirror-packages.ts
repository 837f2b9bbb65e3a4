/**
 * `taipan mirror`: a new channel holding just what a set of requests needs on the given
 * platforms (as conda-subchannel does), for air-gapped sites and classrooms. Each
 * platform is solved (lockfile/solve-platforms.ts); the union of the solutions is fetched
 * (hash-checked) through the package cache, telling the caller the same download events
 * as the install service, and written as a channel by channels/mirror/mirror.ts.
 */
import type { Channel } from '../channels/model/channel.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import type { Platform } from '../channels/model/platform.js';
import { subdirName, writeMirrorChannel } from '../channels/mirror/mirror.js';
import { notInCache, type InstallEvent } from './install-service.js';
import { solvePlatforms } from './lockfile/solve-platforms.js';
import type { CacheEvent, PackageCache, PackageProgress } from './package-cache/package-cache.js';

export interface MirrorRequest {
  readonly channels: readonly Channel[];
  readonly specs: readonly string[];
  readonly platforms: readonly Platform[];
  readonly output: string;
  /** The package cache to fetch through, given the listener of its download progress. */
  readonly packageCache: (onDownload: (progress: PackageProgress) => void) => PackageCache;
  readonly onEvent?: (event: MirrorEvent) => void;
}

export type MirrorEvent =
  | Extract<InstallEvent, { kind: 'solving' | 'solved' | 'download' }>
  /** The packages the mirror holds are known; `fetch` of them are not in the package cache yet. */
  | { readonly kind: 'packages'; readonly records: readonly RepoDataRecord[]; readonly fetch: readonly RepoDataRecord[] }
  | CacheEvent;

export interface MirrorResult {
  readonly output: string;
  readonly packages: readonly RepoDataRecord[];
}

export async function mirrorPackages(request: MirrorRequest): Promise<MirrorResult> {
  const emit = (event: MirrorEvent): void => request.onEvent?.(event);
  emit({ kind: 'solving' });
  let solved: Map<Platform, RepoDataRecord[]>;
  try {
    solved = await solvePlatforms({ channels: request.channels, specs: request.specs, platforms: request.platforms });
  } finally {
    emit({ kind: 'solved' });
  }
  const byUrl = new Map<string, RepoDataRecord>();
  for (const records of solved.values()) for (const record of records) byUrl.set(record.url, record);
  const records = [...byUrl.values()].sort((a, b) => (a.fn < b.fn ? -1 : a.fn > b.fn ? 1 : 0));
  // A hostile record's subdir is refused before anything is downloaded.
  for (const record of records) subdirName(record);
  const cache = request.packageCache((progress) => emit({ kind: 'download', progress }));
  emit({ kind: 'packages', records, fetch: await notInCache(cache, records) });
  const entries = await cache.getAll(records, { onEvent: emit });
  await writeMirrorChannel({ platforms: request.platforms, output: request.output, packages: entries.map((entry, i) => ({ record: records[i] as RepoDataRecord, archive: entry.archive })) });
  return { output: request.output, packages: records };
}

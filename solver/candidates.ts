/**
 * Candidate order: which record of a package name the solver tries first.
 *
 * The order *is* the optimisation (see ARCHITECTURE.md §4): the solver tries candidates in
 * this order and keeps the first one that still leaves the problem satisfiable, so there
 * is no separate "maximise versions" pass.
 */
import { Version } from '../channels/model/version.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import type { ChannelPriority } from './task.js';

/**
 * The channel a record came from, without a trailing subdir: repodata written by
 * `conda index` often stores `https://host/chan/linux-64` in `channel`, while loaders
 * normally store the channel's canonical name. Both spellings must count as one channel,
 * or strict priority would split a channel's `noarch` from its `linux-64`.
 */
export function channelKey(record: RepoDataRecord): string {
  let channel = record.channel.replace(/\/+$/, '');
  const subdir = record.subdir;
  if (typeof subdir === 'string' && subdir !== '' && channel.endsWith(`/${subdir}`)) {
    channel = channel.slice(0, -subdir.length - 1);
  }
  return channel;
}

/** Identity of a record across sources: one archive in one subdir of one channel. */
export function recordKey(record: RepoDataRecord): string {
  return `${channelKey(record)}/${record.subdir ?? ''}/${record.fn}`;
}

const versionCache = new Map<string, Version | null>();

/**
 * Parsed version, cached (a solve compares the same few hundred strings many times).
 * An unparsable version is `null` and sorts below every valid one, so one broken record
 * in a channel cannot make the whole package unsolvable.
 */
function parsedVersion(text: string): Version | null {
  let parsed = versionCache.get(text);
  if (parsed === undefined) {
    try {
      parsed = Version.parse(text);
    } catch {
      parsed = null;
    }
    versionCache.set(text, parsed);
  }
  return parsed;
}

/** Descending version comparison: negative when `a` is newer (so it sorts first). */
export function compareVersionsDescending(a: string, b: string): number {
  if (a === b) return 0;
  const va = parsedVersion(a);
  const vb = parsedVersion(b);
  if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
  return vb.compare(va);
}

/**
 * How many features mark the record as a variant. Both `track_features` and the legacy
 * `features` count: in old defaults repodata the variant builds (`scipy ... nomkl`) carry
 * `features: nomkl` and only the `nomkl` metapackage carries `track_features`; conda
 * minimised those features globally, we deprioritise the marked records themselves.
 */
function featureCount(record: RepoDataRecord): number {
  let count = 0;
  for (const field of [record.track_features, record.features]) {
    if (typeof field === 'string') count += field.split(/[\s,]+/).filter((f) => f !== '').length;
  }
  return count;
}

/** Extra comparison for records equal in features, version and build number. */
export type TieBreak = (a: RepoDataRecord, b: RepoDataRecord) => number;

/**
 * Conda's preference between two records of the same name; negative when `a` is preferred.
 *
 * 1. Fewer features first (see featureCount). conda-forge and defaults mark unusual
 *    variants (pypy, debug builds, `nomkl`) this way precisely so that they lose against a
 *    plain build whatever their version; libsolv's conda policy and rattler also weigh
 *    this before the version.
 * 2. Higher version.
 * 3. Higher build number.
 * 4. `tieBreak`, when given: the solver passes one that prefers the build whose
 *    dependencies allow newer versions (so `scipy` gets its py37 build rather than
 *    whichever python build was uploaded last; rattler does the same).
 * 5. Newer timestamp (records without one count as oldest).
 *
 * Remaining ties keep the input order (the sort is stable), which is the channel order
 * given by the caller; that keeps the result deterministic.
 */
export function compareRecords(a: RepoDataRecord, b: RepoDataRecord, tieBreak?: TieBreak): number {
  const features = featureCount(a) - featureCount(b);
  if (features !== 0) return features;
  const version = compareVersionsDescending(a.version, b.version);
  if (version !== 0) return version;
  const build = (b.build_number ?? 0) - (a.build_number ?? 0);
  if (build !== 0) return build;
  const tie = tieBreak === undefined ? 0 : tieBreak(a, b);
  if (tie !== 0) return tie;
  return (b.timestamp ?? 0) - (a.timestamp ?? 0);
}

/**
 * The records of one package name in the order the solver tries them.
 *
 * `records` come in channel-priority order (highest-priority channel first); a channel's
 * rank is where it first appears. Channel priority then works as conda defines it:
 * - `strict`: only records of the highest-priority channel that has the name are
 *   candidates at all (conda-forge's recommended setting, rattler's default);
 * - `flexible`: every channel's records, but a higher-priority channel's records all come
 *   before a lower one's (conda's default);
 * - `disabled`: every channel's records, in pure conda order; the channel only breaks ties.
 */
export function orderCandidates(
  records: readonly RepoDataRecord[],
  priority: ChannelPriority,
  tieBreak?: TieBreak,
): RepoDataRecord[] {
  const rankOf = channelRanks(records);
  return filterByChannelPriority(records, priority).sort((a, b) => {
    if (priority === 'flexible') {
      const channel = rankOf(a) - rankOf(b);
      if (channel !== 0) return channel;
    }
    const preference = compareRecords(a, b, tieBreak);
    if (preference !== 0) return preference;
    return rankOf(a) - rankOf(b);
  });
}

function channelRanks(records: readonly RepoDataRecord[]): (record: RepoDataRecord) => number {
  const rank = new Map<string, number>();
  for (const record of records) {
    const key = channelKey(record);
    if (!rank.has(key)) rank.set(key, rank.size);
  }
  return (record) => rank.get(channelKey(record)) ?? 0;
}

/** The records channel priority allows at all (all of them unless `strict`), unsorted. */
export function filterByChannelPriority(records: readonly RepoDataRecord[], priority: ChannelPriority): RepoDataRecord[] {
  if (priority !== 'strict' || records.length === 0) return [...records];
  const first = channelKey(records[0] as RepoDataRecord);
  return records.filter((record) => channelKey(record) === first);
}

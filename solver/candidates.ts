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
  const raw = record.channel;
  const subdir = record.subdir;
  let bySubdir = channelKeys.get(raw);
  if (bySubdir === undefined) {
    if (channelKeys.size >= MEMO_LIMIT) channelKeys.clear();
    bySubdir = new Map();
    channelKeys.set(raw, bySubdir);
  }
  let channel = bySubdir.get(subdir);
  if (channel === undefined) {
    channel = raw.replace(/\/+$/, '');
    if (typeof subdir === 'string' && subdir !== '' && channel.endsWith(`/${subdir}`)) {
      channel = channel.slice(0, -subdir.length - 1);
    }
    bySubdir.set(subdir, channel);
  }
  return channel;
}

/** By channel text, then subdir: orders sort 100,000s of records from a few channel spellings. */
const channelKeys = new Map<string, Map<string | undefined, string>>();
const MEMO_LIMIT = 4096;

/** Identity of a record across sources: one archive in one subdir of one channel. */
export function recordKey(record: RepoDataRecord): string {
  return `${channelKey(record)}/${record.subdir ?? ''}/${record.fn}`;
}

/** Descending version comparison: negative when `a` is newer (so it sorts first). */
export function compareVersionsDescending(a: string, b: string): number {
  if (a === b) return 0;
  // An unparsable version is null and sorts below every valid one, so one broken record cannot make a package unsolvable.
  const va = Version.cached(a);
  const vb = Version.cached(b);
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
  return countFeatures(record.track_features) + countFeatures(record.features);
}

function countFeatures(field: unknown): number {
  return typeof field === 'string' && field !== '' ? field.split(/[\s,]+/).filter((f) => f !== '').length : 0;
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
  const allowed = filterByChannelPriority(records, priority);
  const order = preferenceOrder(records, allowed, priority, versionRanks(allowed.map((r) => r.version)), tieBreak);
  return order.map((i) => allowed[i] as RepoDataRecord);
}

/**
 * {@link orderCandidates} as positions in `allowed` (`filterByChannelPriority(records,
 * priority)`), given each allowed record's {@link versionRanks} rank.
 *
 * compareRecords on precomputed keys: a name can have 100,000 records, and sorting them with
 * version parsing and feature splitting in every comparison dominated large solves. Each
 * comparison gives the same result as compareRecords, so the (stable) sort makes the same
 * permutation.
 */
export function preferenceOrder(
  records: readonly RepoDataRecord[],
  allowed: readonly RepoDataRecord[],
  priority: ChannelPriority,
  version: Int32Array,
  tieBreak?: TieBreak,
): number[] {
  const rankOf = channelRanks(records);
  const n = allowed.length;
  const features = new Int32Array(n);
  const channel = new Int32Array(n);
  // As numbers, like the subtractions of compareRecords (`?? 0` first).
  const build = new Float64Array(n);
  const timestamp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const record = allowed[i] as RepoDataRecord;
    features[i] = featureCount(record);
    channel[i] = rankOf(record);
    build[i] = record.build_number ?? 0;
    timestamp[i] = record.timestamp ?? 0;
  }
  const flexible = priority === 'flexible';
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => {
    if (flexible) {
      const channelOrder = (channel[a] as number) - (channel[b] as number);
      if (channelOrder !== 0) return channelOrder;
    }
    const feature = (features[a] as number) - (features[b] as number);
    if (feature !== 0) return feature;
    const newer = (version[a] as number) - (version[b] as number);
    if (newer !== 0) return newer;
    const buildOrder = (build[b] as number) - (build[a] as number);
    if (buildOrder !== 0) return buildOrder;
    const tie = tieBreak === undefined ? 0 : tieBreak(allowed[a] as RepoDataRecord, allowed[b] as RepoDataRecord);
    if (tie !== 0) return tie;
    const time = (timestamp[b] as number) - (timestamp[a] as number);
    if (time !== 0) return time;
    return (channel[a] as number) - (channel[b] as number);
  });
}

/**
 * Per version text, its place in compareVersionsDescending order (0 = newest; texts equal
 * in conda's order, such as `1.0` and `1.0.0`, share a place). Each distinct text is
 * parsed and compared once instead of in every comparison of a sort.
 */
export function versionRanks(versions: readonly string[]): Int32Array {
  const indexOf = new Map<string, number>();
  const distinct: string[] = [];
  const out = new Int32Array(versions.length);
  for (let i = 0; i < versions.length; i++) {
    const text = versions[i] as string;
    let index = indexOf.get(text);
    if (index === undefined) {
      index = distinct.length;
      indexOf.set(text, index);
      distinct.push(text);
    }
    out[i] = index;
  }
  const ranks = distinctVersionRanks(distinct);
  for (let i = 0; i < out.length; i++) out[i] = ranks[out[i] as number] as number;
  return out;
}

/** {@link versionRanks} of texts that are all different. */
export function distinctVersionRanks(distinct: readonly string[]): Int32Array {
  const parsed = distinct.map((text) => Version.cached(text));
  // compareVersionsDescending on parsed versions (the texts differ, so its `a === b` never holds).
  const order = distinct
    .map((_, i) => i)
    .sort((a, b) => {
      const va = parsed[a] as Version | null;
      const vb = parsed[b] as Version | null;
      if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
      return vb.compare(va);
    });
  const ranks = new Int32Array(distinct.length);
  let rank = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if (k > 0) {
      const va = parsed[order[k - 1] as number] as Version | null;
      const vb = parsed[i] as Version | null;
      const same = va === null || vb === null ? va === vb : vb.compare(va) === 0;
      if (!same) rank++;
    }
    ranks[i] = rank;
  }
  return ranks;
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

/**
 * The solver's view of the package world: candidates per name (interned to integer ids),
 * memoised spec matching, and the lazy walk that discovers which names a solve can reach.
 * Backend-independent: the logic-solver encoding and the later CDCL both read from it.
 */
import { MatchSpec } from '../channels/model/match-spec/index.js';
import type { PackageRecord, RepoDataRecord } from '../channels/model/package-record.js';
import { bucketByBuild, exactBuildOf } from './build-buckets.js';
import { filterByChannelPriority, preferenceOrder, recordKey, type TieBreak } from './candidates.js';
import { dependencyTieBreak } from './dependency-tiebreak.js';
import type { SolverTask } from './task.js';
import { testsOnlyNameAndVersion, VersionGroups } from './version-groups.js';

/** One record the solver may choose, identified by its index in `provider.candidates`. */
export interface Candidate {
  readonly id: number;
  readonly name: string;
  readonly record: RepoDataRecord;
  /** A `__` package given by the system, never installed. */
  readonly virtual: boolean;
  /** 2 for a locked record, 1 for an installed one, 0 otherwise (higher is tried first). */
  readonly favor: number;
}

/** A dependency or constraint string of a record, parsed. */
export interface ParsedSpec {
  readonly text: string;
  readonly spec: MatchSpec;
}

/** The depends of every candidate under `noDeps`. */
const NO_SPECS: readonly ParsedSpec[] = Object.freeze([]);

/** Virtual packages have no file; this gives them the RepoDataRecord shape. */
function virtualRecord(record: PackageRecord): RepoDataRecord {
  return { ...record, fn: '', url: '', channel: '@system' };
}

/** True for names of virtual packages (`__glibc`, `__unix`, ...). */
export function isVirtualName(name: string): boolean {
  return name.startsWith('__');
}

export class CandidateProvider {
  /** Every candidate seen so far, by id. */
  readonly candidates: Candidate[] = [];
  private readonly byName = new Map<string, readonly number[]>();
  private readonly nameOrder: string[] = [];
  private readonly matchMemo = new Map<string, Map<string, readonly number[]>>();
  /**
   * Allowed records of a name grouped by version, shared by ordering, the tie-break and
   * matching: a spec that tests only name and version is matched once per distinct version.
   */
  private readonly allowedGroups = new Map<string, VersionGroups>();
  private readonly buildBuckets = new Map<string, Map<string, number[]>>();
  private readonly specMemo = new Map<string, ParsedSpec | Error>();
  // Memos by candidate id are dense arrays grown with `candidates`: on a large channel a
  // solve meets hundreds of thousands of candidates, and Maps of them cost several times more.
  private readonly dependsMemo: (readonly ParsedSpec[] | undefined)[] = [];
  private readonly constrainsMemo: (readonly ParsedSpec[] | undefined)[] = [];
  private readonly broken = new Map<number, string>();
  private readonly missingMemo: (string | undefined)[] = [];
  private readonly missingOfList = new WeakMap<readonly ParsedSpec[], string>();
  /** Per candidate id, its group in `allowedGroups` of its name, or -1. */
  private readonly versionGroupOf: number[] = [];
  private readonly parsedLists = new WeakMap<readonly string[], { readonly specs: readonly ParsedSpec[]; readonly error: string | undefined }>();
  /** By package name: thousands of builds can miss the same dependency, and listing a name's versions walks all its candidates. */
  private readonly nothingMatchesMemo = new Map<string, string>();
  private readonly lookup: (name: string) => readonly RepoDataRecord[];
  private readonly favored = new Map<string, { record: RepoDataRecord; favor: number }[]>();
  private readonly allowedRecords = new Map<string, readonly RepoDataRecord[]>();
  private readonly tieBreak: TieBreak;

  /** The task is read by the explanations too (channel names for "did you mean"). */
  constructor(readonly task: SolverTask) {
    const available = task.available;
    this.lookup = typeof available === 'function' ? available : (name) => available.get(name) ?? [];
    for (const record of task.installed ?? []) this.addFavored(record, 1);
    for (const record of task.locked ?? []) this.addFavored(record, 2);
    this.tieBreak = dependencyTieBreak({
      recordsOf: (name) => this.allowedRecordsOf(name),
      groupsOf: (name) => this.allowedGroupsOf(name),
      parse: (text) => {
        const parsed = this.parseSpec(text);
        return parsed instanceof Error ? null : parsed.spec;
      },
    });
  }

  /** Raw records of a name that channel priority allows (unordered, memoised). */
  private allowedRecordsOf(name: string): readonly RepoDataRecord[] {
    let records = this.allowedRecords.get(name);
    if (records === undefined) {
      records = isVirtualName(name)
        ? (this.task.virtualPackages ?? []).filter((r) => r.name === name).map(virtualRecord)
        : filterByChannelPriority(this.lookup(name), this.task.channelPriority ?? 'strict');
      this.allowedRecords.set(name, records);
    }
    return records;
  }

  /** {@link allowedRecordsOf} grouped by version (memoised). */
  private allowedGroupsOf(name: string): VersionGroups {
    let groups = this.allowedGroups.get(name);
    if (groups === undefined) {
      groups = new VersionGroups(this.allowedRecordsOf(name));
      this.allowedGroups.set(name, groups);
    }
    return groups;
  }

  private addFavored(record: RepoDataRecord, favor: number): void {
    const list = this.favored.get(record.name) ?? [];
    list.push({ record, favor });
    this.favored.set(record.name, list);
  }

  /** Names whose candidates have been loaded, in discovery (BFS) order. */
  get names(): readonly string[] {
    return this.nameOrder;
  }

  /** True when the name's candidates have been loaded. */
  isLoaded(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * Candidate ids of a name in preference order (favored first, then conda order; see
   * candidates.ts). Loads the name on first use.
   */
  candidatesOf(name: string): readonly number[] {
    const known = this.byName.get(name);
    if (known !== undefined) return known;

    const virtual = isVirtualName(name);
    let records: RepoDataRecord[];
    // Per record, its version group among the allowed records (-1: not one of them).
    let groupOfRecord: number[];
    if (virtual) {
      records = (this.task.virtualPackages ?? []).filter((r) => r.name === name).map(virtualRecord);
      groupOfRecord = records.map(() => -1);
    } else {
      // orderCandidates, with the version ranks of the groups the tie-break and matching share.
      const allowed = this.allowedRecordsOf(name);
      const groups = this.allowedGroupsOf(name);
      const order = preferenceOrder(this.lookup(name), allowed, this.task.channelPriority ?? 'strict', groups.recordRanks(), this.tieBreak);
      records = new Array<RepoDataRecord>(order.length);
      groupOfRecord = new Array<number>(order.length);
      for (let k = 0; k < order.length; k++) {
        records[k] = allowed[order[k] as number] as RepoDataRecord;
        groupOfRecord[k] = groups.groupOf[order[k] as number] as number;
      }
    }

    const favorOf = new Map<number, number>();
    for (const { record, favor } of this.favored.get(name) ?? []) {
      let index = findSameRecord(records, record);
      if (index < 0 && !virtual) {
        // Installed but no longer offered (channel removed, patched away, or a local
        // build): it stays a candidate, or a solve could never keep it.
        records.push(record);
        groupOfRecord.push(-1);
        index = records.length - 1;
      }
      if (index >= 0) favorOf.set(index, Math.max(favorOf.get(index) ?? 0, favor));
    }

    const ids = new Array<number>(records.length);
    for (let index = 0; index < records.length; index++) {
      const id = this.candidates.length;
      this.candidates.push({ id, name, record: records[index] as RepoDataRecord, virtual, favor: favorOf.get(index) ?? 0 });
      this.dependsMemo.push(undefined);
      this.constrainsMemo.push(undefined);
      this.missingMemo.push(undefined);
      this.versionGroupOf.push(groupOfRecord[index] as number);
      ids[index] = id;
    }
    // Stable sort: favored records move ahead, the rest keep conda order (without any, it changes nothing).
    if (favorOf.size > 0) ids.sort((a, b) => (this.candidates[b]?.favor ?? 0) - (this.candidates[a]?.favor ?? 0));
    this.byName.set(name, ids);
    this.nameOrder.push(name);
    return ids;
  }

  /** A name's candidates by build, in preference order (see build-buckets.ts). */
  private buildBucketsOf(name: string): Map<string, number[]> {
    let buckets = this.buildBuckets.get(name);
    if (buckets === undefined) {
      buckets = bucketByBuild(this.candidatesOf(name), (id) => this.candidate(id).record);
      this.buildBuckets.set(name, buckets);
    }
    return buckets;
  }

  /** The candidate with this id (ids come from this provider). */
  candidate(id: number): Candidate {
    const candidate = this.candidates[id];
    if (candidate === undefined) throw new RangeError(`unknown candidate id ${id}`);
    return candidate;
  }

  /**
   * Ids of the candidates of `spec.name` that match `spec`, in preference order. Memoised by
   * spec text: repodata repeats the same dependency strings thousands of times.
   */
  matching(spec: MatchSpec, text: string = spec.toString()): readonly number[] {
    let perName = this.matchMemo.get(spec.name);
    if (perName === undefined) {
      perName = new Map();
      this.matchMemo.set(spec.name, perName);
    }
    let ids = perName.get(text);
    if (ids === undefined) {
      const all = this.candidatesOf(spec.name);
      const groups = testsOnlyNameAndVersion(spec) ? this.allowedGroups.get(spec.name) : undefined;
      if (groups?.uniform === true) {
        // Once per distinct version; the candidates outside the groups one by one.
        const matches = groups.matchesByGroup(spec);
        ids = all.filter((id) => {
          const group = this.versionGroupOf[id] as number;
          return group >= 0 ? matches[group] === 1 : spec.matches(this.candidate(id).record);
        });
      } else {
        const build = exactBuildOf(spec);
        const tested = build === undefined ? all : (this.buildBucketsOf(spec.name).get(build) ?? []);
        ids = tested.filter((id) => spec.matches(this.candidate(id).record));
      }
      perName.set(text, ids);
    }
    return ids;
  }

  /**
   * Parsed `depends` of a candidate (empty under `noDeps`). A dependency string that does not
   * parse makes the record *broken* (never chosen, see {@link brokenReason}) instead of
   * failing the whole solve: one bad record must not hide the rest of a channel.
   */
  depends(id: number): readonly ParsedSpec[] {
    let parsed = this.dependsMemo[id];
    if (parsed === undefined) {
      parsed = this.task.noDeps === true ? NO_SPECS : this.parseList(id, this.candidate(id).record.depends);
      this.dependsMemo[id] = parsed;
    }
    return parsed;
  }

  /**
   * Names in a candidate's `depends` even under `noDeps` (ordering the result still wants
   * dependencies first among the records that were chosen).
   */
  declaredDependencyNames(id: number): string[] {
    const names: string[] = [];
    for (const text of this.candidate(id).record.depends) {
      const parsed = this.parseSpec(text);
      if (!(parsed instanceof Error)) names.push(parsed.spec.name);
    }
    return names;
  }

  /** Parsed `constrains` of a candidate (kept under `noDeps`: they only restrict). */
  constrains(id: number): readonly ParsedSpec[] {
    let parsed = this.constrainsMemo[id];
    if (parsed === undefined) {
      parsed = this.parseList(id, this.candidate(id).record.constrains ?? []);
      this.constrainsMemo[id] = parsed;
    }
    return parsed;
  }

  /** Why a candidate can never be chosen (an unparsable dependency), if it cannot. */
  brokenReason(id: number): string | undefined {
    this.depends(id);
    this.constrains(id);
    return this.broken.get(id);
  }

  /**
   * Why a candidate can never be chosen: broken metadata, or a dependency that no record
   * in the channels (or virtual package) satisfies. Knowing the latter when the candidate
   * is first mentioned keeps a name with many such builds from costing one conflict each
   * (quadratic with the sequential at-most-one encoding), as resolvo's excluded candidates do.
   */
  unusableReason(id: number): string | undefined {
    const broken = this.brokenReason(id);
    if (broken !== undefined) return broken;
    let reason = this.missingMemo[id];
    if (reason === undefined) {
      // Per parsed list: the candidates sharing a `depends` list share the answer.
      const depends = this.depends(id);
      reason = this.missingOfList.get(depends);
      if (reason === undefined) {
        const missing = depends.find((dep) => this.matching(dep.spec, dep.text).length === 0);
        reason = missing ? `it requires '${missing.text}', ${this.whyNothingMatches(missing.spec.name)}` : '';
        this.missingOfList.set(depends, reason);
      }
      this.missingMemo[id] = reason;
    }
    return reason === '' ? undefined : reason;
  }

  private whyNothingMatches(name: string): string {
    let why = this.nothingMatchesMemo.get(name);
    if (why === undefined) {
      why = this.describeNothingMatches(name);
      this.nothingMatchesMemo.set(name, why);
    }
    return why;
  }

  private describeNothingMatches(name: string): string {
    const versions = [...new Set(this.candidatesOf(name).map((c) => this.candidate(c).record.version))];
    if (versions.length === 0) return `and no package named '${name}' is available`;
    const shown = versions.slice(0, 5).join(' | ') + (versions.length > 5 ? ` | … (${versions.length} in all)` : '');
    return `for which no candidates were found (available versions: ${shown})`;
  }

  private parseList(id: number, texts: readonly string[]): readonly ParsedSpec[] {
    // Records of a channel share their depends/constrains lists (record-parser.ts): one
    // parsed list per shared list instead of one per candidate.
    let parsedList = this.parsedLists.get(texts);
    if (parsedList === undefined) {
      const specs: ParsedSpec[] = [];
      let error: string | undefined;
      for (const text of texts) {
        const parsed = this.parseSpec(text);
        if (parsed instanceof Error) error ??= `cannot parse '${text}': ${parsed.message}`;
        else specs.push(parsed);
      }
      parsedList = { specs, error };
      this.parsedLists.set(texts, parsedList);
    }
    if (parsedList.error !== undefined && !this.broken.has(id)) this.broken.set(id, parsedList.error);
    return parsedList.specs;
  }

  private parseSpec(text: string): ParsedSpec | Error {
    let parsed = this.specMemo.get(text);
    if (parsed === undefined) {
      try {
        parsed = { text, spec: MatchSpec.parse(text) };
      } catch (error) {
        parsed = error instanceof Error ? error : new Error(String(error));
      }
      this.specMemo.set(text, parsed);
    }
    return parsed;
  }

  /**
   * Loads every name reachable from `roots` through the `depends` of *any* candidate
   * (breadth-first, so `names` lists them in BFS order). Constrained names are not followed:
   * a constraint never pulls a package in. Names nothing can reach never get a variable.
   */
  explore(roots: readonly string[]): void {
    const queue: string[] = [];
    const seen = new Set<string>();
    const push = (name: string): void => {
      if (!seen.has(name)) {
        seen.add(name);
        queue.push(name);
      }
    };
    roots.forEach(push);
    for (let head = 0; head < queue.length; head++) {
      const name = queue[head] as string;
      for (const id of this.candidatesOf(name)) {
        for (const dep of this.depends(id)) push(dep.spec.name);
      }
    }
  }
}

/**
 * Index of `record` in `records`: the same archive from the same channel, else (a prefix
 * may spell its channel differently from the loader) the same name-version-build.
 */
function findSameRecord(records: readonly RepoDataRecord[], record: RepoDataRecord): number {
  const key = recordKey(record);
  const exact = records.findIndex((r) => recordKey(r) === key);
  if (exact >= 0) return exact;
  return records.findIndex(
    (r) => r.name === record.name && r.version === record.version && r.build === record.build,
  );
}

/**
 * The solver's view of the package world: candidates per name (interned to integer ids),
 * memoised spec matching, and the lazy walk that discovers which names a solve can reach.
 * Backend-independent: the logic-solver encoding and the later CDCL both read from it.
 */
import { MatchSpec } from '../channels/model/match-spec/index.js';
import type { PackageRecord, RepoDataRecord } from '../channels/model/package-record.js';
import { filterByChannelPriority, orderCandidates, recordKey, type TieBreak } from './candidates.js';
import { dependencyTieBreak } from './dependency-tiebreak.js';
import type { SolverTask } from './task.js';

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
  private readonly specMemo = new Map<string, ParsedSpec | Error>();
  private readonly dependsMemo = new Map<number, readonly ParsedSpec[]>();
  private readonly constrainsMemo = new Map<number, readonly ParsedSpec[]>();
  private readonly broken = new Map<number, string>();
  private readonly missingMemo = new Map<number, string>();
  private readonly lookup: (name: string) => readonly RepoDataRecord[];
  private readonly favored = new Map<string, { record: RepoDataRecord; favor: number }[]>();
  private readonly allowedRecords = new Map<string, readonly RepoDataRecord[]>();
  private readonly tieBreak: TieBreak;

  constructor(private readonly task: SolverTask) {
    const available = task.available;
    this.lookup = typeof available === 'function' ? available : (name) => available.get(name) ?? [];
    for (const record of task.installed ?? []) this.addFavored(record, 1);
    for (const record of task.locked ?? []) this.addFavored(record, 2);
    this.tieBreak = dependencyTieBreak({
      recordsOf: (name) => this.allowedRecordsOf(name),
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

    const ordered: { record: RepoDataRecord; virtual: boolean }[] = isVirtualName(name)
      ? (this.task.virtualPackages ?? []).filter((r) => r.name === name).map((r) => ({ record: virtualRecord(r), virtual: true }))
      : orderCandidates(this.lookup(name), this.task.channelPriority ?? 'strict', this.tieBreak).map((record) => ({ record, virtual: false }));

    const favorOf = new Map<number, number>();
    for (const { record, favor } of this.favored.get(name) ?? []) {
      let index = findSameRecord(ordered.map((o) => o.record), record);
      if (index < 0 && !isVirtualName(name)) {
        // Installed but no longer offered (channel removed, patched away, or a local
        // build): it stays a candidate, or a solve could never keep it.
        ordered.push({ record, virtual: false });
        index = ordered.length - 1;
      }
      if (index >= 0) favorOf.set(index, Math.max(favorOf.get(index) ?? 0, favor));
    }

    const ids = ordered.map(({ record, virtual }, index) => {
      const id = this.candidates.length;
      this.candidates.push({ id, name, record, virtual, favor: favorOf.get(index) ?? 0 });
      return id;
    });
    // Stable sort: favored records move ahead, the rest keep conda order.
    ids.sort((a, b) => (this.candidates[b]?.favor ?? 0) - (this.candidates[a]?.favor ?? 0));
    this.byName.set(name, ids);
    this.nameOrder.push(name);
    return ids;
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
      ids = this.candidatesOf(spec.name).filter((id) => spec.matches(this.candidate(id).record));
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
    let parsed = this.dependsMemo.get(id);
    if (parsed === undefined) {
      parsed = this.task.noDeps === true ? [] : this.parseList(id, this.candidate(id).record.depends);
      this.dependsMemo.set(id, parsed);
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
    let parsed = this.constrainsMemo.get(id);
    if (parsed === undefined) {
      parsed = this.parseList(id, this.candidate(id).record.constrains ?? []);
      this.constrainsMemo.set(id, parsed);
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
    let reason = this.missingMemo.get(id);
    if (reason === undefined) {
      const missing = this.depends(id).find((dep) => this.matching(dep.spec, dep.text).length === 0);
      reason = missing ? `it requires '${missing.text}', ${this.whyNothingMatches(missing.spec.name)}` : '';
      this.missingMemo.set(id, reason);
    }
    return reason === '' ? undefined : reason;
  }

  private whyNothingMatches(name: string): string {
    const versions = [...new Set(this.candidatesOf(name).map((c) => this.candidate(c).record.version))];
    if (versions.length === 0) return `and no package named '${name}' is available`;
    const shown = versions.slice(0, 5).join(' | ') + (versions.length > 5 ? ` | … (${versions.length} in all)` : '');
    return `for which no candidates were found (available versions: ${shown})`;
  }

  private parseList(id: number, texts: readonly string[]): ParsedSpec[] {
    const out: ParsedSpec[] = [];
    for (const text of texts) {
      const parsed = this.parseSpec(text);
      if (parsed instanceof Error) {
        if (!this.broken.has(id)) this.broken.set(id, `cannot parse '${text}': ${parsed.message}`);
      } else {
        out.push(parsed);
      }
    }
    return out;
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

/**
 * The records of one name grouped by version text. On conda-forge a name has tens of
 * thousands of records but far fewer distinct versions, and most dependency specs test
 * only name and version (`python >=3.8,<3.9.0a0`): such a spec is then matched once per
 * distinct version instead of once per record, with the same answer for every record.
 */
import type { MatchSpec } from '../channels/model/match-spec/index.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import { distinctVersionRanks } from './candidates.js';

/**
 * True when `spec.matches(record)` depends on the record's name and version only: no
 * build, build number, channel, subdir, digest, file, URL, license or feature test.
 */
export function testsOnlyNameAndVersion(spec: MatchSpec): boolean {
  return (
    spec.build === undefined &&
    (spec.buildNumber === undefined || spec.buildNumber.isAny()) &&
    (spec.channel === undefined || spec.channel === '*') &&
    spec.subdir === undefined &&
    spec.md5 === undefined &&
    spec.sha256 === undefined &&
    spec.fn === undefined &&
    spec.url === undefined &&
    spec.license === undefined &&
    spec.licenseFamily === undefined &&
    spec.trackFeatures === undefined &&
    spec.features === undefined
  );
}

export class VersionGroups {
  /** Distinct version texts, in order of first appearance. */
  private readonly versions: string[] = [];
  /** The first record of each distinct version. */
  private readonly representatives: RepoDataRecord[] = [];
  /** Per record (by position), the index of its version. */
  readonly groupOf: Int32Array;
  /** False when the records do not all share one name; then matching must not use the groups. */
  readonly uniform: boolean;
  private ranksMemo: Int32Array | undefined;
  private newestFirstMemo: number[] | undefined;

  constructor(records: readonly RepoDataRecord[]) {
    this.groupOf = new Int32Array(records.length);
    const indexOf = new Map<string, number>();
    const name = records[0]?.name;
    let uniform = true;
    for (let k = 0; k < records.length; k++) {
      const record = records[k] as RepoDataRecord;
      if (record.name !== name) uniform = false;
      let group = indexOf.get(record.version);
      if (group === undefined) {
        group = this.versions.length;
        indexOf.set(record.version, group);
        this.versions.push(record.version);
        this.representatives.push(record);
      }
      this.groupOf[k] = group;
    }
    this.uniform = uniform;
  }

  /** Per record, its version's rank in conda order (0 = newest, see versionRanks). */
  recordRanks(): Int32Array {
    const ranks = this.ranks();
    return this.groupOf.map((group) => ranks[group] as number);
  }

  /**
   * Per version index, 1 when `spec` matches that version's records. Callers check
   * `uniform` and {@link testsOnlyNameAndVersion} first, else grouping would be wrong.
   */
  matchesByGroup(spec: MatchSpec): Uint8Array {
    const out = new Uint8Array(this.representatives.length);
    for (let group = 0; group < out.length; group++) if (spec.matches(this.representatives[group] as RepoDataRecord)) out[group] = 1;
    return out;
  }

  /**
   * The newest version text matched by every spec (the first of equal versions in record
   * order), or null when no record matches them all. Same preconditions as above.
   */
  newestMatching(specs: readonly MatchSpec[]): string | null {
    for (const group of this.newestFirst()) {
      const record = this.representatives[group] as RepoDataRecord;
      if (specs.every((spec) => spec.matches(record))) return this.versions[group] as string;
    }
    return null;
  }

  private ranks(): Int32Array {
    this.ranksMemo ??= distinctVersionRanks(this.versions);
    return this.ranksMemo;
  }

  /** Version indices, newest first; equal versions keep their order of appearance (stable sort). */
  private newestFirst(): readonly number[] {
    if (this.newestFirstMemo === undefined) {
      const ranks = this.ranks();
      this.newestFirstMemo = this.versions.map((_, group) => group).sort((a, b) => (ranks[a] as number) - (ranks[b] as number));
    }
    return this.newestFirstMemo;
  }
}

/**
 * Tie-break between two builds of the same name, version and build number: prefer the one
 * whose dependencies allow newer versions. Without it, `scipy 1.1.0` would get whichever
 * of its py27/py36/py37 builds was uploaded last (the timestamp), and python would follow;
 * conda's classic solver maximised every package's version, rattler compares dependency
 * versions the same way.
 */
import type { MatchSpec } from '../channels/model/match-spec/index.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import { bucketByBuild, exactBuildOf } from './build-buckets.js';
import { compareVersionsDescending, type TieBreak } from './candidates.js';
import { testsOnlyNameAndVersion, type VersionGroups } from './version-groups.js';

export interface TieBreakSources {
  /** All records of a name that channel priority allows, in any order. */
  readonly recordsOf: (name: string) => readonly RepoDataRecord[];
  /** The same records grouped by version. */
  readonly groupsOf: (name: string) => VersionGroups;
  /** A parsed dependency string, or null when it does not parse. */
  readonly parse: (text: string) => MatchSpec | null;
}

/**
 * For every dependency name both records require, compares the newest version each one's
 * requirement allows; the record ahead on more such names wins. Looks at raw records (not
 * the solver's ordered candidates) so that ordering one name never needs another name to
 * be ordered first, which would recurse forever on dependency cycles.
 */
export function dependencyTieBreak(sources: TieBreakSources): TieBreak {
  const best = new Map<string, string | null>();
  // The comparator runs O(n log n) times per name: requirements are grouped once per
  // `depends` list (records of a channel share those lists, record-parser.ts) and each
  // keeps its newest allowed version once known.
  const byNameOfDepends = new WeakMap<readonly string[], RequirementsByName>();

  const newestAllowed = (name: string, requirement: Requirement): string | null => {
    if (requirement.newest !== undefined) return requirement.newest;
    const key = `${name}\u0000${requirement.texts.join('\u0000')}`;
    let version = best.get(key);
    if (version === undefined) {
      version = newestMatching(name, requirement.texts);
      best.set(key, version);
    }
    requirement.newest = version;
    return version;
  };

  const bucketsByName = new Map<string, Map<string, RepoDataRecord[]>>();
  const buildBuckets = (name: string, records: readonly RepoDataRecord[]): Map<string, RepoDataRecord[]> => {
    let buckets = bucketsByName.get(name);
    if (buckets === undefined) {
      buckets = bucketByBuild(records, (record) => record);
      bucketsByName.set(name, buckets);
    }
    return buckets;
  };

  const newestMatching = (name: string, texts: readonly string[]): string | null => {
    const specs = texts.map(sources.parse);
    if (!specs.every((spec) => spec !== null)) return null;
    const records = sources.recordsOf(name);
    if ((specs as MatchSpec[]).every(testsOnlyNameAndVersion)) {
      const grouped = sources.groupsOf(name);
      if (grouped.uniform) return grouped.newestMatching(specs as MatchSpec[]);
    }
    // A literal build narrows the records that can match to one bucket (same order).
    const build = (specs as MatchSpec[]).map(exactBuildOf).find((b) => b !== undefined);
    const tested = build === undefined ? records : (buildBuckets(name, records).get(build) ?? []);
    let version: string | null = null;
    for (const record of tested) {
      if (specs.every((spec) => (spec as MatchSpec).matches(record)) && (version === null || compareVersionsDescending(record.version, version) < 0)) {
        version = record.version;
      }
    }
    return version;
  };

  const byName = (record: RepoDataRecord): RequirementsByName => {
    let out = byNameOfDepends.get(record.depends);
    if (out === undefined) {
      out = { names: [], requirements: [], byName: new Map() };
      for (const text of record.depends) {
        const name = sources.parse(text)?.name;
        if (name === undefined) continue;
        const known = out.byName.get(name);
        if (known !== undefined) {
          known.texts.push(text);
          continue;
        }
        const requirement: Requirement = { texts: [text], newest: undefined };
        out.byName.set(name, requirement);
        out.names.push(name);
        out.requirements.push(requirement);
      }
      byNameOfDepends.set(record.depends, out);
    }
    return out;
  };

  return (a, b) => {
    const depsA = byName(a);
    const depsB = byName(b).byName;
    let score = 0;
    for (let i = 0; i < depsA.names.length; i++) {
      const name = depsA.names[i] as string;
      const requirementA = depsA.requirements[i] as Requirement;
      const requirementB = depsB.get(name);
      if (requirementB === undefined) continue;
      const va = newestAllowed(name, requirementA);
      const vb = newestAllowed(name, requirementB);
      if (va === vb) continue;
      // A requirement nothing satisfies is worse than any satisfiable one.
      if (va === null) score += 1;
      else if (vb === null) score -= 1;
      else score += Math.sign(compareVersionsDescending(va, vb));
    }
    return score;
  };
}

/** A `depends` list by dependency name; `names` and `requirements` in first-mention order. */
interface RequirementsByName {
  readonly names: string[];
  readonly requirements: Requirement[];
  readonly byName: Map<string, Requirement>;
}

/** The dependency strings of one record on one name, and the newest version they allow once known. */
interface Requirement {
  readonly texts: string[];
  newest: string | null | undefined;
}

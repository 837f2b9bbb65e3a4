/**
 * Tie-break between two builds of the same name, version and build number: prefer the one
 * whose dependencies allow newer versions. Without it, `scipy 1.1.0` would get whichever
 * of its py27/py36/py37 builds was uploaded last (the timestamp), and python would follow;
 * conda's classic solver maximised every package's version, rattler compares dependency
 * versions the same way.
 */
import type { MatchSpec } from '../channels/model/match-spec/index.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import { compareVersionsDescending, type TieBreak } from './candidates.js';

export interface TieBreakSources {
  /** All records of a name that channel priority allows, in any order. */
  readonly recordsOf: (name: string) => readonly RepoDataRecord[];
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

  const newestAllowed = (name: string, texts: readonly string[]): string | null => {
    const key = `${name}\u0000${texts.join('\u0000')}`;
    let version = best.get(key);
    if (version === undefined) {
      const specs = texts.map(sources.parse);
      version = null;
      if (specs.every((spec) => spec !== null)) {
        for (const record of sources.recordsOf(name)) {
          if (specs.every((spec) => (spec as MatchSpec).matches(record)) && (version === null || compareVersionsDescending(record.version, version) < 0)) {
            version = record.version;
          }
        }
      }
      best.set(key, version);
    }
    return version;
  };

  const byName = (record: RepoDataRecord): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const text of record.depends) {
      const name = sources.parse(text)?.name;
      if (name !== undefined) out.set(name, [...(out.get(name) ?? []), text]);
    }
    return out;
  };

  return (a, b) => {
    const depsA = byName(a);
    const depsB = byName(b);
    let score = 0;
    for (const [name, textsA] of depsA) {
      const textsB = depsB.get(name);
      if (textsB === undefined) continue;
      const va = newestAllowed(name, textsA);
      const vb = newestAllowed(name, textsB);
      if (va === vb) continue;
      // A requirement nothing satisfies is worse than any satisfiable one.
      if (va === null) score += 1;
      else if (vb === null) score -= 1;
      else score += Math.sign(compareVersionsDescending(va, vb));
    }
    return score;
  };
}

/**
 * The shortcuts that make conda-forge-sized solves fast must not change an answer:
 * - candidate order from precomputed keys (preferenceOrder) is the order of a plain sort
 *   by compareRecords, with the dependency tie-break, under every channel priority;
 * - version ranks agree with compareVersionsDescending;
 * - matching grouped by version (VersionGroups) agrees with matching every record;
 * - the linked watch lists of the clause store keep insertion order;
 * - a channel scaled up by ../shared/tools/scale-repodata.mjs (a real child process) still
 *   gets a solution the independent checker accepts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Channel } from '../../../channels/model/channel.js';
import { MatchSpec } from '../../../channels/model/match-spec/index.js';
import type { RepoDataRecord } from '../../../channels/model/package-record.js';
import { ChannelIndex } from '../../../channels/repodata/channel-index.js';
import {
  channelKey,
  compareRecords,
  compareVersionsDescending,
  filterByChannelPriority,
  orderCandidates,
  versionRanks,
  type TieBreak,
} from '../../../solver/candidates.js';
import { bucketByBuild, exactBuildOf } from '../../../solver/build-buckets.js';
import { ClauseKind, ClauseStore } from '../../../solver/cdcl/clause-store.js';
import { dependencyTieBreak } from '../../../solver/dependency-tiebreak.js';
import { CdclBackend, solve, type ChannelPriority } from '../../../solver/index.js';
import { testsOnlyNameAndVersion, VersionGroups } from '../../../solver/version-groups.js';
import { expectValidSolution } from '../../helpers/check-solution.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

type RawRecord = Omit<RepoDataRecord, 'fn' | 'url' | 'channel'>;

/** Records by name of one fixture channel (linux-64 and noarch), `channel` set to `label`. */
function loadRecords(folder: string, label: string): Map<string, RepoDataRecord[]> {
  const byName = new Map<string, RepoDataRecord[]>();
  for (const subdir of ['linux-64', 'noarch']) {
    const repodata = JSON.parse(readFileSync(path.join(folder, subdir, 'repodata.json'), 'utf8')) as Record<string, Record<string, RawRecord> | undefined>;
    for (const key of ['packages', 'packages.conda']) {
      for (const [fn, raw] of Object.entries(repodata[key] ?? {})) {
        const record = { ...raw, subdir: raw.subdir ?? subdir, depends: raw.depends ?? [], fn, url: '', channel: label } as RepoDataRecord;
        byName.set(record.name, [...(byName.get(record.name) ?? []), record]);
      }
    }
  }
  return byName;
}

/** What orderCandidates was before its keys were precomputed: one comparator call per comparison. */
function referenceOrder(records: readonly RepoDataRecord[], priority: ChannelPriority, tieBreak: TieBreak): RepoDataRecord[] {
  const rank = new Map<string, number>();
  for (const record of records) if (!rank.has(channelKey(record))) rank.set(channelKey(record), rank.size);
  const rankOf = (record: RepoDataRecord): number => rank.get(channelKey(record)) ?? 0;
  return filterByChannelPriority(records, priority).sort((a, b) => {
    if (priority === 'flexible' && rankOf(a) !== rankOf(b)) return rankOf(a) - rankOf(b);
    return compareRecords(a, b, tieBreak) || rankOf(a) - rankOf(b);
  });
}

/** The dependency tie-break by its definition: every record scanned for every requirement. */
function referenceTieBreak(recordsOf: (name: string) => readonly RepoDataRecord[]): TieBreak {
  const newest = (name: string, texts: readonly string[]): string | null => {
    let version: string | null = null;
    const specs = texts.map((t) => MatchSpec.parse(t));
    for (const record of recordsOf(name)) {
      if (specs.every((s) => s.matches(record)) && (version === null || compareVersionsDescending(record.version, version) < 0)) version = record.version;
    }
    return version;
  };
  const byName = (record: RepoDataRecord): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const text of record.depends) {
      const name = MatchSpec.parse(text).name;
      out.set(name, [...(out.get(name) ?? []), text]);
    }
    return out;
  };
  return (a, b) => {
    const depsB = byName(b);
    let score = 0;
    for (const [name, textsA] of byName(a)) {
      const textsB = depsB.get(name);
      if (textsB === undefined) continue;
      const va = newest(name, textsA);
      const vb = newest(name, textsB);
      if (va === vb) continue;
      if (va === null) score += 1;
      else if (vb === null) score -= 1;
      else score += Math.sign(compareVersionsDescending(va, vb));
    }
    return score;
  };
}

const show = (records: readonly RepoDataRecord[]): string[] => records.map((r) => `${r.channel}/${r.subdir}/${r.fn}`);

describeShared('large candidate sets: the fast paths give the same answers', () => {
  const defaults = loadRecords(sharedPath('fixtures', 'channels', 'defaults-index4'), 'defaults');
  const forge = loadRecords(sharedPath('fixtures', 'channels', 'conda-forge-subset'), 'conda-forge');
  // Both channels under each name, conda-forge first: strict filters, flexible and disabled mix.
  const merged = new Map<string, RepoDataRecord[]>();
  for (const source of [forge, defaults]) for (const [name, records] of source) merged.set(name, [...(merged.get(name) ?? []), ...records]);

  test.each(['strict', 'flexible', 'disabled'] as const)('candidate order equals a sort by compareRecords (%s priority)', (priority) => {
    const allowed = new Map<string, RepoDataRecord[]>();
    const recordsOf = (name: string): RepoDataRecord[] => {
      let records = allowed.get(name);
      if (records === undefined) {
        records = filterByChannelPriority(merged.get(name) ?? [], priority);
        allowed.set(name, records);
      }
      return records;
    };
    const groups = new Map<string, VersionGroups>();
    const fast = dependencyTieBreak({
      recordsOf,
      groupsOf: (name) => groups.get(name) ?? groups.set(name, new VersionGroups(recordsOf(name))).get(name)!,
      parse: (text) => MatchSpec.parse(text),
    });
    const reference = referenceTieBreak(recordsOf);
    let compared = 0;
    let ties = 0;
    const counted: TieBreak = (a, b) => {
      ties++;
      return fast(a, b);
    };
    for (const [name, records] of merged) {
      expect([name, show(orderCandidates(records, priority, counted))]).toEqual([name, show(referenceOrder(records, priority, reference))]);
      compared += records.length;
    }
    expect(compared).toBeGreaterThan(5_000);
    // The dependency tie-break really decided some of it.
    expect(ties).toBeGreaterThan(1_000);
  });

  test('version ranks agree with compareVersionsDescending, equal versions sharing a rank', () => {
    const texts = [...new Set([...merged.values()].flat().map((r) => r.version)), '1.0', '1.0.0', '1.0.0.0', '1.0a1', 'not a version!'];
    const ranks = versionRanks(texts);
    const disagreements: string[] = [];
    for (let i = 0; i < texts.length; i++) {
      for (let j = i; j < texts.length; j += 7) {
        const expected = Math.sign(compareVersionsDescending(texts[i] as string, texts[j] as string));
        if (Math.sign((ranks[i] as number) - (ranks[j] as number)) !== expected) disagreements.push(`${texts[i]} vs ${texts[j]}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(texts.length).toBeGreaterThan(1000);
    expect(ranks[texts.indexOf('1.0')]).toBe(ranks[texts.indexOf('1.0.0.0')]);
  });

  test('matching by version groups agrees with matching every record', () => {
    let specs = 0;
    for (const records of forge.values()) {
      for (const text of new Set(records.flatMap((r) => r.depends))) {
        const spec = MatchSpec.parse(text);
        const targets = forge.get(spec.name);
        if (targets === undefined || !testsOnlyNameAndVersion(spec)) continue;
        const groups = new VersionGroups(targets);
        expect(groups.uniform).toBe(true);
        const byGroup = groups.matchesByGroup(spec);
        const grouped = targets.filter((_, k) => byGroup[groups.groupOf[k] as number] === 1);
        expect([text, show(grouped)]).toEqual([text, show(targets.filter((r) => spec.matches(r)))]);
        let newest: string | null = null;
        for (const r of targets) if (spec.matches(r) && (newest === null || compareVersionsDescending(r.version, newest) < 0)) newest = r.version;
        expect([text, groups.newestMatching([spec])]).toEqual([text, newest]);
        specs++;
      }
    }
    expect(specs).toBeGreaterThan(100);
  });

  test('matching a literal build within its bucket agrees with matching every record', () => {
    let specs = 0;
    for (const records of defaults.values()) {
      for (const text of new Set(records.flatMap((r) => r.depends))) {
        const spec = MatchSpec.parse(text);
        const targets = defaults.get(spec.name);
        const build = exactBuildOf(spec);
        if (targets === undefined || build === undefined) continue;
        const bucket = bucketByBuild(targets, (r) => r).get(build) ?? [];
        expect([text, show(bucket.filter((r) => spec.matches(r)))]).toEqual([text, show(targets.filter((r) => spec.matches(r)))]);
        specs++;
      }
    }
    // Globs and regexes are not literal builds.
    expect(exactBuildOf(MatchSpec.parse('numpy 1.15.0 py37*'))).toBeUndefined();
    expect(exactBuildOf(MatchSpec.parse('numpy[build="^py3.*$"]'))).toBeUndefined();
    expect(specs).toBeGreaterThan(50);
  });

  test('a channel scaled 8 times by scale-repodata.mjs solves, and the checker accepts the answer', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'taipan-scaled-'));
    try {
      const script = sharedPath('tools', 'scale-repodata.mjs');
      execFileSync(process.execPath, [script, sharedPath('fixtures', 'channels', 'conda-forge-subset'), path.join(work, 'channel'), '8'], { stdio: 'pipe' });
      const index = await ChannelIndex.load([Channel.parse(path.join(work, 'channel'))], 'linux-64', { cacheDir: path.join(work, 'cache'), offline: true });
      const specs = ['python', 'pip', 'setuptools', 'wheel'];
      const virtualPackages = [
        { name: '__unix', version: '0', build: '0', build_number: 0, depends: [] },
        { name: '__glibc', version: '2.35', build: '0', build_number: 0, depends: [] },
      ];
      const backend = new CdclBackend();
      const { records } = await solve(
        { specs: specs.map((s) => MatchSpec.parse(s)), available: (name) => index.get(name), virtualPackages },
        { backend },
      );
      expectValidSolution({ records, specs, available: (name) => index.get(name), virtualPackages });
      // Newest first: the chosen setuptools is the newest any record offers (nothing constrains it).
      const setuptools = records.find((r) => r.name === 'setuptools');
      const newest = [...index.get('setuptools')].sort((a, b) => compareVersionsDescending(a.version, b.version))[0];
      expect(compareVersionsDescending(setuptools!.version, newest!.version)).toBe(0);
      expect(backend.lastStats!.candidates).toBeGreaterThan(10_000);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('clause store watch lists', () => {
  const order = (store: ClauseStore, literal: number): number[] => {
    const clauses: number[] = [];
    for (let node = store.firstWatch(literal); node >= 0; node = store.nextWatch(node)) clauses.push(node >> 1);
    return clauses;
  };

  test('keep insertion order through moves and removals', () => {
    const store = new ClauseStore();
    store.ensureVars(8);
    // Literals 0..15; every clause watches literal 2 and one other.
    const clauses = [3, 5, 7, 9, 11].map((other) => store.addBinary(2, other, ClauseKind.ForbidMultiple, -1));
    clauses.forEach((c) => store.watch(c));
    expect(order(store, 2)).toEqual(clauses);
    // Move the middle clause's watch of literal 2 to literal 13: it leaves 2's list and ends 13's.
    store.watch(store.addBinary(13, 15, ClauseKind.Requires, 0));
    let previous = -1;
    let node = store.firstWatch(2);
    while (node >> 1 !== clauses[2]) {
      previous = node;
      node = store.nextWatch(node);
    }
    store.moveWatch(node, previous, 2, 13);
    expect(order(store, 2)).toEqual([clauses[0], clauses[1], clauses[3], clauses[4]]);
    expect(order(store, 13)).toEqual([5, clauses[2]]);
    // Removing the last node keeps appends working at the new tail.
    store.unwatch(clauses[4] as number);
    expect(order(store, 2)).toEqual([clauses[0], clauses[1], clauses[3]]);
    expect(order(store, 11)).toEqual([]);
    store.watch(clauses[4] as number);
    expect(order(store, 2)).toEqual([clauses[0], clauses[1], clauses[3], clauses[4]]);
  });

  test('grow past their initial capacity', () => {
    const store = new ClauseStore();
    const vars = 5000;
    store.ensureVars(vars);
    for (let v = 1; v < vars; v++) store.watch(store.addBinary(0, v * 2, ClauseKind.ForbidMultiple, -1));
    expect(order(store, 0)).toHaveLength(vars - 1);
    expect(order(store, (vars - 1) * 2)).toEqual([vars - 2]);
  });
});

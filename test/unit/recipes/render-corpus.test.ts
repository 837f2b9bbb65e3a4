/**
 * Acceptance: taipan's meta.yaml renderer against what conda-build 26.7.1 rendered for the
 * real conda-forge feedstocks of ../shared/fixtures/recipes-corpus (linux-64, osx-arm64,
 * win-64 with conda-forge's pinning). The agreement is a ratchet: it may rise, never fall.
 * `npm run render-corpus` prints the table with the first difference of each feedstock.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CLI, runCli } from '../../helpers/cli.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';
import { compareCorpus, entryOfRenderJson, oracleOutputs, outputsDifference, type CorpusSummary } from '../../conformance/corpus-compare.js';
import { CORPUS_EXCEPTIONS } from '../../conformance/render-corpus-exceptions.js';

const ROOT = sharedPath('fixtures', 'recipes-corpus');
const PINNING = sharedPath('fixtures', 'recipes', 'pinning', 'conda_build_config.yaml');

/** Platform renders (of 323 with an oracle) that agree today; raise it as the renderer improves. */
const AGREEING_AT_LEAST = 188;

const built = existsSync(path.join(path.dirname(CLI), 'commands', 'render.js'));

describeShared('render corpus: taipan vs conda-build', () => {
  let summary: CorpusSummary;
  beforeAll(() => {
    summary = compareCorpus(ROOT, PINNING, CORPUS_EXCEPTIONS);
  }, 600_000);

  test('every platform render with an oracle is compared', () => {
    expect(summary.total).toBe(323);
    expect(summary.results.filter((r) => r.verdict === 'no-oracle').map((r) => `${r.feedstock} ${r.platform}`)).toEqual(['ctng-compilers-feedstock linux-64']);
  });

  test(`at least ${AGREEING_AT_LEAST} platform renders agree (ratchet)`, () => {
    const agreeing = summary.agree;
    if (agreeing < AGREEING_AT_LEAST) {
      const lost = summary.results.filter((r) => r.verdict === 'differ').map((r) => `${r.feedstock} ${r.platform}: ${r.difference}`);
      throw new Error(`${agreeing} of ${summary.total} agree, fewer than ${AGREEING_AT_LEAST}; differing:\n${lost.join('\n')}`);
    }
  });

  test('every listed exception has a reason and is still needed', () => {
    for (const e of CORPUS_EXCEPTIONS) {
      expect(e.reason.trim().length).toBeGreaterThan(20);
      const rows = summary.results.filter((r) => r.feedstock === e.feedstock && (e.platform === undefined || r.platform === e.platform));
      expect(rows.length).toBeGreaterThan(0);
      // An exception whose feedstock now agrees without it is stale: remove it from the list.
      expect(rows.some((r) => r.verdict !== 'agree')).toBe(true);
    }
    for (const r of summary.excepted) {
      expect(CORPUS_EXCEPTIONS.some((e) => e.feedstock === r.feedstock)).toBe(true);
    }
  });

  test('a feedstock that agrees renders for the three platforms: zlib with its four outputs', () => {
    const zlib = summary.results.filter((r) => r.feedstock === 'zlib-feedstock');
    expect(zlib.map((r) => r.verdict)).toEqual(['agree', 'agree', 'agree']);
  });

  (built ? test : test.skip)('the CLI (`taipan render --json --include-skipped`) prints what conda-build rendered', () => {
    const recipe = path.join(ROOT, 'zlib-feedstock', 'recipe');
    const r = runCli(['render', recipe, '--platform', 'osx-arm64', '-m', PINNING, '--json', '--include-skipped']);
    expect(r.status).toBe(0);
    const ours = (JSON.parse(r.stdout) as Parameters<typeof entryOfRenderJson>[0][]).map(entryOfRenderJson);
    const oracle = oracleOutputs(ROOT, 'zlib-feedstock', 'osx-arm64')!;
    expect(ours.map((e) => `${e.name} ${e.build_string}`).sort()).toEqual(oracle.map((e) => `${e.name} ${e.build_string}`).sort());
    expect(outputsDifference(oracle, ours)).toBeUndefined();
  });
});

/**
 * `npm run render-corpus`: renders every recipe of ../shared/fixtures/recipes-corpus with
 * taipan for linux-64, osx-arm64 and win-64 and compares with what conda-build rendered.
 * Prints one row per feedstock (agree, or the first difference per platform) and the total.
 * Options: a feedstock name filter (substring), `--json` for machine-readable results.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareCorpus, CORPUS_PLATFORMS, type PlatformResult } from './corpus-compare.js';
import { CORPUS_EXCEPTIONS } from './render-corpus-exceptions.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// dist/test/conformance → the repo, whose sibling is ../shared
const repo = path.resolve(here, '..', '..', '..');
const shared = process.env.TAIPAN_SHARED_DIR ?? path.resolve(repo, '..', 'shared');
const root = path.join(shared, 'fixtures', 'recipes-corpus');
const pinning = path.join(shared, 'fixtures', 'recipes', 'pinning', 'conda_build_config.yaml');

function main(): void {
  if (!existsSync(root)) {
    process.stderr.write(`render-corpus: '${root}' is missing (set TAIPAN_SHARED_DIR)\n`);
    process.exit(2);
  }
  const args = process.argv.slice(2);
  const filter = args.find((a) => !a.startsWith('--'));
  const summary = compareCorpus(root, pinning, CORPUS_EXCEPTIONS, filter);
  const results = summary.results;
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ total: summary.total, agree: summary.agree, excepted: summary.excepted.length, results }, null, 1)}\n`);
    return;
  }
  const byFeedstock = new Map<string, PlatformResult[]>();
  for (const r of results) byFeedstock.set(r.feedstock, [...(byFeedstock.get(r.feedstock) ?? []), r]);
  const width = Math.max(...[...byFeedstock.keys()].map((f) => f.length));
  const mark = (r: PlatformResult): string => (r.verdict === 'agree' ? 'agree ' : r.verdict === 'no-oracle' ? 'n/a   ' : r.verdict === 'excepted' ? 'except' : 'differ');
  process.stdout.write(`${'feedstock'.padEnd(width)}  ${CORPUS_PLATFORMS.map((p) => p.padEnd(9)).join(' ')}  first difference\n`);
  for (const [feedstock, rows] of byFeedstock) {
    const first = rows.find((r) => r.verdict === 'differ');
    const cells = CORPUS_PLATFORMS.map((p) => mark(rows.find((r) => r.platform === p)!).padEnd(9)).join(' ');
    process.stdout.write(`${feedstock.padEnd(width)}  ${cells}  ${first ? `${first.platform}: ${first.difference}` : ''}\n`);
  }
  const pct = ((100 * summary.agree) / summary.total).toFixed(1);
  process.stdout.write(`\ntotal: ${summary.agree} of ${summary.total} platform renders agree (${pct}%)`);
  process.stdout.write(summary.excepted.length > 0 ? `, ${summary.excepted.length} more listed as conda-build exceptions\n` : '\n');
}

main();

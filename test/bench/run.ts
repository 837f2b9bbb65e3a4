/**
 * `npm run bench`: taipan against rattler (WASM). Needs ../shared (the real data); without
 * it, says so and exits 0. New benchmarks add their cases here.
 *
 *   node dist/test/bench/run.js [versions] [solve] [scaled]   (no argument: all of them)
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { formatTable, runBench } from './bench.js';
import { runScaledBench } from './scaled-bench.js';
import { runSolveBench } from './solve-bench.js';
import { loadVersionBenchData, versionBenchCases, type RattlerModule } from './version-bench.js';

const ROUNDS = 15;
const WARMUP = 5;

function runVersionBench(): void {
  const conformance = path.resolve(process.cwd(), '..', 'shared', 'conformance');
  if (!existsSync(path.join(conformance, 'real-versions.json'))) {
    console.log(`bench skipped: '${conformance}' is absent (the real versions and specs live there)`);
    return;
  }
  // The CommonJS build loads its WASM synchronously; the ESM build expects a bundler.
  const rattler = createRequire(import.meta.url)('@conda-org/rattler') as RattlerModule;

  const { cases, notes } = versionBenchCases(loadVersionBenchData(conformance), rattler);
  const rows = runBench(cases, { rounds: ROUNDS, warmup: WARMUP });
  console.log(`taipan vs @conda-org/rattler (ms per run, median of ${ROUNDS} rounds after ${WARMUP} warm-up)\n`);
  console.log(formatTable(rows, 'rattler'));
  for (const note of notes) console.log(`note: ${note}`);
}

const BENCHES = {
  versions: async () => runVersionBench(),
  solve: () => runSolveBench({ rounds: 9, warmup: 3 }),
  scaled: () => runScaledBench(),
} as const;

const chosen = process.argv.slice(2);
for (const name of chosen) {
  if (!(name in BENCHES)) {
    console.error(`unknown bench '${name}': choose from ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
}
for (const [name, bench] of Object.entries(BENCHES)) {
  if (chosen.length === 0 || chosen.includes(name)) await bench();
}

/**
 * `npm run reliability`: every category in full, then the table (for the README's
 * Reliability section). `--quick` runs the reduced form jest runs; `--only <name>` picks
 * categories whose name contains <name>; `--verbose` prints every failing case's detail.
 * Exits 1 when a case did not survive or anything was lost.
 */
import { CATEGORIES } from './categories.js';
import { formatTable, runCategories } from './harness.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const categories = CATEGORIES.filter((c) => only === undefined || c.name.toLowerCase().includes(only.toLowerCase()));
const started = Date.now();
const results = await runCategories(categories, { quick, log: (m) => process.stderr.write(`  ${m}\n`) });
process.stdout.write(`\n${formatTable(results)}\n\n`);
process.stdout.write(`${quick ? 'quick form' : 'full form'}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
let bad = false;
for (const r of results) {
  for (const f of r.failures) {
    bad = true;
    process.stdout.write(`FAILED [${r.category}] ${f.name}: survived=${f.survived} lost=${f.lost}\n    ${(f.detail ?? '').slice(0, argv.includes('--verbose') ? 4000 : 600)}\n`);
  }
}
process.exit(bad ? 1 : 0);

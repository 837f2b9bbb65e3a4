/**
 * The reliability suite (test/reliability) in its reduced form: a few cases of every
 * category, against the built CLI (npm test builds first), a real HTTP server and real
 * files. Every case must survive and nothing may be lost. `npm run reliability` runs the
 * full form and prints the table.
 */
import { CATEGORIES } from '../../reliability/categories.js';
import { formatTable, runCategories, type CategoryResult } from '../../reliability/harness.js';

let results: CategoryResult[] = [];

beforeAll(async () => {
  results = await runCategories(CATEGORIES, { quick: true });
  // eslint-disable-next-line no-console
  console.log(formatTable(results));
}, 600_000);

test.each(CATEGORIES.map((c) => c.name))('%s: every case survives, nothing lost', (name) => {
  const result = results.find((r) => r.category === name);
  expect(result).toBeDefined();
  expect(result?.tried).toBeGreaterThan(0);
  expect(result?.failures.map((f) => `${f.name}: survived=${f.survived} lost=${f.lost} ${f.detail ?? ''}`.slice(0, 1500))).toEqual([]);
  expect(result?.lost).toBe(0);
  expect(result?.survived).toBe(result?.tried);
});

/**
 * The key tables are complete: every real recipe in ../shared/fixtures/recipes (conda-forge
 * feedstocks, rattler-build's and conda's test recipes) and ../shared/fixtures/recipes-corpus
 * (conda-forge feedstocks) renders for linux-64, osx-arm64 and win-64 without an
 * unknown-key complaint. A complaint here means a table lacks a key the reference tools
 * accept, except the few below, which are mistakes in the recipes themselves that
 * conda-build passes over without a word.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isTaipanError } from '../../../channels/model/errors.js';
import { formatWarning, type RecipeWarning } from '../../../recipes/format-context.js';
import { renderRecipeSync } from '../../../recipes/render.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

const PINNING = sharedPath('fixtures', 'recipes', 'pinning', 'conda_build_config.yaml');
const PLATFORMS = ['linux-64', 'osx-arm64', 'win-64'];

/** Real mistakes in real recipes: conda-build ignores these keys, so the recipe loses what they say. */
const RECIPE_MISTAKES = [
  // `requirements:` under an output's test: meta.yaml's test requirements are `requires`.
  "postgresql-feedstock/recipe/meta.yaml:116:7: unknown key 'requirements' in outputs[0].test",
  // The py-gdal output's about: indented under its test.
  "gdal-feedstock/recipe/meta.yaml:656:7: unknown key 'about' in outputs[16].test",
];
/** rattler-build's parser tests: a recipe whose point is an unknown key. */
const INVALID_ON_PURPOSE = ['rattler-build-test-test-parsing/recipe_outputs_extra_keys.yaml'];

function recipeFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) {
        if (!['tests', 'patches', 'src'].includes(entry)) walk(full);
      } else if (entry === 'meta.yaml' || (full.includes(`${path.sep}v1${path.sep}`) && /\.ya?ml$/.test(entry) && !/variant|conda_build_config/.test(entry))) {
        out.push(full);
      }
    }
  };
  walk(sharedPath('fixtures', 'recipes', 'conda-build'));
  walk(sharedPath('fixtures', 'recipes', 'v1'));
  walk(sharedPath('fixtures', 'recipes-corpus'));
  return out.sort();
}

const isKeyComplaint = (text: string): boolean => /unknown key '/.test(text);

describeShared('the key tables know every key of the real recipes', () => {
  const files = recipeFiles();
  test('both fixture folders are there', () => {
    expect(files.filter((f) => f.includes('recipes-corpus')).length).toBeGreaterThan(100);
    expect(files.filter((f) => !f.includes('recipes-corpus')).length).toBeGreaterThan(80);
  });
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const group = path.relative(sharedPath('fixtures'), file).split(path.sep).slice(0, 3).join('/');
    groups.set(group, [...(groups.get(group) ?? []), file]);
  }
  for (const [group, members] of groups) {
    test(group, () => {
      const complaints: string[] = [];
      for (const file of members) {
        if (INVALID_ON_PURPOSE.some((n) => file.endsWith(n))) continue;
        for (const platform of PLATFORMS) {
          const onWarning = (w: RecipeWarning): void => {
            if (isKeyComplaint(w.message)) complaints.push(formatWarning(w));
          };
          try {
            renderRecipeSync(file, { targetPlatform: platform, buildPlatform: platform, variantConfigFiles: [PINNING], env: {}, onWarning });
          } catch (error) {
            // Other render failures are not this test's business; an unknown-key error is.
            if (!isTaipanError(error)) throw error;
            if (isKeyComplaint(error.message)) complaints.push(error.message);
          }
        }
      }
      const unexpected = [...new Set(complaints)].filter((c) => !RECIPE_MISTAKES.some((m) => c.includes(m)));
      expect(unexpected).toEqual([]);
    });
  }

  test('the recipe that is invalid on purpose is refused, with the key named', () => {
    const file = files.find((f) => f.endsWith(INVALID_ON_PURPOSE[0]!))!;
    expect(() => renderRecipeSync(file, { targetPlatform: 'linux-64', buildPlatform: 'linux-64', env: {} })).toThrow(/recipe_outputs_extra_keys\.yaml:\d+:\d+: unknown key 'randomkey' in the top level/);
  });

  test('the recipe mistakes are still found (each is a warning, not an error)', () => {
    for (const mistake of RECIPE_MISTAKES) {
      const feedstock = mistake.split('/')[0]!;
      const warnings: string[] = [];
      renderRecipeSync(sharedPath('fixtures', 'recipes-corpus', feedstock, 'recipe'), { targetPlatform: 'linux-64', buildPlatform: 'linux-64', variantConfigFiles: [PINNING], env: {}, onWarning: (w) => warnings.push(formatWarning(w)) });
      expect(warnings.some((w) => w.includes(mistake))).toBe(true);
    }
  });
});

/** Recipe errors name the file, the line (and column) and the problem. */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isTaipanError } from '../../../channels/model/errors.js';
import { renderRecipeSync } from '../../../recipes/render.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

function recipeDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taipan-recipe-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (!isTaipanError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('expected an error');
}

const opts = { targetPlatform: 'linux-64', buildPlatform: 'linux-64', env: {} };

describe('meta.yaml errors', () => {
  test('an undefined Jinja variable names file and line', () => {
    const dir = recipeDir({ 'meta.yaml': 'package:\n  name: x\n  version: {{ nope }}\n' });
    const e = errorOf(() => renderRecipeSync(dir, opts));
    expect(e.code).toBe('RECIPE');
    expect(e.message).toContain(`${path.join(dir, 'meta.yaml')}:3: Jinja error: undefined value in 'version: {{ nope }}'`);
  });

  test('a bad selector names file, line and column', () => {
    const dir = recipeDir({ 'meta.yaml': 'package:\n  name: x\n  version: 1\nrequirements:\n  run:\n    - foo  # [linux and (]\n' });
    const e = errorOf(() => renderRecipeSync(dir, opts));
    expect(e.message).toMatch(/meta\.yaml:6:\d+: invalid selector \[linux and \(\]/);
  });

  test('a YAML error after templates points into the original file', () => {
    const dir = recipeDir({ 'meta.yaml': '{% set v = "1" %}\npackage:\n  name: x\n  version: {{ v }}\nbuild: [unclosed\n' });
    const e = errorOf(() => renderRecipeSync(dir, opts));
    expect(e.message).toMatch(/meta\.yaml:5:\d+: invalid YAML/);
  });

  test('pin_subpackage of an unknown output', () => {
    const dir = recipeDir({ 'meta.yaml': "package:\n  name: x\n  version: 1\nrequirements:\n  run:\n    - {{ pin_subpackage('nope') }}\n" });
    expect(errorOf(() => renderRecipeSync(dir, opts)).message).toContain("pin_subpackage('nope'): the recipe has no output named 'nope'");
  });
});

describe('variant config errors (zip_keys)', () => {
  const meta = 'package:\n  name: x\n  version: 1\nrequirements:\n  host:\n    - python\n    - numpy\n';
  test('zip_keys that is not a list of lists', () => {
    const dir = recipeDir({ 'meta.yaml': meta, 'conda_build_config.yaml': 'python:\n  - "3.11"\nnumpy:\n  - "2"\nzip_keys:\n  -\n    - python\n    - numpy\n  - 3\n' });
    const e = errorOf(() => renderRecipeSync(dir, opts));
    expect(e.message).toMatch(/conda_build_config\.yaml:9:5: zip_keys must be a list of lists/);
  });
  test('zipped lists of unequal length', () => {
    const dir = recipeDir({ 'variants.yaml': 'python:\n  - "3.11"\n  - "3.12"\nnumpy:\n  - "2"\nzip_keys:\n  - [python, numpy]\n', 'recipe.yaml': 'package:\n  name: x\n  version: "1"\nrequirements:\n  host: [python, numpy]\n' });
    const e = errorOf(() => renderRecipeSync(dir, opts));
    expect(e.message).toMatch(/variants\.yaml:4:1: zipped keys \[python, numpy\] have lists of different lengths \(python has 2, numpy has 1\)/);
  });
  test('a key in two zip groups', () => {
    const dir = recipeDir({ 'meta.yaml': meta, 'conda_build_config.yaml': 'python:\n  - "3.11"\nnumpy:\n  - "2"\nperl:\n  - "5"\nzip_keys:\n  -\n    - python\n    - numpy\n  -\n    - python\n    - perl\n' });
    expect(errorOf(() => renderRecipeSync(dir, opts)).message).toContain("zip_keys: 'python' is in two groups");
  });
  test('zip_keys zip instead of multiplying', () => {
    const dir = recipeDir({ 'meta.yaml': meta, 'conda_build_config.yaml': 'python:\n  - "3.11"\n  - "3.12"\nnumpy:\n  - "1.26"\n  - "2"\nzip_keys:\n  -\n    - python\n    - numpy\n' });
    const outs = renderRecipeSync(dir, opts);
    expect(outs.map((o) => [o.variant.python, o.variant.numpy])).toEqual([
      ['3.11', '1.26'],
      ['3.12', '2'],
    ]);
  });
});

describe('recipe.yaml errors', () => {
  test('an undefined variable in ${{ }}', () => {
    const dir = recipeDir({ 'recipe.yaml': 'package:\n  name: x\n  version: ${{ nope }}\n' });
    expect(errorOf(() => renderRecipeSync(dir, opts)).message).toContain("recipe.yaml:3:12: undefined value in '${{ nope }}'");
  });
  test('an if without then, a bad condition', () => {
    const dir = recipeDir({ 'recipe.yaml': 'package:\n  name: x\n  version: "1"\nrequirements:\n  run:\n    - if: linux and (\n      then: foo\n' });
    expect(errorOf(() => renderRecipeSync(dir, opts)).message).toMatch(/recipe\.yaml:6:\d+: invalid condition 'linux and \('/);
  });
  test('a YAML syntax error', () => {
    const dir = recipeDir({ 'recipe.yaml': 'package:\n  name: [x\n' });
    expect(errorOf(() => renderRecipeSync(dir, opts)).message).toMatch(/recipe\.yaml:\d+:\d+: invalid YAML/);
  });
});

describeShared("rattler-build's invalid test recipes", () => {
  const dir = sharedPath('fixtures', 'recipes', 'v1', 'rattler-build-test-test-parsing');
  const cases: [string, RegExp][] = [
    ['recipe_duplicate_keys.yaml', /recipe_duplicate_keys\.yaml:\d+:\d+: invalid YAML: Map keys must be unique/],
    ['recipe_jinja_error.yaml', /recipe_jinja_error\.yaml:\d+:\d+: .*\$\{\{/],
    ['recipe_missing_version.yaml', /recipe_missing_version\.yaml:\d+:\d+: output '.*' has no version/],
    ['recipe_outputs_and_package.yaml', /recipe_outputs_and_package\.yaml:\d+:\d+: a recipe with 'outputs' names itself with 'recipe:'/],
    ['recipe_outputs_and_requirements.yaml', /recipe_outputs_and_requirements\.yaml:\d+:\d+: top-level 'requirements' are not allowed/],
  ];
  for (const [file, re] of cases) {
    test(file, () => {
      const e = errorOf(() => renderRecipeSync(path.join(dir, file), opts));
      expect(e.code).toBe('RECIPE');
      expect(e.message).toMatch(re);
    });
  }
});

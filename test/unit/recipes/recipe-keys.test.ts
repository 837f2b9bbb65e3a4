/** The pieces of the key check: the suggestion, selector names, and the tables' cross-format hints. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closestName, editDistance } from '../../../channels/model/suggest.js';
import type { RecipeWarning } from '../../../recipes/format-context.js';
import { namesInPython } from '../../../recipes/python-expr.js';
import { renderRecipeSync } from '../../../recipes/render.js';

describe('did you mean', () => {
  test.each([
    ['abuot', 'about', 1],
    ['numbr', 'number', 1],
    ['requirments', 'requirements', 1],
    ['linnux', 'linux', 1],
    ['kitten', 'sitting', 3],
  ])('%s → %s is %d edit(s)', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
  test('the closest known name, or none when nothing is close', () => {
    const keys = ['package', 'source', 'build', 'requirements', 'test', 'about', 'extra'];
    expect(closestName('abuot', keys)).toBe('about');
    expect(closestName('requirments', keys)).toBe('requirements');
    expect(closestName('Build', keys)).toBe('build');
    expect(closestName('windows', ['win', 'linux', 'osx'])).toBeUndefined();
    expect(closestName('vc', ['win', 'osx'])).toBeUndefined();
    expect(closestName('about', keys)).toBeUndefined();
  });
});

test("a selector's free names: not keywords, attributes or keyword arguments", () => {
  expect(namesInPython('linux and py<39')).toEqual(['linux', 'py']);
  expect(namesInPython('os.environ.get("X", default="1") == "1" and not win')).toEqual(['os', 'win']);
  expect(namesInPython('cuda_compiler_version in (None, "None")')).toEqual(['cuda_compiler_version']);
  expect(namesInPython('unterminated "')).toEqual([]);
});

describe('through the renderer', () => {
  const opts = { targetPlatform: 'linux-64', buildPlatform: 'linux-64', env: {} };
  const dirWith = (name: string, text: string): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'taipan-keys-'));
    writeFileSync(path.join(dir, name), text);
    return dir;
  };
  test('meta.yaml warnings reach onWarning located, once for all variants', () => {
    const dir = dirWith('meta.yaml', 'package:\n  name: x\n  version: 1\nrequirements:\n  host:\n    - python\n  run_constraints:\n    - zlib\n');
    writeFileSync(path.join(dir, 'conda_build_config.yaml'), 'python:\n  - "3.11"\n  - "3.12"\n');
    const warnings: RecipeWarning[] = [];
    const outputs = renderRecipeSync(dir, { ...opts, onWarning: (w) => warnings.push(w) });
    expect(outputs).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.loc).toEqual({ file: path.join(dir, 'meta.yaml'), line: 7, col: 3 });
    expect(warnings[0]!.message).toBe("unknown key 'run_constraints' in requirements: meta.yaml spells it 'run_constrained' (run_constraints is recipe.yaml's)");
  });
  test('a recipe.yaml error is a RECIPE TaipanError with the valid keys as its hint', () => {
    const dir = dirWith('recipe.yaml', 'package:\n  name: x\n  version: "1"\nabout:\n  home: https://example.invalid\n');
    let caught: unknown;
    try {
      renderRecipeSync(dir, opts);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'RECIPE', hint: expect.stringContaining('about takes: license, license_family') });
    expect((caught as Error).message).toContain("recipe.yaml:5:3: unknown key 'home' in about: recipe.yaml spells it 'homepage'");
  });
  test("keys in extra and context are the recipe's own", () => {
    const dir = dirWith('recipe.yaml', 'context:\n  anything: 1\npackage:\n  name: x\n  version: "1"\nextra:\n  recipe-maintainers: [me]\n  whatever:\n    nested: true\n');
    const warnings: RecipeWarning[] = [];
    expect(renderRecipeSync(dir, { ...opts, onWarning: (w) => warnings.push(w) })).toHaveLength(1);
    expect(warnings).toEqual([]);
  });
});

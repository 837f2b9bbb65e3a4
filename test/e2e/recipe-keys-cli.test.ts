/**
 * A misspelt key in any section of either recipe format, through the real CLI
 * (`taipan render`): recipe.yaml stops with a located RECIPE error, as rattler-build does;
 * meta.yaml renders on with a located warning, as conda-build renders past an unknown key.
 * Both say which known key was meant.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, runCli } from '../helpers/cli.js';

const built = existsSync(path.join(path.dirname(CLI), 'commands', 'render.js'));
const maybe = built ? test : test.skip;

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A recipe folder holding `name` with `text`, in a fresh temporary folder. */
function recipe(name: 'recipe.yaml' | 'meta.yaml', text: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'taipan-keys-'));
  roots.push(root);
  const dir = path.join(root, 'recipe');
  mkdirSync(dir);
  writeFileSync(path.join(dir, name), text);
  return dir;
}

function render(dir: string): { status: number; stdout: string; stderr: string } {
  return runCli(['render', dir, '--platform', 'linux-64']);
}

/** The line (1-based) of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

const V1 = `context:
  version: "1.0"
package:
  name: demo
  version: \${{ version }}
source:
  url: https://example.invalid/demo-1.0.tar.gz
  sha256: 0000000000000000000000000000000000000000000000000000000000000000
build:
  number: 0
  script:
    interpreter: bash
    content: echo hi
  python:
    entry_points:
      - demo = demo:main
  dynamic_linking:
    rpaths: [lib/]
requirements:
  host:
    - zlib
  run_exports:
    weak:
      - demo
tests:
  - python:
      imports: [demo]
  - script:
      - demo --help
    requirements:
      run: [bash]
about:
  homepage: https://example.invalid
  summary: a demo
extra:
  anything_goes: here
`;

const V1_OUTPUTS = `recipe:
  name: demo-split
  version: "1.0"
cache:
  build:
    script: make
outputs:
  - package:
      name: libdemo
    build:
      number: 0
    requirements:
      run: [zlib]
  - package:
      name: demo
    requirements:
      run: [libdemo]
`;

describe('recipe.yaml: an unknown key is an error with a suggestion', () => {
  maybe('the recipe without typos renders', () => {
    const r = render(recipe('recipe.yaml', V1));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(render(recipe('recipe.yaml', V1_OUTPUTS)).status).toBe(0);
  });

  // [section, the right line, the misspelt line, the key, what the message names]
  const cases: [string, string, string, string, string, string][] = [
    ['top level', V1, 'about:', 'abuot:', 'abuot', "unknown key 'abuot' in the top level (did you mean 'about'?)"],
    ['package', V1, '  name: demo', '  nmae: demo', 'nmae', "unknown key 'nmae' in package (did you mean 'name'?)"],
    ['source', V1, '  sha256:', '  sha265:', 'sha265', "unknown key 'sha265' in source (did you mean 'sha256'?)"],
    ['build', V1, '  number: 0', '  numbr: 0', 'numbr', "unknown key 'numbr' in build (did you mean 'number'?)"],
    ['build.script', V1, '    interpreter: bash', '    intepreter: bash', 'intepreter', "unknown key 'intepreter' in build.script (did you mean 'interpreter'?)"],
    ['build.python', V1, '    entry_points:', '    entry_point:', 'entry_point', "unknown key 'entry_point' in build.python (did you mean 'entry_points'?)"],
    ['build.dynamic_linking', V1, '    rpaths: [lib/]', '    rpath: [lib/]', 'rpath', "unknown key 'rpath' in build.dynamic_linking (did you mean 'rpaths'?)"],
    ['requirements', V1, '  host:', '  hots:', 'hots', "unknown key 'hots' in requirements (did you mean 'host'?)"],
    ['requirements.run_exports', V1, '    weak:', '    waek:', 'waek', "unknown key 'waek' in requirements.run_exports (did you mean 'weak'?)"],
    ['tests', V1, '  - python:', '  - pyhton:', 'pyhton', "unknown key 'pyhton' in tests[0] (did you mean 'python'?)"],
    ['tests[].python', V1, '      imports: [demo]', '      improts: [demo]', 'improts', "unknown key 'improts' in tests[0].python (did you mean 'imports'?)"],
    ['about', V1, '  homepage:', '  hompage:', 'hompage', "unknown key 'hompage' in about (did you mean 'homepage'?)"],
    ['recipe', V1_OUTPUTS, '  version: "1.0"', '  verison: "1.0"', 'verison', "unknown key 'verison' in recipe (did you mean 'version'?)"],
    ['cache', V1_OUTPUTS, 'cache:\n  build:', 'cache:\n  biuld:', 'biuld', "unknown key 'biuld' in cache (did you mean 'build'?)"],
    ['outputs', V1_OUTPUTS, '    requirements:\n      run: [zlib]', '    requirments:\n      run: [zlib]', 'requirments', "unknown key 'requirments' in outputs[0] (did you mean 'requirements'?)"],
    ['outputs[].build', V1_OUTPUTS, '      number: 0', '      nubmer: 0', 'nubmer', "unknown key 'nubmer' in outputs[0].build (did you mean 'number'?)"],
  ];
  for (const [section, base, right, wrong, key, message] of cases) {
    maybe(`a typo in ${section}`, () => {
      expect(base).toContain(right);
      const text = base.replace(right, wrong);
      const dir = recipe('recipe.yaml', text);
      const r = render(dir);
      expect(r.status).toBe(1);
      const line = lineOf(text, `${key}:`);
      expect(r.stderr).toContain(`error: ${path.join(dir, 'recipe.yaml')}:${line}:`);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    });
  }

  maybe("a key of the other format names the right spelling (meta.yaml's run_constrained)", () => {
    const r = render(recipe('recipe.yaml', V1.replace('  host:\n    - zlib\n', '  host:\n    - zlib\n  run_constrained:\n    - zlib >=1\n')));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown key 'run_constrained' in requirements: recipe.yaml spells it 'run_constraints'");
  });

  maybe('tests at the top of a recipe with outputs say where they go', () => {
    const r = render(recipe('recipe.yaml', `${V1_OUTPUTS}tests:\n  - script: [true]\n`));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown key 'tests' in the top level: put tests in each output");
  });

  maybe('a typo inside an if/then branch is found on every platform, taken or not', () => {
    const text = V1.replace('  host:\n    - zlib\n', '  host:\n    - if: win\n      then:\n        - zlib\n').replace('tests:\n  - python:', 'tests:\n  - if: win\n    then:\n      pyhton:\n        imports: [demo]\n  - python:');
    const r = render(recipe('recipe.yaml', text));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown key 'pyhton' in tests[0] (did you mean 'python'?)");
  });

  maybe('an unknown name in an if: condition warns with the name meant, and renders on', () => {
    const text = V1.replace('  host:\n    - zlib\n', '  host:\n    - if: linnux\n      then:\n        - zlib\n');
    const dir = recipe('recipe.yaml', text);
    const r = render(dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`warning: ${path.join(dir, 'recipe.yaml')}:${lineOf(text, 'linnux')}:`);
    expect(r.stderr).toContain("unknown name 'linnux' in condition 'if: linnux' is read as false (did you mean 'linux'?)");
    // Read as false, as rattler-build reads it: zlib is not a host requirement.
    expect(r.stdout).not.toContain('zlib');
  });
});

const META = `{% set version = "1.0" %}
package:
  name: demo
  version: {{ version }}
source:
  url: https://example.invalid/demo-{{ version }}.tar.gz
  sha256: 0000000000000000000000000000000000000000000000000000000000000000
build:
  number: 0
  run_exports:
    weak:
      - demo
requirements:
  host:
    - zlib
  run:
    - zlib
test:
  imports:
    - demo
about:
  home: https://example.invalid
  summary: a demo
app:
  entry: demo
extra:
  recipe-maintainers:
    - someone
`;

const META_OUTPUTS = `package:
  name: demo-split
  version: "1.0"
outputs:
  - name: libdemo
    requirements:
      run:
        - zlib
  - name: demo
    test:
      commands:
        - demo --help
`;

describe('meta.yaml: an unknown key warns with a suggestion and renders on', () => {
  maybe('the recipe without typos renders without a warning', () => {
    const r = render(recipe('meta.yaml', META));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(render(recipe('meta.yaml', META_OUTPUTS)).stderr).toBe('');
  });

  const cases: [string, string, string, string, string, string][] = [
    ['top level', META, 'about:', 'abuot:', 'abuot', "unknown key 'abuot' in the top level (did you mean 'about'?)"],
    ['package', META, '  version: {{ version }}', '  version: {{ version }}\n  nmae: other', 'nmae', "unknown key 'nmae' in package (did you mean 'name'?)"],
    ['source', META, '  sha256:', '  sah256:', 'sah256', "unknown key 'sah256' in source (did you mean 'sha256'?)"],
    ['build', META, '  number: 0', '  numbr: 0', 'numbr', "unknown key 'numbr' in build (did you mean 'number'?)"],
    ['build.run_exports', META, '    weak:', '    weka:', 'weka', "unknown key 'weka' in build.run_exports (did you mean 'weak'?)"],
    ['requirements', META, '  host:', '  hots:', 'hots', "unknown key 'hots' in requirements (did you mean 'host'?)"],
    ['test', META, '  imports:', '  improts:', 'improts', "unknown key 'improts' in test (did you mean 'imports'?)"],
    ['about', META, '  home:', '  hoem:', 'hoem', "unknown key 'hoem' in about (did you mean 'home'?)"],
    ['app', META, '  entry: demo', '  entyr: demo', 'entyr', "unknown key 'entyr' in app (did you mean 'entry'?)"],
    ['outputs', META_OUTPUTS, '    requirements:', '    requirments:', 'requirments', "unknown key 'requirments' in outputs[0] (did you mean 'requirements'?)"],
    ['outputs[].test', META_OUTPUTS, '      commands:', '      comands:', 'comands', "unknown key 'comands' in outputs[1].test (did you mean 'commands'?)"],
  ];
  for (const [section, base, right, wrong, key, message] of cases) {
    maybe(`a typo in ${section}`, () => {
      expect(base).toContain(right);
      const text = base.replace(right, wrong);
      const dir = recipe('meta.yaml', text);
      const r = render(dir);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain(`warning: ${path.join(dir, 'meta.yaml')}:${lineOf(text, `${key}:`)}:`);
      expect(r.stderr).toContain(message);
      // Said once, though the recipe renders once per variant.
      expect(r.stderr.split(message).length - 1).toBe(1);
      expect(r.stdout).toContain('name: demo');
    });
  }

  maybe('a selector name close to a platform name warns, and reads as false (as conda-build)', () => {
    const text = META.replace('    - zlib\n  run:', '    - zlib  # [linnux]\n  run:');
    const dir = recipe('meta.yaml', text);
    const r = render(dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`warning: ${path.join(dir, 'meta.yaml')}:${lineOf(text, 'linnux')}:`);
    expect(r.stderr).toContain("unknown name 'linnux' in selector [linnux] is read as false (did you mean 'linux'?)");
    expect(r.stdout).toMatch(/host: \[\]/);
  });

  maybe('a variant key of the config or an environment variable in a selector is no typo', () => {
    const text = META.replace('    - zlib\n  run:', '    - zlib  # [with_zlib == "yes" and TAIPAN_TEST_FLAG is not None]\n  run:');
    const dir = recipe('meta.yaml', text);
    writeFileSync(path.join(dir, 'conda_build_config.yaml'), 'with_zlib:\n  - "yes"\n');
    const r = runCli(['render', dir, '--platform', 'linux-64'], { TAIPAN_TEST_FLAG: '1' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  maybe('a typo in a required key warns first, then the missing key stops the render (as in conda-build)', () => {
    const text = META.replace('  name: demo', '  nmae: demo');
    const dir = recipe('meta.yaml', text);
    const r = render(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`warning: ${path.join(dir, 'meta.yaml')}:${lineOf(text, 'nmae:')}:`);
    expect(r.stderr).toContain("unknown key 'nmae' in package (did you mean 'name'?)");
    expect(r.stderr).toContain('error: ');
    expect(r.stderr).toContain('package/name is missing');
  });
});

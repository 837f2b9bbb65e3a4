/**
 * What the renderer hands the builder for issue 6's builder gaps: the v1 `cache:` and
 * `staging:` outputs, pin_compatible left for the host environment, meta.yaml `numpy x.x`,
 * the forms of `build.script`, and `files:` include/exclude.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isTaipanError } from '../../../channels/model/errors.js';
import { renderRecipeSync } from '../../../recipes/render.js';
import type { RenderedOutput } from '../../../recipes/stage1.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

function recipeDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taipan-recipe-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const opts = { targetPlatform: 'linux-64', buildPlatform: 'linux-64', env: {} };
const render = (dir: string, extra: object = {}): RenderedOutput[] => renderRecipeSync(dir, { ...opts, ...extra });
const one = (outs: RenderedOutput[], name: string): RenderedOutput => outs.find((o) => o.name === name)!;

describe('the v1 cache output', () => {
  const recipe = [
    'recipe: {name: split, version: 2.0.0}',
    'source: {path: src}',
    'cache:',
    '  requirements:',
    '    build: [make]',
    '    host: [zlib]',
    '    ignore_run_exports: {by_name: [zlib]}',
    '  build:',
    '    script:',
    '      - make install PREFIX=$PREFIX',
    'outputs:',
    '  - package: {name: libsplit}',
    '    build:',
    '      files:',
    '        include: [lib/**]',
    '        exclude: ["**/*.a"]',
    '  - package: {name: split-tools}',
    '    build:',
    '      script: [echo tools > $PREFIX/tools.txt]',
    '',
  ].join('\n');

  test('every output carries the same cache; its script, sources and specs are the cache\'s own', () => {
    const outs = render(recipeDir({ 'recipe.yaml': recipe, 'src/Makefile': '' }));
    expect(outs.map((o) => o.name)).toEqual(['libsplit', 'split-tools']);
    const lib = one(outs, 'libsplit');
    expect(lib.cache).toMatchObject({
      name: 'split',
      version: '2.0.0',
      script: ['make install PREFIX=$PREFIX'],
      requirements: { build: ['make'], host: ['zlib'], ignoreRunExports: { byName: ['zlib'], fromPackage: [] } },
      inheritRunExports: true,
    });
    expect(lib.cache!.sources).toEqual([expect.objectContaining({ kind: 'path', path: expect.stringMatching(/src$/) })]);
    expect(lib.cache!.id).toMatch(/^split-h[0-9a-f]{7}$/);
    expect(one(outs, 'split-tools').cache!.id).toBe(lib.cache!.id);
    // The top-level source went into the cache's work folder; the outputs fetch nothing again.
    expect(lib.sources).toEqual([]);
    // No script of its own: the output only picks files (the cache ran the build).
    expect(lib.build.script).toEqual([]);
    expect(lib.files).toEqual({ include: ['lib/**'], exclude: ['**/*.a'] });
    expect(one(outs, 'split-tools').build.script).toEqual(['echo tools > $PREFIX/tools.txt']);
    expect(one(outs, 'split-tools').files).toBeUndefined();
  });

  test('the cache\'s variant keys are used by the outputs too (their hash changes with them)', () => {
    const dir = recipeDir({
      'recipe.yaml': 'recipe: {name: v, version: 1}\ncache:\n  requirements:\n    host: [libfoo]\n  build: {script: [true]}\noutputs:\n  - package: {name: v-a}\n',
      'variants.yaml': 'libfoo: ["1", "2"]\n',
    });
    const outs = render(dir);
    expect(outs.map((o) => o.variant.libfoo)).toEqual(['1', '2']);
    expect(new Set(outs.map((o) => o.build.string)).size).toBe(2);
    expect(outs.map((o) => o.cache!.variant.libfoo)).toEqual(['1', '2']);
    expect(outs[0]!.cache!.id).not.toBe(outs[1]!.cache!.id);
  });
});

describe('staging outputs and inherit', () => {
  const recipe = [
    'recipe: {name: st, version: 1.0.0}',
    'outputs:',
    '  - staging: {name: core}',
    '    requirements: {host: [zlib]}',
    '    build: {script: [echo core > $PREFIX/core.txt]}',
    '  - package: {name: st-full}',
    '    inherit: core',
    '  - package: {name: st-bare}',
    '    inherit: {from: core, run_exports: false}',
    '    build: {files: [core.txt]}',
    '  - package: {name: st-plain}',
    '    build: {script: [echo plain > $PREFIX/plain.txt]}',
    '',
  ].join('\n');

  test('inherit names the staging output; run_exports: false stops its run exports; no inherit means none', () => {
    const outs = render(recipeDir({ 'recipe.yaml': recipe }));
    expect(outs.map((o) => o.name)).toEqual(['st-full', 'st-bare', 'st-plain']);
    expect(one(outs, 'st-full').cache).toMatchObject({ name: 'core', script: ['echo core > $PREFIX/core.txt'], inheritRunExports: true });
    expect(one(outs, 'st-bare').cache).toMatchObject({ name: 'core', inheritRunExports: false });
    expect(one(outs, 'st-plain').cache).toBeUndefined();
  });

  test('inheriting from a staging output that does not exist is a recipe error with the line', () => {
    const dir = recipeDir({ 'recipe.yaml': 'recipe: {name: x, version: 1}\noutputs:\n  - package: {name: y}\n    inherit: nope\n' });
    let error: unknown;
    try {
      render(dir);
    } catch (e) {
      error = e;
    }
    expect(isTaipanError(error)).toBe(true);
    expect((error as Error).message).toMatch(/recipe\.yaml:4:\d+: the output inherits from 'nope', which is not a staging output of this recipe/);
  });
});

describe('pin_compatible is completed by the builder', () => {
  test('the rendered spec is the bare name, and the pin says where and how', () => {
    const dir = recipeDir({
      'recipe.yaml':
        "package: {name: p, version: 1}\nrequirements:\n  host: [libdemo, python]\n  run:\n    - tool\n    - ${{ pin_compatible('libdemo', upper_bound='x.x') }}\n    - ${{ pin_compatible('python', exact=True) }}\n  run_constraints:\n    - ${{ pin_compatible('libdemo', lower_bound=None) }}\n",
    });
    const [out] = render(dir);
    expect(out!.requirements.run).toEqual(['tool', 'libdemo', 'python']);
    expect(out!.requirements.hostPins).toEqual([
      { list: 'run', index: 1, name: 'libdemo', lower: 'x.x.x.x.x.x', upper: 'x.x', exact: false },
      { list: 'run', index: 2, name: 'python', lower: 'x.x.x.x.x.x', upper: 'x', exact: true },
      { list: 'runConstraints', index: 0, name: 'libdemo', lower: null, upper: 'x', exact: false },
    ]);
  });

  test('meta.yaml: min_pin/max_pin and `numpy x.x`', () => {
    const dir = recipeDir({
      'meta.yaml': "package: {name: m, version: 1}\nrequirements:\n  host:\n    - numpy x.x\n    - libdemo\n  run:\n    - numpy x.x\n    - {{ pin_compatible('libdemo', min_pin='x.x', max_pin='x.x') }}\n",
      'conda_build_config.yaml': 'numpy:\n  - "1.26"\n',
    });
    const [out] = render(dir);
    // build/host: the variant's version (conda-build's get_env_dependencies), as a fuzzy spec
    expect(out!.requirements.host).toEqual(['numpy 1.26.*', 'libdemo']);
    expect(out!.variant.numpy).toBe('1.26');
    expect(out!.requirements.run).toEqual(['numpy', 'libdemo']);
    expect(out!.requirements.hostPins).toEqual([
      { list: 'run', index: 0, name: 'numpy', lower: 'x.x', upper: 'x.x', exact: false },
      { list: 'run', index: 1, name: 'libdemo', lower: 'x.x', upper: 'x.x', exact: false },
    ]);
  });
});

test('meta.yaml outputs[].files: a list, or include/exclude', () => {
  const dir = recipeDir({
    'meta.yaml': [
      'package: {name: top, version: 1}',
      'outputs:',
      '  - name: top-lib',
      // block lists: a trailing `[...]` is a selector to conda-build, even without `#`
      '    files:',
      '      - lib/libtop.so*',
      '  - name: top-dev',
      '    files:',
      '      include:',
      '        - include/**',
      '        - lib/**',
      '      exclude:',
      '        - lib/*.so*',
      '',
    ].join('\n'),
  });
  const outs = render(dir);
  expect(one(outs, 'top-lib').files).toEqual({ include: ['lib/libtop.so*'], exclude: [] });
  expect(one(outs, 'top-dev').files).toEqual({ include: ['include/**', 'lib/**'], exclude: ['lib/*.so*'] });
});

test("meta.yaml: with outputs, the top-level script is a cache whose files the outputs list", () => {
  const meta = 'package: {name: top, version: 1}\nsource:\n  path: src\nrequirements:\n  build:\n    - make\noutputs:\n  - name: top-a\n  - name: top-b\n    script: b.sh\n';
  const withScript = render(recipeDir({ 'meta.yaml': meta, 'build.sh': 'make install\n', 'b.sh': 'true\n', 'src/x': '' }));
  expect(withScript.map((o) => [o.name, o.cache?.name, o.cache?.restoredFiles, o.sources.length])).toEqual([
    ['top-a', 'top', 'listed', 0],
    ['top-b', 'top', 'listed', 0],
  ]);
  expect(withScript[0]!.cache).toMatchObject({ script: { file: 'build.sh' }, requirements: { build: ['make'], host: [] }, inheritRunExports: false });
  expect(withScript[0]!.cache!.sources).toEqual([expect.objectContaining({ kind: 'path' })]);
  expect(withScript[1]!.build.script).toEqual({ file: 'b.sh' });
  // No top-level script: nothing to share, each output fetches the sources itself.
  const without = render(recipeDir({ 'meta.yaml': meta, 'b.sh': 'true\n', 'src/x': '' }));
  expect(without.map((o) => [o.cache, o.sources.length])).toEqual([
    [undefined, 1],
    [undefined, 1],
  ]);
});

describe('build.script forms', () => {
  test('{file: build} takes the platform extension; {content, env, secrets}; a content that looks like a file name is content', () => {
    const dir = recipeDir({
      'recipe.yaml': [
        'recipe: {name: s, version: 1}',
        'outputs:',
        '  - package: {name: s-file}',
        '    build: {script: {file: build}}',
        '  - package: {name: s-content}',
        '    build:',
        '      script:',
        '        content: ["echo $GREETING", "echo done"]',
        '        env: {GREETING: hello}',
        '        secrets: [TOKEN]',
        '  - package: {name: s-text}',
        '    build: {script: {content: build.sh}}',
        '  - package: {name: s-python}',
        '    build:',
        '      script:',
        '        interpreter: python',
        '        content: |',
        '          if True:',
        '',
        '              print("indented")',
        '',
      ].join('\n'),
      'build.sh': 'echo from build.sh\n',
    });
    const outs = render(dir);
    expect(one(outs, 's-file').build.script).toEqual({ file: 'build.sh' });
    expect(one(outs, 's-content').build.script).toEqual(['echo $GREETING', 'echo done']);
    expect(one(outs, 's-content').build.scriptEnv).toEqual({ GREETING: 'hello' });
    expect(one(outs, 's-text').build.script).toEqual(['build.sh']);
    // Another interpreter keeps the text as written (blank lines, indentation).
    expect(one(outs, 's-python').build.scriptInterpreter).toBe('python');
    expect(one(outs, 's-python').build.script).toEqual(['if True:', '', '    print("indented")', '']);
    expect(one(outs, 's-file').build.scriptInterpreter).toBeUndefined();
    expect(render(dir, { targetPlatform: 'win-64' }).map((o) => o.build.script)[0]).toEqual({ file: 'build' });
  });
});

describeShared('the fixture cache recipes', () => {
  const fixture = (...p: string[]): string => sharedPath('fixtures', 'recipes', 'v1', ...p);
  test('recipe-compiler.yaml: the cache uses the compiler, the output picks lib/*.so.* from it', () => {
    const outs = render(fixture('rattler-build-test-cache', 'recipe-compiler.yaml'));
    expect(outs.map((o) => o.name)).toEqual(['testlib-so-version']);
    expect(outs[0]!.cache).toMatchObject({ name: 'foo', requirements: { build: ['gcc_linux-64'] } });
    expect(outs[0]!.files).toEqual({ include: ['lib/*.so.*'], exclude: [] });
  });

  test('staging-run-exports.yaml: inherit with and without run_exports', () => {
    const outs = render(fixture('rattler-build-test-staging', 'staging-run-exports.yaml'));
    expect(outs.map((o) => [o.name, o.cache?.name, o.cache?.inheritRunExports])).toEqual([
      ['normal-run-exports', undefined, undefined],
      ['cache-run-exports', 'build-stage', true],
      ['no-cache-from-package-run-exports', 'build-stage', false],
      ['no-cache-by-name-run-exports', 'build-stage', false],
    ]);
  });
});

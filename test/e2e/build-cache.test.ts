/**
 * Issue 6's builder gaps, built for real from recipes written here and rendered by the
 * real renderer: a v1 `cache:` whose script runs once for three outputs that choose their
 * files from it (one compiled binary holding the cache's prefix, run after installing into
 * a prefix of another length), a `staging:` output with `inherit`, pin_compatible and
 * meta.yaml `numpy x.x` completed from the solved host environment, the build script's
 * conda-build variables and script forms, and the BUILD_FAILED / TEST_FAILED codes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extractPackage, readArchiveMetadata } from '../../channels/archive/index.js';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { Channel } from '../../channels/model/channel.js';
import { PackageCache } from '../../environments/package-cache/package-cache.js';
import { buildOutput, buildOutputs, type BuildOptions, type BuildResult } from '../../build/index.js';
import { renderRecipe } from '../../recipes/render.js';
import { runCli } from '../helpers/cli.js';
import { describeShared, sharedPath } from '../helpers/shared.js';
import { renderedOutput } from '../unit/build/rendered.js';

let work: string;
let upstream: string;
let options: BuildOptions;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-build-cache-'));
  upstream = path.join(work, 'upstream');
  await mkdir(upstream, { recursive: true });
  await indexChannel(upstream, { bz2: false });
  options = { channels: [Channel.parse(upstream)], outputDir: path.join(work, 'output'), cache: new PackageCache([path.join(work, 'pkgs')]) };
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function writeRecipe(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(work, 'recipes', name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

async function build(recipe: string, extra: Partial<BuildOptions> = {}): Promise<BuildResult[]> {
  const outputs = await renderRecipe(recipe, { env: {} });
  return buildOutputs(outputs, { ...options, ...extra });
}

const byName = (results: BuildResult[], name: string): BuildResult => results.find((r) => r.record.name === name)!;

const cc = spawnSync('cc', ['--version']).status === 0;

describe('the v1 cache output', () => {
  (cc ? test : test.skip)('its script runs once; each output takes its files, sees the cache in PREFIX and SRC_DIR; the binary runs elsewhere', async () => {
    const runs = path.join(work, 'cache-runs.log');
    const recipe = await writeRecipe('split', {
      'recipe.yaml': [
        'recipe: {name: split, version: 2.0.0}',
        'source: {path: src}',
        'cache:',
        '  build:',
        '    script:',
        '      content:',
        '        - echo run >> "$RUNS"',
        '        - mkdir -p "$PREFIX/bin" "$PREFIX/lib" "$PREFIX/include" "$PREFIX/share/split"',
        '        - echo "hello from the cache" > "$PREFIX/share/split/msg.txt"',
        '        - cc -DDATA="\\"$PREFIX/share/split/msg.txt\\"" hello.c -o "$PREFIX/bin/split-hello"',
        '        - echo "int split(void);" > "$PREFIX/include/split.h"',
        '        - echo lib > "$PREFIX/lib/libsplit.so.1"',
        '        - ln -s libsplit.so.1 "$PREFIX/lib/libsplit.so"',
        '        - ln -s "$PREFIX/lib/libsplit.so.1" "$PREFIX/lib/abs-link.so"',
        '        - echo built > built-marker.txt',
        '      env:',
        `        RUNS: ${runs}`,
        'outputs:',
        '  - package: {name: libsplit}',
        '    build:',
        '      files:',
        '        include: [lib/**]',
        '        exclude: [lib/abs-link.so]',
        '  - package: {name: split-headers}',
        '    build: {files: [include/]}',
        '  - package: {name: split-tools}',
        '    build:',
        '      files: [bin/**, share/**]',
        '      script:',
        '        - test -f built-marker.txt',
        '        - test -f "$PREFIX/include/split.h"',
        '        - echo tools > "$PREFIX/share/split/tools.txt"',
        '    requirements:',
        "      run: [\"${{ pin_subpackage('libsplit', exact=True) }}\"]",
        '    tests:',
        '      - script: [split-hello | grep "hello from the cache"]',
        '',
      ].join('\n'),
      'src/hello.c':
        '#include <stdio.h>\nint main(void) {\n  FILE *f = fopen(DATA, "r"); char line[200];\n  if (!f || !fgets(line, sizeof line, f)) { perror(DATA); return 1; }\n  printf("%s", line); return 0;\n}\n',
    });
    const results = await build(recipe);
    expect(results.map((r) => r.record.name).sort()).toEqual(['libsplit', 'split-headers', 'split-tools']);
    expect((await readFile(runs, 'utf8')).trim().split('\n')).toEqual(['run']);
    expect(byName(results, 'libsplit').files).toEqual(['lib/libsplit.so', 'lib/libsplit.so.1']);
    expect(byName(results, 'split-headers').files).toEqual(['include/split.h']);
    expect(byName(results, 'split-tools').files).toEqual(['bin/split-hello', 'share/split/msg.txt', 'share/split/tools.txt']);
    const lib = byName(results, 'libsplit');
    expect(byName(results, 'split-tools').record.depends).toEqual([`libsplit 2.0.0 ${lib.record.build}`]);
    // The restored symlink stays relative; the binary carries the output's host prefix as placeholder.
    const meta = await readArchiveMetadata(byName(results, 'split-tools').packagePath);
    const binary = meta.paths.paths.find((p) => p._path === 'bin/split-hello')!;
    expect(binary.file_mode).toBe('binary');
    expect(binary.prefix_placeholder!.length).toBe(255);
    expect((await readArchiveMetadata(lib.packagePath)).paths.paths.find((p) => p._path === 'lib/libsplit.so')!.path_type).toBe('softlink');
    // No cache work folder is left behind.
    expect((await readdir(os.tmpdir())).filter((f) => f.startsWith('taipan-cache-split-'))).toEqual([]);

    const prefix = path.join(work, 'p', 'x');
    const created = runCli(['create', '-y', '-p', prefix, '-c', options.outputDir, 'split-tools'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-cli') });
    expect(created.stderr).toBe('');
    expect(execFileSync(path.join(prefix, 'bin', 'split-hello'), { encoding: 'utf8' })).toBe('hello from the cache\n');
    expect(existsSync(path.join(prefix, 'lib', 'libsplit.so.1'))).toBe(true);
  });

  test('a staging output with inherit; run_exports flow from its host environment unless run_exports: false', async () => {
    // An upstream library whose run_exports the staging host environment picks up.
    await buildOutput(
      renderedOutput({ name: 'libup', version: '3.1.0', recipeDir: work, script: ['mkdir -p "$PREFIX/lib"', 'echo up > "$PREFIX/lib/libup.so"'], runExports: { weak: ['libup >=3.1.0,<4.0a0'] } }),
      { ...options, outputDir: upstream },
    );
    const recipe = await writeRecipe('staged', {
      'recipe.yaml': [
        'recipe: {name: staged, version: 1.0.0}',
        'outputs:',
        '  - staging: {name: core}',
        '    requirements: {host: [libup]}',
        '    build: {script: [echo core > "$PREFIX/core.txt", test -f "$PREFIX/lib/libup.so"]}',
        '  - package: {name: staged-full}',
        '    inherit: core',
        '    build: {files: [core.txt]}',
        '  - package: {name: staged-bare}',
        '    inherit: {from: core, run_exports: false}',
        '    build: {files: [core.txt]}',
        '',
      ].join('\n'),
    });
    const results = await build(recipe);
    expect(byName(results, 'staged-full').files).toEqual(['core.txt']);
    expect(byName(results, 'staged-full').record.depends).toEqual(['libup >=3.1.0,<4.0a0']);
    expect(byName(results, 'staged-bare').record.depends).toEqual([]);
    // The host package's own file never becomes part of an output.
    expect(byName(results, 'staged-bare').files).toEqual(['core.txt']);
  });
});

describe("conda-build's top-level build in a multi-output meta.yaml", () => {
  test('runs once; `files:` picks from it; an output script packages what it adds; an output with neither is a metapackage', async () => {
    const runs = path.join(work, 'top-runs.log');
    const recipe = await writeRecipe('toplevel', {
      'meta.yaml': [
        'package:',
        '  name: top',
        '  version: 3.0.0',
        'source:',
        '  path: src',
        'build:',
        '  number: 1',
        'outputs:',
        '  - name: libtop',
        '    files:',
        '      - lib/libtop.so*',
        '  - name: top-tools',
        '    script: install-tools.sh',
        '    requirements:',
        '      run:',
        "        - {{ pin_subpackage('libtop', exact=True) }}",
        '  - name: top-meta',
        '    requirements:',
        '      run:',
        '        - top-tools',
        '',
      ].join('\n'),
      'build.sh': [
        `echo run >> "${runs}"`,
        'mkdir -p "$PREFIX/lib" "$PREFIX/include"',
        'cp libtop.txt "$PREFIX/lib/libtop.so.3"',
        'ln -s libtop.so.3 "$PREFIX/lib/libtop.so"',
        'echo "int top(void);" > "$PREFIX/include/top.h"',
        'echo compiled > compiled.o',
        '',
      ].join('\n'),
      'install-tools.sh': ['test -f compiled.o', 'test -f "$PREFIX/include/top.h"', 'mkdir -p "$PREFIX/bin"', 'echo tool > "$PREFIX/bin/top-tool"', ''].join('\n'),
      'src/libtop.txt': 'the library\n',
    });
    const results = await build(recipe);
    expect((await readFile(runs, 'utf8')).trim().split('\n')).toEqual(['run']);
    expect(results.map((r) => [r.record.name, r.files])).toEqual([
      ['libtop', ['lib/libtop.so', 'lib/libtop.so.3']],
      ['top-tools', ['bin/top-tool']],
      ['top-meta', []],
    ]);
    expect(byName(results, 'top-meta').record.depends).toEqual(['top-tools']);
  });
});

describeShared('the fixture cache and staging recipes build as rattler-build builds them', () => {
  const fixture = (...p: string[]): string => sharedPath('fixtures', 'recipes', 'v1', ...p);
  const pathsOf = async (result: BuildResult): Promise<string[]> =>
    (await readArchiveMetadata(result.packagePath)).paths.paths.map((p) => `${p._path}${p.path_type === 'softlink' ? ' ->' : ''}${p.file_mode ? ` (${p.file_mode})` : ''}`);

  test('recipe-symlinks.yaml: include/exclude over the cache, symlinks kept, the prefix in text marked', async () => {
    const results = await build(fixture('rattler-build-test-cache', 'recipe-symlinks.yaml'));
    expect(await pathsOf(byName(results, 'cache-symlinks'))).toEqual([
      'bin/exe',
      'bin/exe-symlink ->',
      'broken-symlink.txt ->',
      'foo-symlink.txt ->',
      'foo.txt',
      'prefix.txt (text)',
      'relative-symlink.txt ->',
    ]);
    expect(await pathsOf(byName(results, 'absolute-cache-symlinks'))).toEqual(['absolute-symlink.txt ->', 'bin/absolute-exe-symlink ->']);
  });

  test('staging-work-dir-cache.yaml and staging-no-inherit.yaml', async () => {
    // The output's script finds the staging work folder's build/config.txt.
    const work = await build(fixture('rattler-build-test-staging', 'staging-work-dir-cache.yaml'));
    expect(work.map((r) => [r.record.name, r.files])).toEqual([['work-dir-test', ['lib/mylib.a']]]);
    const sides = await build(fixture('rattler-build-test-staging', 'staging-no-inherit.yaml'));
    expect(sides.map((r) => [r.record.name, r.files])).toEqual([
      ['package-a', ['package-a.txt']],
      ['package-b', ['package-b.txt']],
    ]);
  });

  test('build-steps.yaml: the steps run in order, each with its own env, once for both outputs', async () => {
    const results = await build(fixture('rattler-build-test-staging', 'build-steps.yaml'));
    expect(results.map((r) => [r.record.name, r.files])).toEqual([
      ['staging-build-steps-a', ['staging-steps.txt']],
      ['staging-build-steps-b', ['staging-steps.txt']],
    ]);
    for (const result of results) {
      const unpacked = path.join(work, `steps-${result.record.name}`);
      await extractPackage(result.packagePath, unpacked);
      expect(await readFile(path.join(unpacked, 'staging-steps.txt'), 'utf8')).toBe('one\ntwo\n');
    }
  });
});

describe('pins completed from the host environment', () => {
  beforeAll(async () => {
    const up = { ...options, outputDir: upstream };
    await buildOutput(renderedOutput({ name: 'libdemo', version: '1.2.3', recipeDir: work, script: ['mkdir -p "$PREFIX/lib"', 'echo demo > "$PREFIX/lib/libdemo.so"'] }), up);
    await buildOutput(renderedOutput({ name: 'numpy', version: '1.26.4', recipeDir: work, script: ['mkdir -p "$PREFIX/share"', 'echo np > "$PREFIX/share/numpy.txt"'] }), up);
  });

  test('v1 pin_compatible: bounds and exact', async () => {
    const recipe = await writeRecipe('pc', {
      'recipe.yaml': [
        'package: {name: pc-app, version: 0.1.0}',
        'build: {script: [echo app > "$PREFIX/app.txt"]}',
        'requirements:',
        '  host: [libdemo, numpy]',
        '  run:',
        "    - ${{ pin_compatible('libdemo', upper_bound='x.x') }}",
        "    - ${{ pin_compatible('numpy', exact=True) }}",
        '',
      ].join('\n'),
    });
    const [result] = await build(recipe);
    const numpyBuild = (await readdir(path.join(upstream, result!.record.subdir))).find((f) => f.startsWith('numpy-1.26.4-'))!.replace(/^numpy-1\.26\.4-|\.conda$/g, '');
    expect(result!.record.depends).toEqual(['libdemo >=1.2.3,<1.3.0a0', `numpy 1.26.4 ${numpyBuild}`]);
  });

  test('meta.yaml pin_compatible with max_pin, and `numpy x.x`', async () => {
    const recipe = await writeRecipe('xx', {
      'meta.yaml': [
        'package: {name: xx-app, version: 0.2.0}',
        'build:',
        '  script: echo app > "$PREFIX/xx.txt"',
        'requirements:',
        '  host:',
        '    - numpy x.x',
        '    - libdemo',
        '  run:',
        '    - numpy x.x',
        "    - {{ pin_compatible('libdemo', max_pin='x') }}",
        '',
      ].join('\n'),
      'conda_build_config.yaml': 'numpy:\n  - "1.26"\n',
    });
    const [result] = await build(recipe);
    expect(result!.record.depends).toEqual(['numpy >=1.26,<1.27.0a0', 'libdemo >=1.2.3,<2.0a0']);
  });
});

describe('the build script', () => {
  test("sees none of the caller's environment beyond an allowlist, and what script_env names", async () => {
    const dump = path.join(work, 'env-allowlist.txt');
    const recipe = await writeRecipe('allowlist', {
      // Block form: conda-build reads a trailing `[...]` as a selector, even without `#`.
      'meta.yaml': ['package: {name: allowlist, version: 1.0}', 'build:', '  script_env:', '    - TAIPAN_TEST_PASSED', `  script: env > "${dump}" && touch "$PREFIX/ok"`, ''].join('\n'),
    });
    const env = { ...process.env, TAIPAN_TEST_PASSED: 'named-in-script-env', AWS_SECRET_ACCESS_KEY: 'do-not-leak-1', GITHUB_TOKEN: 'do-not-leak-2' };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const outputs = await renderRecipe(recipe, { env: env as Record<string, string> });
      await buildOutputs(outputs, options);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    }
    const seen = await readFile(dump, 'utf8');
    expect(seen).toContain('TAIPAN_TEST_PASSED=named-in-script-env');
    expect(seen).not.toContain('do-not-leak');
    expect(seen).toMatch(/^PATH=/m);
    expect(seen).toMatch(/^PKG_NAME=allowlist$/m);
  });

  test("conda-build's variables, `script: {file: build}` and `script: {content, env}`", async () => {
    const dump = path.join(work, 'env-dump');
    await mkdir(dump, { recursive: true });
    const vars = ['PREFIX', 'BUILD_PREFIX', 'SRC_DIR', 'RECIPE_DIR', 'PKG_NAME', 'PKG_VERSION', 'PKG_BUILDNUM', 'PKG_HASH', 'CPU_COUNT', 'target_platform', 'build_platform', 'PYTHON'];
    const recipe = await writeRecipe('vars', {
      'recipe.yaml': [
        'recipe: {name: vars, version: 4.5.6}',
        'build: {number: 7}',
        'outputs:',
        '  - package: {name: vars-file}',
        '    build: {script: {file: build}}',
        '  - package: {name: vars-content}',
        '    build:',
        '      script:',
        '        content:',
        '          - echo "$GREETING" > "$PREFIX/greeting.txt"',
        `          - echo "$PKG_NAME $PKG_HASH" > "${dump}/content.txt"`,
        '        env: {GREETING: hi there}',
        '',
      ].join('\n'),
      'build.sh': [`for v in ${vars.join(' ')}; do eval "echo \\"$v=\\$$v\\""; done > "${dump}/file.txt"`, 'echo file > "$PREFIX/file.txt"', ''].join('\n'),
    });
    const results = await build(recipe, { keepWorkDir: true });
    const fileVars = Object.fromEntries((await readFile(path.join(dump, 'file.txt'), 'utf8')).trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const fileOut = byName(results, 'vars-file');
    const hash = /(h[0-9a-f]{7})_7$/.exec(fileOut.record.build)![1];
    expect(fileVars).toMatchObject({
      PKG_NAME: 'vars-file',
      PKG_VERSION: '4.5.6',
      PKG_BUILDNUM: '7',
      PKG_HASH: hash,
      RECIPE_DIR: recipe,
      SRC_DIR: path.join(fileOut.workDir, 'work'),
      BUILD_PREFIX: path.join(fileOut.workDir, 'build_env'),
      target_platform: fileOut.record.subdir,
      build_platform: fileOut.record.subdir,
    });
    expect(fileVars.PREFIX!.startsWith(path.join(fileOut.workDir, 'host_env'))).toBe(true);
    expect(fileVars.PYTHON).toBe(path.join(fileVars.PREFIX!, 'bin', 'python'));
    expect(Number(fileVars.CPU_COUNT)).toBeGreaterThan(0);
    const content = byName(results, 'vars-content');
    expect(content.files).toEqual(['greeting.txt']);
    expect((await readFile(path.join(dump, 'content.txt'), 'utf8')).trim()).toBe(`vars-content ${/(h[0-9a-f]{7})_7$/.exec(content.record.build)![1]}`);
    for (const r of results) await rm(r.workDir, { recursive: true, force: true });
  });
});

const perl = spawnSync('perl', ['-v']).status === 0;
(perl ? test : test.skip)('script.interpreter, and an interpreter implied by the script file', async () => {
  const recipe = await writeRecipe('perl', {
    'recipe.yaml': [
      'recipe: {name: perl-made, version: 1.0.0}',
      'outputs:',
      '  - package: {name: perl-content}',
      '    build:',
      '      script:',
      '        interpreter: perl',
      '        content: |',
      '          open(my $f, ">", "$ENV{PREFIX}/from-perl.txt") or die;',
      '          print $f "made by perl for $ENV{PKG_NAME}\\n";',
      '  - package: {name: perl-file}',
      '    build: {script: make.pl}',
      '',
    ].join('\n'),
    'make.pl': 'open(my $f, ">", "$ENV{PREFIX}/from-file.txt") or die; print $f "file\\n";\n',
  });
  const results = await build(recipe);
  expect(byName(results, 'perl-content').files).toEqual(['from-perl.txt']);
  expect(byName(results, 'perl-file').files).toEqual(['from-file.txt']);
});

describe('error codes', () => {
  test('BUILD_FAILED names the recipe, the output, the exit code, the log and its last lines', async () => {
    const recipe = await writeRecipe('fails', {
      'recipe.yaml': 'package: {name: fails, version: 1.0.0}\nbuild:\n  script:\n    - echo "about to fail" >&2\n    - exit 4\n',
    });
    const outputs = await renderRecipe(recipe, { env: {} });
    let error: { code?: string; message?: string } = {};
    try {
      await buildOutputs(outputs, options);
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.code).toBe('BUILD_FAILED');
    expect(error.message).toContain(`the build script of output 'fails' (fails-1.0.0-${outputs[0]!.build.string}) of recipe '${path.join(recipe, 'recipe.yaml')}' failed with exit code 4`);
    expect(error.message).toMatch(/the log is '.*build\.log'/);
    expect(error.message).toContain('about to fail');
    await rm(path.dirname(/the log is '(.*?)'/.exec(error.message!)![1]!), { recursive: true, force: true });
  });

  test('TEST_FAILED through the CLI (--json carries the code); nothing is published', async () => {
    const recipe = await writeRecipe('untested', {
      'recipe.yaml': 'package: {name: untested-cli, version: 1.0.0}\nbuild:\n  script: [echo x > "$PREFIX/x.txt"]\ntests:\n  - script: [test -f "$PREFIX/y.txt"]\n',
    });
    const out = path.join(work, 'out-untested');
    const result = runCli(['build', recipe, '--output-dir', out, '--json'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-cli') });
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('TEST_FAILED');
    expect(result.stdout + result.stderr).toContain("the script test 1 of output 'untested-cli'");
    const published: string[] = [];
    for (const subdir of await readdir(out, { withFileTypes: true })) {
      if (subdir.isDirectory()) published.push(...(await readdir(path.join(out, subdir.name))).filter((f) => f.endsWith('.conda')));
    }
    expect(published).toEqual([]);
    // A failed build keeps its work folder for a look; this test has looked.
    const log = /the log is '(.*?)'/.exec(result.stdout + result.stderr)?.[1];
    if (log) await rm(path.dirname(log), { recursive: true, force: true });
  });
});

/**
 * The builder's pipeline on real environments, offline: run_exports from build and host
 * dependencies, a failing script and a failing test (nothing reaches the output channel),
 * a compiled binary with the build prefix in it that runs from a prefix of another
 * length, and a noarch: python package with an entry point, tested with python imports.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readArchiveMetadata } from '../../channels/archive/index.js';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { Channel } from '../../channels/model/channel.js';
import { isTaipanError } from '../../channels/model/errors.js';
import { PackageCache } from '../../environments/package-cache/package-cache.js';
import { buildOutput, type BuildOptions } from '../../build/index.js';
import { runCli } from '../helpers/cli.js';
import { machinePython, writeMachinePythonPackage } from '../helpers/python-package.js';
import { renderedOutput } from '../unit/build/rendered.js';

let work: string;
let recipe: string;
let options: BuildOptions;
let upstream: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-build-pipe-'));
  recipe = path.join(work, 'recipe');
  await mkdir(recipe, { recursive: true });
  await writeFile(path.join(recipe, 'recipe.yaml'), 'package: {name: x}\n');
  upstream = path.join(work, 'upstream');
  await mkdir(upstream, { recursive: true });
  await indexChannel(upstream, { bz2: false });
  options = { channels: [Channel.parse(upstream)], outputDir: path.join(work, 'output'), cache: new PackageCache([path.join(work, 'pkgs')]) };
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const touch = (file: string): string[] => [`mkdir -p "$PREFIX/$(dirname ${file})"`, `echo "${file}" > "$PREFIX/${file}"`];

describe('run_exports', () => {
  test('weak ones come from host, strong ones from build (into host and run), ignored ones stay out', async () => {
    // Upstream packages, built with the builder itself into the upstream channel.
    const up = { ...options, outputDir: upstream };
    await buildOutput(renderedOutput({ name: 'libdemo', version: '1.2.0', recipeDir: recipe, script: touch('lib/libdemo.so'), runExports: { weak: ['libdemo >=1.2.0,<2.0a0'], weak_constrains: ['demo-plugins <2'] } }), up);
    await buildOutput(renderedOutput({ name: 'libother', recipeDir: recipe, script: touch('lib/libother.so'), runExports: { weak: ['libother >=1'] } }), up);
    await buildOutput(renderedOutput({ name: 'demo-rt', recipeDir: recipe, script: touch('lib/libdemo-rt.so') }), up);
    await buildOutput(renderedOutput({ name: 'demo-compiler', recipeDir: recipe, script: touch('bin/demo-cc'), runExports: { strong: ['demo-rt >=1.0.0'], weak: ['never-from-build'] } }), up);
    const meta = await readArchiveMetadata(path.join(upstream, currentSubdir(), 'libdemo-1.2.0-h1234567_0.conda'));
    expect(meta.runExports).toEqual({ weak: ['libdemo >=1.2.0,<2.0a0'], weak_constrains: ['demo-plugins <2'] });

    const result = await buildOutput(
      renderedOutput({
        name: 'demo-app',
        recipeDir: recipe,
        build: ['demo-compiler'],
        host: ['libdemo', 'libother'],
        run: ['libdemo'],
        ignoreRunExports: { byName: ['libother'] },
        script: ['test -f "$BUILD_PREFIX/bin/demo-cc"', 'test -f "$PREFIX/lib/libdemo-rt.so"', ...touch('bin/demo-app')],
      }),
      { ...options, keepWorkDir: true },
    );
    expect(result!.record.depends).toEqual(['demo-rt >=1.0.0', 'libdemo >=1.2.0,<2.0a0']);
    expect(result!.record.constrains).toEqual(['demo-plugins <2']);
    // Only the new file is in the package, not the host's own libraries.
    expect(result!.files).toEqual(['bin/demo-app']);
    await rm(result!.workDir, { recursive: true, force: true });
  });
});

describe('failures', () => {
  test('a failing script fails with the log path and its last lines; nothing is published', async () => {
    const output = renderedOutput({ name: 'broken', recipeDir: recipe, script: ['echo "compiling the thing"', 'echo "compiler exploded" >&2', 'exit 3'] });
    let error: unknown;
    try {
      await buildOutput(output, options);
    } catch (e) {
      error = e;
    }
    expect(isTaipanError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('BUILD_FAILED');
    const message = (error as Error).message;
    // The recipe, the output, the exit code, the log file and its last lines.
    expect(message).toMatch(/^the build script of output 'broken' \(broken-1\.0\.0-h1234567_0\) of recipe '.*recipe\.yaml' failed with exit code 3; the log is '(.*build\.log)'/);
    expect(message).toContain('compiler exploded');
    const logFile = /the log is '(.*?)'/.exec(message)![1]!;
    const log = await readFile(logFile, 'utf8');
    expect(log).toContain('compiling the thing');
    expect(log).toContain('+ exit 3');
    expect(existsSync(path.join(path.dirname(logFile), 'conda_build.sh'))).toBe(true);
    expect(await packagesIn(options.outputDir)).not.toContain('broken');
    await rm(path.dirname(logFile), { recursive: true, force: true });
  });

  test('a failing test keeps the package out of the output channel', async () => {
    const output = renderedOutput({
      name: 'untested',
      recipeDir: recipe,
      script: touch('share/untested/a.txt'),
      tests: [{ kind: 'script', script: ['test -f "$PREFIX/share/untested/a.txt"', 'test -f "$PREFIX/share/untested/b.txt"'], requirements: { run: [], build: [] }, files: [] }],
    });
    await expect(buildOutput(output, options)).rejects.toMatchObject({
      code: 'TEST_FAILED',
      message: expect.stringMatching(/the script test 1 of output 'untested' \(untested-1\.0\.0-h1234567_0\) of recipe '.*recipe\.yaml' failed with exit code 1/),
    });
    const contents = renderedOutput({ ...sketchOf(output), tests: [{ kind: 'package_contents', files: ['share/**/*.md'], bin: ['untested'], lib: [], include: [], sitePackages: [] }] });
    await expect(buildOutput(contents, options)).rejects.toMatchObject({ code: 'TEST_FAILED', message: expect.stringMatching(/files: share\/\*\*\/\*\.md[\s\S]*bin: untested/) });
    expect(await packagesIn(options.outputDir)).not.toContain('untested');
    // --no-test publishes it.
    await buildOutput(output, { ...options, test: false });
    expect(await packagesIn(options.outputDir)).toContain('untested-1.0.0-h1234567_0.conda');
  });
});

const cc = spawnSync('cc', ['--version']).status === 0;
(cc ? test : test.skip)('a compiled binary holding the build prefix runs from a prefix of another length', async () => {
  await writeFile(
    path.join(recipe, 'cgreet.c'),
    '#include <stdio.h>\nint main(void) {\n  FILE *f = fopen(DATA, "r"); char line[200];\n  if (!f || !fgets(line, sizeof line, f)) { perror(DATA); return 1; }\n  printf("%s", line); return 0;\n}\n',
  );
  const output = renderedOutput({
    name: 'cgreet',
    recipeDir: recipe,
    script: [
      'mkdir -p "$PREFIX/bin" "$PREFIX/share/cgreet"',
      'echo "greetings from a compiled tool" > "$PREFIX/share/cgreet/msg.txt"',
      'cc -DDATA="\\"$PREFIX/share/cgreet/msg.txt\\"" "$RECIPE_DIR/cgreet.c" -o "$PREFIX/bin/cgreet"',
    ],
    tests: [{ kind: 'script', script: ['cgreet | grep "greetings from a compiled tool"'], requirements: { run: [], build: [] }, files: [] }],
  });
  const result = await buildOutput(output, options);
  const meta = await readArchiveMetadata(result!.packagePath);
  const binary = meta.paths.paths.find((p) => p._path === 'bin/cgreet')!;
  expect(binary.file_mode).toBe('binary');
  expect(binary.prefix_placeholder!.length).toBe(255);

  const prefix = path.join(work, 'p', 'short');
  const created = runCli(['create', '-y', '-p', prefix, '-c', options.outputDir, 'cgreet'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-cli') });
  expect(created.stderr).toBe('');
  expect(execFileSync(path.join(prefix, 'bin', 'cgreet'), { encoding: 'utf8' })).toBe('greetings from a compiled tool\n');
});

const python = machinePython();
(python ? test : test.skip)('a noarch: python package with an entry point passes its python imports and script tests', async () => {
  await writeMachinePythonPackage(upstream, python!);
  await indexChannel(upstream, { bz2: false });
  const output = renderedOutput({
    name: 'hello-py',
    version: '0.1.0',
    recipeDir: recipe,
    noarch: 'python',
    host: ['python'],
    run: ['python'],
    entryPoints: ['hello-py = hello_py:main'],
    script: [
      'test -n "$PYTHON" && test -d "$SP_DIR" || mkdir -p "$SP_DIR"',
      'mkdir -p "$SP_DIR/hello_py"',
      'printf "def main():\\n    print(\'hello from python\')\\n" > "$SP_DIR/hello_py/__init__.py"',
      '"$PYTHON" -c "import hello_py"',
    ],
    tests: [
      { kind: 'python', imports: ['hello_py'], pipCheck: false },
      { kind: 'script', script: ['hello-py | grep "hello from python"'], requirements: { run: [], build: [] }, files: [] },
      { kind: 'package_contents', files: [], bin: [], lib: [], include: [], sitePackages: ['hello_py'] },
    ],
  });
  const result = await buildOutput(output, options);
  expect(result!.files).toEqual(['site-packages/hello_py/__init__.py']);
  const meta = await readArchiveMetadata(result!.packagePath);
  expect(meta.link).toEqual({ noarch: { type: 'python', entry_points: ['hello-py = hello_py:main'] }, package_metadata_version: 1 });
  expect(meta.index).toMatchObject({ noarch: 'python', subdir: 'noarch', depends: ['python'] });
});

async function packagesIn(channel: string): Promise<string[]> {
  const out: string[] = [];
  for (const subdir of await readdir(channel).catch(() => [] as string[])) {
    out.push(...(await readdir(path.join(channel, subdir)).catch(() => [] as string[])).filter((f) => f.endsWith('.conda') || f.endsWith('.tar.bz2')));
  }
  return out;
}

function sketchOf(output: ReturnType<typeof renderedOutput>): Parameters<typeof renderedOutput>[0] {
  return { name: output.name, version: output.version, recipeDir: output.recipe.dir, script: output.build.script };
}

function currentSubdir(): string {
  return renderedOutput({ name: 'x', recipeDir: '/' }).targetPlatform;
}

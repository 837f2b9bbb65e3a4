/**
 * `taipan build` through the real CLI: bad input gets clear errors; a recipe builds into
 * an indexed output channel that `taipan create` installs from at once. The demo recipes
 * build into the demo channel. The full builds need the v1 renderer (recipes/), and are
 * skipped, by name, until it renders a recipe.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildDemoChannel } from '../../build/demo/build-demo-channel.js';
import { demoSourcesDir } from '../../build/demo/make-demo-channel.js';
import { renderForBuild } from '../../build/render.js';
import { runCli } from '../helpers/cli.js';

const rendererWorks = await renderForBuild(path.join(demoSourcesDir(), 'hello-taipan')).then(
  (outputs) => outputs.length === 1 && outputs[0]!.build.noarch === 'generic',
  () => false,
);
const withRenderer = rendererWorks ? test : test.skip;

let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-build-cli-'));
  env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('taipan build', () => {
  test('a missing recipe and an unknown package format are clear errors', () => {
    const missing = runCli(['build', path.join(work, 'no-such-recipe')], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no-such-recipe');
    const format = runCli(['build', work, '--package-format', 'zip'], env);
    expect(format.status).toBe(1);
    expect(format.stderr).toContain("unknown package format 'zip'");
  });

  withRenderer('the demo recipes build into the demo channel, and its tool runs', async () => {
    const channel = path.join(work, 'demo');
    const written = await buildDemoChannel(channel, demoSourcesDir());
    expect(written.map((f) => path.basename(f)).sort()).toEqual([
      'hello-taipan-1.0.0-0.conda',
      'hello-taipan-1.0.0-0.tar.bz2',
      'taipan-greetings-1.1.0-0.conda',
      'taipan-greetings-2.0.0-0.conda',
    ]);
    const prefix = path.join(work, 'env-demo');
    const created = runCli(['create', '-y', '-p', prefix, '-c', channel, 'hello-taipan'], env);
    expect(created.status).toBe(0);
    expect(spawnSync(path.join(prefix, 'bin', 'hello-taipan'), ['en'], { encoding: 'utf8' }).stdout).toContain('Hello from a taipan environment!');
  });

  withRenderer('a recipe builds with the CLI; create installs from the output folder at once', async () => {
    const recipe = path.join(work, 'recipe');
    await mkdir(recipe, { recursive: true });
    await writeFile(
      path.join(recipe, 'recipe.yaml'),
      [
        'package:',
        '  name: cli-hello',
        '  version: 2.0.1',
        'build:',
        '  number: 3',
        '  script:',
        '    - mkdir -p $PREFIX/bin',
        '    - printf "#!/bin/sh\\necho cli-hello from %s\\n" "$PREFIX" > $PREFIX/bin/cli-hello',
        '    - chmod +x $PREFIX/bin/cli-hello',
        'tests:',
        '  - script:',
        '      - cli-hello',
        '',
      ].join('\n'),
    );
    const output = path.join(work, 'out');
    const built = runCli(['build', recipe, '--output-dir', output, '--json'], env);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const [result] = JSON.parse(built.stdout) as { package: string; name: string; version: string }[];
    expect(result).toMatchObject({ name: 'cli-hello', version: '2.0.1' });
    expect(existsSync(result!.package)).toBe(true);
    expect(await readFile(path.join(path.dirname(result!.package), 'repodata.json'), 'utf8')).toContain('cli-hello-2.0.1');

    const prefix = path.join(work, 'env-cli');
    expect(runCli(['create', '-y', '-p', prefix, '-c', output, 'cli-hello'], env).status).toBe(0);
    expect(spawnSync(path.join(prefix, 'bin', 'cli-hello'), { encoding: 'utf8' }).stdout).toBe(`cli-hello from ${prefix}\n`);
  });
});

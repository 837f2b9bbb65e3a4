/** `taipan render` through the built CLI. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CLI, runCli } from '../helpers/cli.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

const built = existsSync(path.join(path.dirname(CLI), 'commands', 'render.js'));
const PINNING = sharedPath('fixtures', 'recipes', 'pinning', 'conda_build_config.yaml');

describeShared('taipan render', () => {
  (built ? test : test.skip)('prints YAML per output, skipping what the recipe skips', () => {
    const r = runCli(['render', sharedPath('fixtures', 'recipes', 'conda-build', 'zlib-feedstock'), '--platform', 'linux-64', '-m', PINNING]);
    expect(r.status).toBe(0);
    const docs = r.stdout.split(/^---$/m).map((d) => parse(d) as { package: { name: string }; build: { number: number } });
    expect(docs.map((d) => d.package.name)).toEqual(['libzlib', 'zlib']);
    expect(docs[0]!.build.number).toBe(2);
    expect(r.stderr).toContain('2 output(s) skipped');
  });
  (built ? test : test.skip)('--json', () => {
    const r = runCli(['render', sharedPath('fixtures', 'recipes', 'v1', 'rattler-build-examples-curl'), '--platform', 'win-64', '-m', PINNING, '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { package: { name: string }; requirements: { build: string[] } }[];
    expect(out[0]!.package.name).toBe('curl');
    expect(out[0]!.requirements.build).toEqual(['vs2022_win-64', 'cmake', 'ninja']);
  });
  (built ? test : test.skip)('a recipe error is one line naming the file and line', () => {
    const r = runCli(['render', sharedPath('fixtures', 'recipes', 'v1', 'rattler-build-test-test-parsing', 'recipe_missing_version.yaml'), '--platform', 'linux-64']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: .*recipe_missing_version\.yaml:\d+:\d+: /);
  });
});

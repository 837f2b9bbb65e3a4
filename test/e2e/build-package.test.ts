/**
 * The builder end to end, offline: real packages built from hand-made rendered recipes,
 * with build/host dependencies from the demo channel, tested, put into an indexed output
 * channel, installed with the real CLI into a new environment, and run.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { extractPackage, readArchiveMetadata } from '../../channels/archive/index.js';
import { Channel } from '../../channels/model/channel.js';
import { PackageCache } from '../../environments/package-cache/package-cache.js';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { buildOutput, type BuildOptions } from '../../build/index.js';
import { runCli } from '../helpers/cli.js';
import { renderedOutput } from '../unit/build/rendered.js';

let work: string;
let demo: string;
let options: BuildOptions;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-build-'));
  demo = path.join(work, 'demo');
  await makeDemoChannel(demo);
  options = {
    channels: [Channel.parse(demo)],
    outputDir: path.join(work, 'output'),
    cache: new PackageCache([path.join(work, 'pkgs')]),
    timestamp: 1_700_000_000_000,
  };
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function recipeDir(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(work, 'recipes', name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'recipe.yaml'), `package:\n  name: ${name}\n`);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

const SHOUT = `#!/bin/sh
PREFIX="@PREFIX@"
word=$(cat "$PREFIX/share/taipan-shout/word.txt")
greeting=$(grep "^\${1:-en} " "$PREFIX/share/taipan-greetings/greetings.txt" | cut -d' ' -f2-)
echo "$greeting $word" | tr '[:lower:]' '[:upper:]'
`;

describe('taipan build (library)', () => {
  test('a shell tool with a data file, depending on the demo channel, builds, tests, installs and runs', async () => {
    const dir = await recipeDir('taipan-shout', { 'taipan-shout.sh': SHOUT, 'word.txt': 'loudly\n' });
    const output = renderedOutput({
      name: 'taipan-shout',
      version: '0.3.0',
      recipeDir: dir,
      noarch: 'generic',
      buildString: '0',
      script: [
        'mkdir -p "$PREFIX/bin" "$PREFIX/share/taipan-shout"',
        'cp "$RECIPE_DIR/word.txt" "$PREFIX/share/taipan-shout/"',
        'sed "s|@PREFIX@|$PREFIX|g" "$RECIPE_DIR/taipan-shout.sh" > "$PREFIX/bin/taipan-shout"',
        'chmod +x "$PREFIX/bin/taipan-shout"',
        'echo "built $PKG_NAME $PKG_VERSION $PKG_BUILDNUM $PKG_HASH on $build_platform for $target_platform with $CPU_COUNT cpus"',
      ],
      run: ['taipan-greetings >=1,<2'],
      tests: [
        { kind: 'script', script: ['taipan-shout de | grep "HALLO AUS EINER TAIPAN-UMGEBUNG! LOUDLY"'], requirements: { run: [], build: [] }, files: [] },
        { kind: 'package_contents', files: ['share/**/*.txt'], bin: ['taipan-shout'], lib: [], include: [], sitePackages: [] },
      ],
    });
    const logged: string[] = [];
    const result = await buildOutput(output, { ...options, onOutput: (t) => logged.push(t) });
    expect(result).toBeDefined();
    expect(result!.packagePath).toBe(path.join(work, 'output', 'noarch', 'taipan-shout-0.3.0-0.conda'));
    expect(logged.join('')).toMatch(/built taipan-shout 0\.3\.0 0 h1234567 on \S+ for noarch with \d+ cpus/);
    expect(existsSync(result!.workDir)).toBe(false);

    const meta = await readArchiveMetadata(result!.packagePath);
    expect(meta.index).toMatchObject({ name: 'taipan-shout', version: '0.3.0', build: '0', noarch: 'generic', subdir: 'noarch', depends: ['taipan-greetings >=1,<2'] });
    const script = meta.paths.paths.find((p) => p._path === 'bin/taipan-shout');
    expect(script).toMatchObject({ file_mode: 'text', path_type: 'hardlink' });
    expect(script!.prefix_placeholder!.length).toBeGreaterThanOrEqual(200);
    expect(meta.paths.paths.map((p) => p._path)).toEqual(['bin/taipan-shout', 'share/taipan-shout/word.txt']);

    // Structural check: every file of paths.json is in the archive with its sha256 and size.
    const unpacked = path.join(work, 'unpacked-shout');
    await extractPackage(result!.packagePath, unpacked);
    for (const entry of meta.paths.paths) {
      const data = await readFile(path.join(unpacked, entry._path));
      expect({ path: entry._path, sha256: createHash('sha256').update(data).digest('hex'), size: data.length }).toEqual({ path: entry._path, sha256: entry.sha256, size: entry.size_in_bytes });
    }
    expect((await readFile(path.join(unpacked, 'info', 'files'), 'utf8')).split('\n').filter(Boolean)).toEqual(meta.paths.paths.map((p) => p._path));
    expect(existsSync(path.join(unpacked, 'info', 'recipe', 'rendered_recipe.yaml'))).toBe(true);
    expect(existsSync(path.join(unpacked, 'info', 'tests', 'tests.yaml'))).toBe(true);
    expect(typeof meta.index.timestamp).toBe('number');

    const repodata = JSON.parse(await readFile(path.join(work, 'output', 'noarch', 'repodata.json'), 'utf8'));
    expect(Object.keys(repodata['packages.conda'])).toContain('taipan-shout-0.3.0-0.conda');

    const prefix = path.join(work, 'env-shout');
    const created = runCli(['create', '-y', '-p', prefix, '-c', path.join(work, 'output'), '-c', demo, 'taipan-shout'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-cli') });
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const run = spawnSync(path.join(prefix, 'bin', 'taipan-shout'), ['fr'], { encoding: 'utf8' });
    expect(run.stdout).toBe('BONJOUR DEPUIS UN ENVIRONNEMENT TAIPAN ! LOUDLY\n');
  });
});

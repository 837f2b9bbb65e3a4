/**
 * The full demo channel: real software built from the recipes in build/demo/packages/full
 * by taipan's own builder on this machine, with no network: a C library compiled with the
 * machine's compiler (its install prefix compiled in, so a binary placeholder), a C tool
 * linking it, and a noarch: python package with an entry point built against the
 * machine's python3. Installed with the real CLI into prefixes of different lengths, run,
 * and removed again.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extractPackage, readArchiveMetadata } from '../../channels/archive/index.js';
import { fullRecipesDir, missingCToolchain, planFullDemo } from '../../build/demo/full-demo.js';
import { machinePython } from '../../build/demo/machine-python.js';
import { demoSourcesDir, makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { runCliOk } from '../helpers/cli.js';

const cMissing = missingCToolchain();
const python = machinePython();
const withC = cMissing ? test.skip : test;
const withPython = python ? test : test.skip;
if (cMissing) console.warn(`skipping the C parts of the full demo: ${cMissing}`);
if (!python) console.warn('skipping the python parts of the full demo: no usable python3');

let work: string;
let channel: string;
let env: NodeJS.ProcessEnv;
let written: string[];
const skipped: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-demo-full-'));
  channel = path.join(work, 'channel');
  env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };
  written = await makeDemoChannel(channel, { full: true, onSkip: (reason) => skipped.push(reason) });
}, 180_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function archiveOf(name: string): string {
  const found = written.find((f) => path.basename(f).startsWith(`${name}-1.0.0-`) && f.endsWith('.conda'));
  if (!found) throw new Error(`no ${name} in ${written.map((f) => path.basename(f)).join(', ')}`);
  return found;
}

function run(file: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(file, args, { encoding: 'utf8' });
}

describe('the full demo channel', () => {
  test('holds the basic packages plus what this machine can build, and says why anything is missing', () => {
    const names = written.map((f) => path.basename(f));
    expect(names).toEqual(expect.arrayContaining(['hello-taipan-1.0.0-0.conda', 'hello-taipan-1.0.0-0.tar.bz2', 'taipan-greetings-1.1.0-0.conda', 'taipan-greetings-2.0.0-0.conda']));
    const expected = [...(cMissing ? [] : ['libtaipan', 'taipan-hello-c']), ...(python ? ['taipan-hello-py', 'python'] : [])];
    for (const name of expected) expect(names.some((n) => n.startsWith(`${name}-`))).toBe(true);
    expect(skipped.length).toBe((cMissing ? 1 : 0) + (python ? 0 : 1));
  });

  test('every package built from a recipe passes the structural check', async () => {
    const built = written.filter((f) => !path.basename(f).startsWith('python-'));
    expect(built.length).toBeGreaterThanOrEqual(5);
    for (const archive of built) {
      const meta = await readArchiveMetadata(archive);
      const unpacked = path.join(work, 'unpacked', path.basename(archive));
      await extractPackage(archive, unpacked);
      expect(path.basename(archive)).toBe(`${meta.index.name}-${meta.index.version}-${meta.index.build}${archive.endsWith('.conda') ? '.conda' : '.tar.bz2'}`);
      expect(path.basename(path.dirname(archive))).toBe(meta.index.subdir);
      for (const entry of meta.paths.paths) {
        const file = path.join(unpacked, entry._path);
        if (entry.path_type === 'softlink') {
          expect({ path: entry._path, symlink: (await lstat(file)).isSymbolicLink() }).toEqual({ path: entry._path, symlink: true });
          continue;
        }
        const data = await readFile(file);
        expect({ path: entry._path, sha256: createHash('sha256').update(data).digest('hex'), size: data.length }).toEqual({
          path: entry._path,
          sha256: entry.sha256,
          size: entry.size_in_bytes,
        });
      }
      expect((await readFile(path.join(unpacked, 'info', 'files'), 'utf8')).split('\n').filter(Boolean)).toEqual(meta.paths.paths.map((p) => p._path));
      expect(existsSync(path.join(unpacked, 'info', 'recipe', 'rendered_recipe.yaml'))).toBe(true);
      expect(existsSync(path.join(unpacked, 'info', 'tests', 'tests.yaml'))).toBe(true);
      expect(typeof meta.index.timestamp).toBe('number');
    }
  });

  withC('libtaipan holds a binary placeholder and run_exports, which taipan-hello-c depends through', async () => {
    const lib = await readArchiveMetadata(archiveOf('libtaipan'));
    expect(lib.index).toMatchObject({ name: 'libtaipan', subdir: expect.stringMatching(/^(linux|osx)-/), depends: ['taipan-greetings >=1.1,<2'] });
    expect(lib.runExports).toEqual({ weak: ['libtaipan >=1.0.0,<2.0a0'] });
    const paths = Object.fromEntries(lib.paths.paths.map((p) => [p._path, p]));
    expect(Object.keys(paths).sort()).toEqual(['include/taipan.h', 'lib/libtaipan.so', 'lib/libtaipan.so.1']);
    expect(paths['lib/libtaipan.so.1']).toMatchObject({ path_type: 'hardlink', file_mode: 'binary' });
    expect(paths['lib/libtaipan.so.1']!.prefix_placeholder!.length).toBe(255);
    expect(paths['lib/libtaipan.so']!.path_type).toBe('softlink');

    const tool = await readArchiveMetadata(archiveOf('taipan-hello-c'));
    expect(tool.index.depends).toEqual(['libtaipan >=1.0.0,<2.0a0']);
    expect(tool.paths.paths.map((p) => p._path)).toEqual(['bin/taipan-hello-c']);
  });

  withC('the C tool installs into prefixes of two lengths and runs from both', async () => {
    const prefixes = [path.join(work, 's'), path.join(work, 'a-much-longer-folder-name-for-the-second-environment', 'and', 'deeper', 'env')];
    const placeholder = (await readArchiveMetadata(archiveOf('libtaipan'))).paths.paths.find((p) => p._path === 'lib/libtaipan.so.1')!.prefix_placeholder!;
    const cached = path.join(work, 'pkgs', path.basename(archiveOf('libtaipan'), '.conda'), 'lib', 'libtaipan.so.1');
    for (const prefix of prefixes) {
      runCliOk(['create', '-y', '-p', prefix, '-c', channel, 'taipan-hello-c'], env);
      const result = run(path.join(prefix, 'bin', 'taipan-hello-c'), ['fr']);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(`Bonjour depuis un environnement taipan !\n(libtaipan 1.0.0 in ${prefix})\n`);
      expect(result.status).toBe(0);

      // The library is a rewritten copy of the same length; the package cache keeps the placeholder.
      const installed = await readFile(path.join(prefix, 'lib', 'libtaipan.so.1'));
      expect(installed.includes(Buffer.from(`${prefix}/share/taipan-greetings/greetings.txt\0`))).toBe(true);
      expect(installed.includes(Buffer.from(placeholder))).toBe(false);
      expect(installed.length).toBe((await stat(cached)).size);
      expect((await stat(path.join(prefix, 'lib', 'libtaipan.so.1'))).ino).not.toBe((await stat(cached)).ino);
      expect((await readFile(cached)).includes(Buffer.from(placeholder))).toBe(true);
    }
    expect(prefixes[0]!.length).toBeLessThan(prefixes[1]!.length);
  });

  withPython('the noarch: python package is placed for the environment\'s python and its entry point runs', async () => {
    const prefix = path.join(work, 'env-py');
    runCliOk(['create', '-y', '-p', prefix, '-c', channel, 'taipan-hello-py'], env);
    const result = run(path.join(prefix, 'bin', 'taipan-hello-py'), ['de']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`Hallo aus einer taipan-Umgebung!\n(python ${python!.version} in ${prefix})\n`);
    const sitePackages = path.join(prefix, 'lib', `python${python!.majorMinor}`, 'site-packages', 'taipan_hello');
    expect((await readdir(sitePackages)).sort()).toEqual(['__init__.py', '__pycache__', 'cli.py']);
    const missing = run(path.join(prefix, 'bin', 'taipan-hello-py'), ['xx']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no greeting for language 'xx'");
  });

  test('without a C compiler the C recipes are left out with the reason', () => {
    const saved = process.env.CC;
    process.env.CC = path.join(work, 'no-such-cc');
    try {
      const plan = planFullDemo(fullRecipesDir(demoSourcesDir()));
      expect(plan.recipeDirs.map((d) => path.basename(d))).toEqual(python ? ['taipan-hello-py'] : []);
      expect(plan.skipped[0]).toBe(`libtaipan and taipan-hello-c left out: no C compiler ('${process.env.CC} --version' did not run; install gcc or set CC)`);
    } finally {
      if (saved === undefined) delete process.env.CC;
      else process.env.CC = saved;
    }
  });

  test('removing every package leaves nothing but the history', async () => {
    const prefix = path.join(work, 'env-all');
    const tools = ['hello-taipan', ...(cMissing ? [] : ['taipan-hello-c']), ...(python ? ['taipan-hello-py'] : [])];
    runCliOk(['create', '-y', '-p', prefix, '-c', channel, ...tools], env);
    for (const tool of tools) expect(run(path.join(prefix, 'bin', tool), ['es']).stdout).toContain('¡Hola desde un entorno taipan!');
    const installed = (JSON.parse(runCliOk(['list', '-p', prefix, '--json'], env)) as { name: string }[]).map((r) => r.name);
    expect(installed).toEqual(expect.arrayContaining(['taipan-greetings', ...tools]));
    runCliOk(['remove', '-y', '-p', prefix, ...installed], env);
    expect(await filesUnder(prefix)).toEqual(['conda-meta/history']);
  });
});

async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full, base)));
    else out.push(path.relative(base, full));
  }
  return out.sort();
}

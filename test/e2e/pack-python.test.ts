/**
 * `taipan pack` of a python environment (real noarch: python packages from ../shared, the
 * machine's python3, bytecode compiled at install) made under ~/.taipan/envs, extracted
 * with the real tar / unzip and moved with `bin/conda-unpack` or `taipan unpack` to a
 * shorter and to a longer path: python imports the packed modules from their untouched
 * .pyc, an entry point runs, `bin/activate` works. Before the fix the .pyc were rewritten
 * as binary files: "bad marshal data" at a shorter path, a refusal at a longer one.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { runCliOk } from '../helpers/cli.js';
import { changedPycs, condaUnpack, extractPack, pycDigests, unpackedPythonProblems, type PythonExpectations } from '../helpers/pack-round-trip.js';
import { machinePython, writeMachinePythonPackage } from '../helpers/python-package.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

const FIXTURES = ['conda-index-pkg-a-1.0-pyhed9eced_1.tar.bz2', 'sample_noarch_python-1.0-py_0.conda', 'foobar-0.1.0-pyhbf21a9e_0.conda'];

const EXPECTED: Omit<PythonExpectations, 'pycFresh'> = {
  modules: ['sample', 'foobar', 'foobar.a', 'foobar.b', 'conda_index_pkg_a'],
  functionModule: 'conda_index_pkg_a',
  // The entry point prints its environment as JSON.
  entryPoint: { name: 'conda-index-pkg-a', args: [], expect: '"PATH": "/usr/bin:/bin"' },
};

const python = machinePython();
const runnable = process.platform === 'linux' && python !== undefined;
if (!runnable) console.log('skipping the pack round trips of a python environment: they need Linux and python3 on PATH');

describeShared('pack and unpack a python environment', () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  let prefix: string;
  let original: Map<string, string>;

  beforeAll(async () => {
    if (!runnable || !python) return;
    work = await realpath(await mkdtemp('/tmp/tp-'));
    const channel = path.join(work, 'channel');
    await mkdir(path.join(channel, 'noarch'), { recursive: true });
    for (const fn of FIXTURES) await copyFile(sharedPath('fixtures', 'packages', fn), path.join(channel, 'noarch', fn));
    await writeMachinePythonPackage(channel, python);
    await indexChannel(channel);
    const home = path.join(work, 'home');
    env = { HOME: home, TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };
    runCliOk(['create', '-y', '-n', 'python-env', '-c', channel, 'python', 'conda-index-pkg-a', 'sample_noarch_python', 'foobar'], env);
    prefix = path.join(home, '.taipan', 'envs', 'python-env');
    original = await pycDigests(prefix);
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  function pack(name: string): string {
    const archive = path.join(work, name);
    runCliOk(['pack', '-n', 'python-env', '-o', archive], env);
    return archive;
  }

  /** Extract `archive` into a new folder `relative` of work, unpack it one way, and check it. */
  async function roundTrip(archive: string, relative: string, method: 'conda-unpack' | 'taipan unpack'): Promise<string[]> {
    const dest = path.join(work, relative);
    await mkdir(dest, { recursive: true });
    const extracted = extractPack(archive, dest);
    if (extracted.length > 0) return extracted;
    if (method === 'conda-unpack') {
      const problems = condaUnpack(dest);
      if (problems.length > 0) return problems;
    } else {
      runCliOk(['unpack', dest], env);
    }
    const changed = await changedPycs(dest, original);
    return [...changed, ...(await unpackedPythonProblems(dest, { ...EXPECTED, pycFresh: !archive.endsWith('.zip') }))];
  }

  const shorter = 's';
  const longer = path.join('moved', 'into-a-folder-whose-path-is-far-longer-than', 'the-one-it-was-made-in');

  (runnable ? test : test.skip)('the paths: made under ~/.taipan/envs, moved shorter and longer', () => {
    expect(path.join(work, shorter).length).toBeLessThan(prefix.length);
    expect(path.join(work, longer).length).toBeGreaterThan(prefix.length + 20);
    // The packages compiled their modules at install, with the old path inside.
    expect(original.size).toBeGreaterThanOrEqual(EXPECTED.modules.length);
  });

  (runnable ? test : test.skip)('.tar.gz: conda-unpack and taipan unpack, at a shorter and at a longer path', async () => {
    const archive = pack('env.tar.gz');
    expect(await roundTrip(archive, `${shorter}1`, 'conda-unpack')).toEqual([]);
    expect(await roundTrip(archive, `${longer}1`, 'conda-unpack')).toEqual([]);
    expect(await roundTrip(archive, `${shorter}2`, 'taipan unpack')).toEqual([]);
    expect(await roundTrip(archive, `${longer}2`, 'taipan unpack')).toEqual([]);
  });

  // unzip dates files from the DOS field (2-second steps): some .pyc are compiled again, none is broken.
  (runnable ? test : test.skip)('.zip (unzip) and .tar.zst (tar --zstd): both unpack methods', async () => {
    const zip = pack('env.zip');
    expect(await roundTrip(zip, `${shorter}3`, 'conda-unpack')).toEqual([]);
    expect(await roundTrip(zip, `${longer}3`, 'taipan unpack')).toEqual([]);
    const zst = pack('env.tar.zst');
    expect(await roundTrip(zst, `${longer}4`, 'conda-unpack')).toEqual([]);
    expect(await roundTrip(zst, `${shorter}4`, 'taipan unpack')).toEqual([]);
  });

  (runnable ? test : test.skip)('the real tar lists the pack: .pyc and their sources keep their mtimes, only declared files are planned', async () => {
    const archive = pack('listed.tar.gz');
    const listing = spawnSync('tar', ['-tzvf', archive, '--full-time'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(listing.status).toBe(0);
    const rel = `lib/python${python?.majorMinor}/site-packages`;
    const source = `${rel}/foobar/a.py`;
    const line = listing.stdout.split('\n').find((l) => l.endsWith(` ${source}`));
    expect(line).toBeDefined();
    const seconds = Math.floor((await stat(path.join(prefix, source))).mtimeMs / 1000);
    const shown = /(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/.exec(line ?? '')?.[1] ?? '';
    expect(Date.parse(`${shown.replace(' ', 'T')}Z`) / 1000).toBe(seconds);
    expect(listing.stdout).toContain(`${rel}/foobar/__pycache__/a.cpython-${python?.majorMinor.replace('.', '')}.pyc`);

    const plan = spawnSync('tar', ['-xzOf', archive, '.taipan-pack/plan'], { encoding: 'utf8' }).stdout;
    const planned = plan.split('\n').filter((l) => l.startsWith('F ')).map((l) => l.split(' ').slice(3).join(' ')).sort();
    // The interpreter wrapper (text placeholder), the entry points, the generated activate.
    expect(planned).toEqual(['bin/activate', 'bin/conda-index-pkg-a', 'bin/conda-index-pkg-a-helper', `bin/python${python?.majorMinor}`]);
  });
});

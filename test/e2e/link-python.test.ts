/**
 * Real noarch: python packages from ../shared, installed through the real CLI next to a
 * "python" package made from the machine's own python3: site-packages relocation, .pyc
 * compiled by that python and recorded, entry points that run, a post-link script's
 * message shown, long and spaced prefixes (shebangs through /usr/bin/env), and removal
 * without a trace.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { runCli, runCliOk } from '../helpers/cli.js';
import { describeShared, sharedPath } from '../helpers/shared.js';
import { machinePython, writeMachinePythonPackage, type MachinePython } from '../helpers/python-package.js';
import { checkPrefixConsistency, emptyFolders, present } from '../unit/environments/link/prefix-consistency.js';

const FIXTURES = [
  'conda-index-pkg-a-1.0-pyhed9eced_1.tar.bz2',
  'sample_noarch_python-1.0-py_0.conda',
  'foobar-0.1.0-pyhbf21a9e_0.conda',
  'spiffy-test-app-0.5-pyh6afbcc8_0.tar.bz2',
];

const python = machinePython();

describeShared('noarch: python packages with the machine python', () => {
  let work: string;
  let channel: string;
  let env: NodeJS.ProcessEnv;
  let py: MachinePython;

  beforeAll(async () => {
    if (!python) throw new Error('these tests need python3 on PATH');
    py = python;
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-py-'));
    channel = path.join(work, 'channel');
    env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };
    await mkdir(path.join(channel, 'noarch'), { recursive: true });
    for (const fn of FIXTURES) await copyFile(sharedPath('fixtures', 'packages', fn), path.join(channel, 'noarch', fn));
    await writeMachinePythonPackage(channel, py);
    await indexChannel(channel);
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  function ok(args: string[]): string {
    return runCliOk(args, env);
  }

  test('install relocates, compiles and records; entry points run; removal leaves nothing', async () => {
    const prefix = path.join(work, 'env');
    const out = ok(['create', '-y', '-p', prefix, '-c', channel, 'conda-index-pkg-a', 'sample_noarch_python', 'foobar']);
    const sitePackages = path.join(prefix, 'lib', `python${py.majorMinor}`, 'site-packages');
    const tag = `cpython-${py.majorMinor.replace('.', '')}`;

    // The post-link script (shipped as python-scripts/) ran with conda's variables; its message was shown.
    expect(out).toContain('"PKG_NAME": "conda-index-pkg-a"');
    expect(out).toContain('"PKG_BUILDNUM": "1"');
    expect(out).toContain(`"PREFIX": "${prefix}"`);
    expect(await present(path.join(prefix, '.messages.txt'))).toBe(false);

    // site-packages relocation and bytecode compiled by the environment's python.
    expect(await present(path.join(sitePackages, 'conda_index_pkg_a', '__init__.py'))).toBe(true);
    expect(await present(path.join(sitePackages, 'conda_index_pkg_a', '__pycache__', `__init__.${tag}.pyc`))).toBe(true);
    expect(await present(path.join(sitePackages, 'foobar', '__pycache__', `a.${tag}.pyc`))).toBe(true);
    const record = JSON.parse(await readFile(path.join(prefix, 'conda-meta', 'conda-index-pkg-a-1.0-pyhed9eced_1.json'), 'utf8'));
    const rel = `lib/python${py.majorMinor}/site-packages`;
    expect(record.files).toContain(`${rel}/conda_index_pkg_a/__pycache__/__init__.${tag}.pyc`);
    expect(record.paths_data.paths).toContainEqual({ _path: `${rel}/conda_index_pkg_a/__pycache__/__init__.${tag}.pyc`, path_type: 'pyc_file' });
    expect(record.paths_data.paths).toContainEqual(expect.objectContaining({ _path: 'bin/conda-index-pkg-a', path_type: 'unix_python_entrypoint' }));
    expect(record.files).toContain('bin/.conda-index-pkg-a-post-link.sh');

    // Entry points: the environment's interpreter in the shebang, and they run.
    const script = await readFile(path.join(prefix, 'bin', 'conda-index-pkg-a'), 'utf8');
    expect(script.split('\n')[0]).toBe(`#!${prefix}/bin/python${py.majorMinor}`);
    const run = spawnSync(path.join(prefix, 'bin', 'conda-index-pkg-a'), [], { encoding: 'utf8', env: { ...process.env, TAIPAN_MARK: 'ep' } });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).TAIPAN_MARK).toBe('ep');
    const helper = spawnSync(path.join(prefix, 'bin', 'conda-index-pkg-a-helper'), [], { encoding: 'utf8' });
    expect(helper.status).toBe(0);
    const imports = spawnSync(path.join(prefix, 'bin', 'python'), ['-c', 'import sample, foobar.a, sys; print(sys.prefix)'], { encoding: 'utf8' });
    expect(imports.stderr).toBe('');
    expect(imports.stdout.trim()).toBe(prefix);

    const report = await checkPrefixConsistency(prefix);
    expect(report).toMatchObject({ orphans: [], missing: [], shared: [], leftovers: [] });

    // Running the tools wrote no bytecode of their own: removal leaves nothing behind.
    ok(['remove', '-y', '-p', prefix, 'python']);
    expect(await readdir(prefix)).toEqual(['conda-meta']);
    expect(await readdir(path.join(prefix, 'conda-meta'))).toEqual(['history']);
  });

  test('a package whose files are missing from its archive fails before the prefix is touched', async () => {
    // spiffy-test-app's paths.json lists files its (stripped) archive does not hold.
    const prefix = path.join(work, 'env-spiffy');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'python']);
    const result = runCli(['install', '-y', '-p', prefix, '-c', channel, 'spiffy-test-app'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/'spiffy-test-app-0\.5-pyh6afbcc8_0\.tar\.bz2' lists '.*' in its paths\.json, but the extracted package has no such file/);
    expect((await readdir(path.join(prefix, 'conda-meta'))).sort()).toEqual(['history', `python-${py.version}-0_machine.json`]);
    expect(await checkPrefixConsistency(prefix)).toMatchObject({ orphans: [], missing: [], leftovers: [] });
  });

  test('a post-link script that fails on a spaced prefix rolls the whole create back', async () => {
    // The package's own script does not quote $PREFIX; conda fails the same way.
    const prefix = path.join(work, 'a folder with spaces', 'env');
    const result = runCli(['create', '-y', '-p', prefix, '-c', channel, 'conda-index-pkg-a'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("the post-link script of 'conda-index-pkg-a-1.0-pyhed9eced_1' failed with exit code 1");
    expect(result.stderr).toContain('ambiguous redirect');
    expect(await present(prefix)).toBe(false);
  });

  test('a prefix too long for a shebang gets /usr/bin/env entry points that still run', async () => {
    const prefix = path.join(work, 'x'.repeat(60), 'y'.repeat(60), 'env');
    expect(`#!${prefix}/bin/python${py.majorMinor}`.length).toBeGreaterThan(127);
    ok(['create', '-y', '-p', prefix, '-c', channel, 'conda-index-pkg-a']);
    const script = await readFile(path.join(prefix, 'bin', 'conda-index-pkg-a'), 'utf8');
    expect(script.split('\n')[0]).toBe(`#!/usr/bin/env python${py.majorMinor}`);
    const run = spawnSync(path.join(prefix, 'bin', 'conda-index-pkg-a'), [], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}` },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    ok(['remove', '-y', '-p', prefix, 'python']);
    expect(await emptyFolders(prefix)).toEqual([]);
    expect(await readdir(prefix)).toEqual(['conda-meta']);
  });
});

if (!python) {
  // eslint-disable-next-line no-console
  console.log("skipping the noarch: python end-to-end tests' python part: no python3 on PATH");
}

/**
 * A transaction SIGKILLed after every single file operation (TAIPAN_TEST_KILL_AFTER=n, the
 * linker's test hook), each time followed by "the next run": the prefix must then be
 * consistent (no file without its record, no record without its files, no leftovers) and
 * be exactly the state before the transaction, or the state after it when the kill came
 * after the commit point. The transaction mixes an upgrade whose clobbered files get
 * promoted and then clobbered again, and a noarch: python package compiled by python.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { recoverPrefix } from '../../environments/transaction/recover.js';
import { runCli } from '../helpers/cli.js';
import { describeShared, sharedPath } from '../helpers/shared.js';
import { machinePython, writeMachinePythonPackage } from '../helpers/python-package.js';
import { checkPrefixConsistency, present } from '../unit/environments/link/prefix-consistency.js';

const FIXTURES = [
  'clobber-1-0.1.0-h4616a5c_0.tar.bz2',
  'clobber-1-0.2.0-h4616a5c_0.tar.bz2',
  'clobber-2-0.1.0-h4616a5c_0.tar.bz2',
  'clobber-3-0.1.0-h4616a5c_0.tar.bz2',
  'sample_noarch_python-1.0-py_0.conda',
];

describeShared('a transaction killed at every file operation', () => {
  let work: string;
  let channel: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const python = machinePython();
    if (!python) throw new Error('this test needs python3 on PATH');
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-kill-'));
    channel = path.join(work, 'channel');
    env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };
    await mkdir(path.join(channel, 'noarch'), { recursive: true });
    for (const fn of FIXTURES) await copyFile(sharedPath('fixtures', 'packages', fn), path.join(channel, 'noarch', fn));
    await writeMachinePythonPackage(channel, python);
    await indexChannel(channel);
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function records(prefix: string): Promise<string[]> {
    return (await readdir(path.join(prefix, 'conda-meta'))).filter((f) => f.endsWith('.json')).sort();
  }

  async function expectConsistent(prefix: string, n: number): Promise<void> {
    const report = await checkPrefixConsistency(prefix);
    expect({ n, orphans: report.orphans, missing: report.missing, shared: report.shared, leftovers: report.leftovers }).toEqual({
      n,
      orphans: [],
      missing: [],
      shared: [],
      leftovers: [],
    });
  }

  test('an upgrade with clobbers and python: every kill point is repaired', async () => {
    const prefix = path.join(work, 'env');
    const created = runCli(['create', '-y', '-p', prefix, '-c', channel, 'python', 'clobber-1=0.1.0', 'clobber-2'], env);
    expect(created.stderr).toContain('warning:');
    const before = await records(prefix);
    const request = ['install', '-y', '-p', prefix, '-c', channel, 'clobber-1=0.2.0', 'sample_noarch_python'];

    let completed = false;
    let kills = 0;
    for (let n = 1; n < 200 && !completed; n++) {
      const run = runCli(request, { ...env, TAIPAN_TEST_KILL_AFTER: String(n) });
      if (run.status === 0) {
        completed = true;
        break;
      }
      expect({ n, status: run.status, error: /error:/.test(run.stderr) }).toEqual({ n, status: -1, error: false });
      kills++;
      // "The next run": every third time the real CLI (list reads, so it repairs), else the library.
      if (n % 3 === 0) expect(runCli(['list', '-p', prefix], env).status).toBe(0);
      else await recoverPrefix(prefix);
      await expectConsistent(prefix, n);
      const now = await records(prefix);
      if (now.includes('sample_noarch_python-1.0-py_0.json')) {
        // Killed after the commit point: the repair finished the transaction.
        expect(now).toContain('clobber-1-0.2.0-h4616a5c_0.json');
        completed = true;
      } else {
        expect({ n, records: now }).toEqual({ n, records: before });
      }
    }
    expect(completed).toBe(true);
    expect(kills).toBeGreaterThan(8);
    await expectConsistent(prefix, 0);
    expect(await records(prefix)).toContain('clobber-1-0.2.0-h4616a5c_0.json');
    const history = runCli(['list', '-p', prefix], env);
    expect(history.stdout).toMatch(/sample_noarch_python\s+1\.0/);
  });

  test('a create killed at every point leaves no prefix behind after the repair', async () => {
    let completed = false;
    for (let n = 1; n < 50 && !completed; n++) {
      const prefix = path.join(work, `new-${n}`);
      const run = runCli(['create', '-y', '-p', prefix, '-c', channel, 'clobber-2'], { ...env, TAIPAN_TEST_KILL_AFTER: String(n) });
      if (run.status === 0) {
        completed = true;
        await expectConsistent(prefix, n);
        break;
      }
      await recoverPrefix(prefix);
      if (await present(path.join(prefix, 'conda-meta', 'clobber-2-0.1.0-h4616a5c_0.json'))) {
        await expectConsistent(prefix, n);
        completed = true;
      } else {
        expect({ n, exists: await present(prefix) }).toEqual({ n, exists: false });
      }
    }
    expect(completed).toBe(true);
  });
});

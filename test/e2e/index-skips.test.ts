/**
 * `taipan index` over a folder holding archives it cannot index, as conda-index treats
 * them: a corrupt archive, and index.json names, versions and builds clients refuse
 * (`../x`, a newline, NUL, 300 bytes) are left out with one warning each; the good packages
 * are indexed and installable; the exit code is 1 with a summary line (issue 13 §6).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { condaZip, rawTar, writePackage } from '../reliability/fixtures.js';

/** A `.conda` whose info/index.json says `fields`, under the file name `stem`. */
async function packageNamed(channel: string, stem: string, fields: { name: string; version?: string; build?: string }): Promise<void> {
  const index = { version: '1.0', build: '0', build_number: 0, depends: [], noarch: 'generic', subdir: 'noarch', ...fields };
  const info = rawTar([
    { path: 'info/index.json', body: JSON.stringify(index) },
    { path: 'info/paths.json', body: JSON.stringify({ paths: [{ _path: 'share/x.txt', path_type: 'hardlink' }], paths_version: 1 }) },
  ]);
  await writeFile(path.join(channel, 'noarch', `${stem}.conda`), await condaZip(stem, rawTar([{ path: 'share/x.txt', body: 'x\n' }]), info));
}

describe('taipan index with archives it cannot index', () => {
  let work: string;
  let channel: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-index-skips-'));
    channel = path.join(work, 'channel');
    await mkdir(path.join(channel, 'noarch'), { recursive: true });
    await writePackage(channel, { name: 'good', files: { 'share/good.txt': 'good\n' } });
    await writePackage(channel, { name: 'also-good_1.x', files: { 'share/also.txt': 'also\n' }, format: 'tar.bz2' });
    await packageNamed(channel, 'Upper-1.0-0', { name: 'Upper' });
    await packageNamed(channel, 'dots-1.0-0', { name: '../x' });
    await packageNamed(channel, 'newline-1.0-0', { name: 'a\nb' });
    await packageNamed(channel, 'nul-1.0-0', { name: 'a\u0000b' });
    await packageNamed(channel, 'space-1.0-0', { name: 'a b' });
    await packageNamed(channel, 'long-1.0-0', { name: 'l'.repeat(300) });
    await packageNamed(channel, 'badversion-1.0-0', { name: 'badversion', version: '1/../../x' });
    await packageNamed(channel, 'badbuild-1.0-0', { name: 'badbuild', build: 'x\ny' });
    await writeFile(path.join(channel, 'noarch', 'corrupt-1.0-0.conda'), 'this is not a zip file');
    await writeFile(path.join(channel, 'noarch', 'corrupt-2.0-0.tar.bz2'), Buffer.alloc(200, 7));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('bad archives are left out with a warning each; the rest is indexed; exit 1 with a summary', async () => {
    const run = runCli(['index', channel]);
    expect(run.stderr).not.toMatch(/unexpected failure|    at /);
    const warnings = run.stderr.split('\n').filter((l) => l.startsWith('warning: skipped'));
    expect(warnings).toHaveLength(9);
    for (const fn of ['dots-1.0-0.conda', 'newline-1.0-0.conda', 'nul-1.0-0.conda', 'space-1.0-0.conda', 'long-1.0-0.conda', 'badversion-1.0-0.conda', 'badbuild-1.0-0.conda', 'corrupt-1.0-0.conda', 'corrupt-2.0-0.tar.bz2']) {
      expect(warnings.some((w) => w.startsWith(`warning: skipped 'noarch/${fn}': `))).toBe(true);
    }
    expect(run.stderr).toContain(`warning: skipped 'noarch/dots-1.0-0.conda': the name "../x" in info/index.json is not a package name`);
    expect(run.stderr).toContain(`warning: skipped 'noarch/nul-1.0-0.conda': the name "a\\u0000b" in info/index.json is not a package name`);
    expect(run.stderr).toMatch(/warning: skipped 'noarch\/corrupt-1\.0-0\.conda': corrupt package archive/);
    expect(run.stderr).toMatch(/^error: 9 archive\(s\) could not be indexed and were left out \(see the warnings above\); the other packages were indexed$/m);
    expect(run.stdout).toMatch(/^noarch\s+3 package\(s\), 3 read, 0 unchanged, 9 skipped$/m);
    expect(run.status).toBe(1);

    const repodata = JSON.parse(await readFile(path.join(channel, 'noarch', 'repodata.json'), 'utf8'));
    expect(Object.keys(repodata['packages.conda']).sort()).toEqual(['Upper-1.0-0.conda', 'good-1.0-0.conda']);
    expect(Object.keys(repodata.packages)).toEqual(['also-good_1.x-1.0-0.tar.bz2']);
  });

  test('what was indexed installs; a second run still reports the bad archives (they are not cached)', () => {
    const prefix = path.join(work, 'env');
    const created = runCli(['create', '-y', '-p', prefix, '-c', channel, '--override-channels', 'good', 'also-good_1.x'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') });
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const again = runCli(['index', channel, '--json']);
    expect(again.status).toBe(1);
    const result = JSON.parse(again.stdout) as Record<string, { records: number; read: number; skipped: { file: string; reason: string }[] }>;
    expect(result.noarch).toMatchObject({ records: 3, read: 0 });
    expect(result.noarch?.skipped.map((s) => path.basename(s.file)).sort()).toContain('corrupt-1.0-0.conda');
    expect(result.noarch?.skipped).toHaveLength(9);
  });

  test('a clean folder still exits 0 without warnings', async () => {
    const clean = path.join(work, 'clean');
    await writePackage(clean, { name: 'good', files: { 'share/good.txt': 'good\n' } });
    const run = runCli(['index', clean]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

/**
 * The foundation issue's acceptance on conda's own test channel (../shared): real defaults
 * zlib packages, and a repodata that lists a dependency whose archive the channel lacks.
 */
import { mkdtemp, readFile, readlink, rm, stat, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeShared, sharedPath } from '../helpers/shared.js';
import { runCli } from '../helpers/cli.js';

describeShared('conda-format-repo channel', () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  const channel = sharedPath('fixtures', 'channels', 'conda-format-repo');

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-cfr-'));
    env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('zlib with its dependencies fails naming the missing archive, and leaves no prefix', () => {
    const prefix = path.join(work, 'e');
    const result = runCli(['create', '-y', '--platform', 'linux-64', '-p', prefix, '-c', channel, 'zlib'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('libgcc-ng-8.2.0-hdf63c60_1.tar.bz2');
    expect(result.stderr).toContain('is missing');
    expect(existsSync(prefix)).toBe(false);
  });

  test('--no-deps installs the real zlib as hard links into the cache; list and remove work', async () => {
    const prefix = path.join(work, 'e2');
    const created = runCli(['create', '-y', '--platform', 'linux-64', '-p', prefix, '-c', channel, '--no-deps', 'zlib'], env);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);

    const record = JSON.parse(await readFile(path.join(prefix, 'conda-meta', 'zlib-1.2.11-h7b6447c_3.json'), 'utf8'));
    expect(record.fn).toBe('zlib-1.2.11-h7b6447c_3.conda');
    expect(record.sha256).toBe('f33afff2144e1d6c4cf2e3e184937db8bf825b4537df74662aea5ee207b6a31b');
    expect(record.files.length).toBeGreaterThan(5);
    const cacheDir = path.join(work, 'pkgs', 'zlib-1.2.11-h7b6447c_3');
    let hardLinked = 0;
    for (const entry of record.paths_data.paths) {
      if (entry.path_type === 'softlink') {
        // This re-packed archive stores its symlinks with empty targets; paths.json's hash names the real one.
        expect(await readlink(path.join(prefix, entry._path))).toBe('libz.so.1.2.11');
        continue;
      }
      const inPrefix = await stat(path.join(prefix, entry._path));
      const inCache = await stat(path.join(cacheDir, entry._path));
      if (entry.prefix_placeholder) {
        expect(inPrefix.ino).not.toBe(inCache.ino);
        expect(await readFile(path.join(prefix, entry._path), 'utf8')).toContain(prefix);
      } else if (entry.path_type === 'hardlink') {
        expect(inPrefix.ino).toBe(inCache.ino);
        hardLinked++;
      }
    }
    expect(hardLinked).toBeGreaterThan(0);

    const listed = runCli(['list', '-p', prefix], env);
    expect(listed.stdout).toMatch(/zlib\s+1\.2\.11\s+h7b6447c_3/);

    const removed = runCli(['remove', '-y', '-p', prefix, 'zlib'], env);
    expect(removed.status).toBe(0);
    for (const file of record.files) expect(existsSync(path.join(prefix, file))).toBe(false);
    expect((await readdir(path.join(prefix, 'conda-meta'))).filter((f) => f.endsWith('.json'))).toEqual([]);
    expect(await readdir(prefix)).toEqual(['conda-meta']);
  });
});

/**
 * Link scripts and clobbering with the real fixtures from ../shared (conda's and rattler's
 * own test packages), through the real CLI.
 */
import { copyFile, mkdir, mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { runCli } from '../helpers/cli.js';
import { describeShared, sharedPath } from '../helpers/shared.js';
import { checkPrefixConsistency, emptyFolders, present } from '../unit/environments/link/prefix-consistency.js';

const FIXTURES = [
  'link-scripts-0.1.0-h4616a5c_0.conda',
  'failing_post_link-1.0-0.conda',
  'clobber-1-0.1.0-h4616a5c_0.tar.bz2',
  'clobber-1-0.2.0-h4616a5c_0.tar.bz2',
  'clobber-2-0.1.0-h4616a5c_0.tar.bz2',
  'clobber-3-0.1.0-h4616a5c_0.tar.bz2',
  'clobber-fd-1-0.1.0-h4616a5c_0.conda',
  'clobber-fd-2-0.1.0-h4616a5c_0.conda',
  'clobber-with-symlink-a-0.1.0-h4616a5c_0.conda',
  'clobber-with-symlink-b-0.1.0-h4616a5c_0.conda',
  'empty-0.1.0-h4616a5c_0.conda',
];

describeShared('link scripts and clobbering (real fixtures)', () => {
  let work: string;
  let channel: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-clobber-'));
    channel = path.join(work, 'channel');
    env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };
    await mkdir(path.join(channel, 'noarch'), { recursive: true });
    for (const fn of FIXTURES) await copyFile(sharedPath('fixtures', 'packages', fn), path.join(channel, 'noarch', fn));
    await indexChannel(channel);
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  function ok(args: string[]): { stdout: string; stderr: string } {
    const result = runCli(args, env);
    if (result.status !== 0) throw new Error(`taipan ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
    return result;
  }

  async function consistent(prefix: string, ignore: string[] = []): Promise<void> {
    expect(await checkPrefixConsistency(prefix, ignore)).toMatchObject({ orphans: [], missing: [], shared: [], leftovers: [] });
  }

  test('post-link runs with its message shown; pre-unlink runs before removal', async () => {
    const prefix = path.join(work, 'scripts');
    const created = ok(['create', '-y', '-p', prefix, '-c', channel, 'link-scripts']);
    expect(created.stdout).toContain('This is a post-link script that just ran for the recipe package.');
    expect(await present(path.join(prefix, 'i-was-post-linked'))).toBe(true);
    expect(await present(path.join(prefix, '.messages.txt'))).toBe(false);
    await consistent(prefix, ['i-was-post-linked']);
    ok(['remove', '-y', '-p', prefix, 'link-scripts']);
    // The pre-unlink script removed what the post-link script made.
    expect(await readdir(prefix)).toEqual(['conda-meta']);
  });

  test('a failing post-link script fails the transaction and rolls it back', async () => {
    const fresh = path.join(work, 'failing-new');
    const result = runCli(['create', '-y', '-p', fresh, '-c', channel, 'failing_post_link'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("the post-link script of 'failing_post_link-1.0-0' failed with exit code 1");
    expect(await present(fresh)).toBe(false);

    const prefix = path.join(work, 'failing-existing');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'empty']);
    const before = await readdir(path.join(prefix, 'conda-meta'));
    const again = runCli(['install', '-y', '-p', prefix, '-c', channel, 'failing_post_link'], env);
    expect(again.status).toBe(1);
    expect(await readdir(path.join(prefix, 'conda-meta'))).toEqual(before);
    expect(await present(path.join(prefix, 'bin'))).toBe(false);
    await consistent(prefix);
  });

  test('three packages with the same files: first keeps them, removal promotes the next', async () => {
    const prefix = path.join(work, 'clobber3');
    const created = ok(['create', '-y', '-p', prefix, '-c', channel, 'clobber-1=0.1.0', 'clobber-2', 'clobber-3']);
    expect(created.stderr).toMatch(/warning: 'clobber-[23]' ships 2 path\(s\) that 'clobber-1' already installed/);
    await consistent(prefix);
    const content = (pkg: string, file: string): Promise<string> => readFile(path.join(work, 'pkgs', `${pkg}-0.1.0-h4616a5c_0`, file), 'utf8');
    expect(await readFile(path.join(prefix, 'clobber.txt'), 'utf8')).toBe(await content('clobber-1', 'clobber.txt'));
    expect(await present(path.join(prefix, '__clobbers__', 'clobber-2', 'clobber.txt'))).toBe(true);
    const record2 = JSON.parse(await readFile(path.join(prefix, 'conda-meta', 'clobber-2-0.1.0-h4616a5c_0.json'), 'utf8'));
    expect(record2.paths_data.paths).toContainEqual(expect.objectContaining({ _path: '__clobbers__/clobber-2/clobber.txt', original_path: 'clobber.txt' }));

    ok(['remove', '-y', '-p', prefix, 'clobber-1']);
    await consistent(prefix);
    expect(await readFile(path.join(prefix, 'clobber.txt'), 'utf8')).toBe(await content('clobber-2', 'clobber.txt'));
    const promoted = JSON.parse(await readFile(path.join(prefix, 'conda-meta', 'clobber-2-0.1.0-h4616a5c_0.json'), 'utf8'));
    expect(promoted.files).toEqual(expect.arrayContaining(['clobber.txt', 'another-clobber.txt']));
    expect(promoted.paths_data.paths.every((p: { original_path?: string }) => p.original_path === undefined)).toBe(true);

    ok(['remove', '-y', '-p', prefix, 'clobber-2']);
    await consistent(prefix);
    expect(await readFile(path.join(prefix, 'clobber.txt'), 'utf8')).toBe(await content('clobber-3', 'clobber.txt'));
    ok(['remove', '-y', '-p', prefix, 'clobber-3']);
    expect(await readdir(prefix)).toEqual(['conda-meta']);
  });

  test('updating a clobbered package keeps every file owned', async () => {
    const prefix = path.join(work, 'clobber-update');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'clobber-1=0.1.0', 'clobber-2']);
    ok(['install', '-y', '-p', prefix, '-c', channel, 'clobber-1=0.2.0']);
    await consistent(prefix);
    expect(await present(path.join(prefix, 'clobber.txt'))).toBe(true);
    ok(['remove', '-y', '-p', prefix, 'clobber-1', 'clobber-2']);
    expect(await readdir(prefix)).toEqual(['conda-meta']);
  });

  test('a file against a folder, and a symlink against a symlink', async () => {
    const prefix = path.join(work, 'clobber-fd');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'clobber-fd-1', 'clobber-fd-2', 'clobber-with-symlink-a', 'clobber-with-symlink-b']);
    await consistent(prefix);
    // clobber-fd-2's folder waits under __clobbers__ until clobber-fd-1's file leaves.
    ok(['remove', '-y', '-p', prefix, 'clobber-fd-1']);
    await consistent(prefix);
    expect(await present(path.join(prefix, 'clobber', 'clobber-fd-2.txt'))).toBe(true);
    // Removing the losing symlink keeps the winner's link intact.
    ok(['remove', '-y', '-p', prefix, 'clobber-with-symlink-b']);
    await consistent(prefix);
    expect(await readlink(path.join(prefix, 'lib', 'clobber.so'))).toBe('clobber-2.txt');
    ok(['remove', '-y', '-p', prefix, 'clobber-fd-2', 'clobber-with-symlink-a']);
    expect(await emptyFolders(prefix)).toEqual([]);
    expect(await readdir(prefix)).toEqual(['conda-meta']);
  });
});

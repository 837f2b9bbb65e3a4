/**
 * Environment names and folders (issue 13 §2): names that would reach the envs folder or
 * leave it are refused, and removing an environment only ever removes an environment —
 * never the envs folder, a folder holding other environments, the home or working folder.
 * Real CLI, real folders; every other environment must survive each refusal.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { runCli } from '../helpers/cli.js';
import { useTempChannel } from '../helpers/temp-channel.js';
import { writePackage } from '../reliability/fixtures.js';

describe('environment names and folders', () => {
  let work: string;
  let channel: string;
  let envs: string;
  let env: NodeJS.ProcessEnv;
  useTempChannel(
    'e2e-names',
    async (ch) => {
      await writePackage(ch, { name: 'good', files: { 'share/good/readme.txt': 'good\n' } });
      await indexChannel(ch);
    },
    { ready: (w) => ({ work, channel, env } = w) },
  );

  beforeAll(() => {
    envs = path.join(work, 'envs');
    expect(runCli(['create', '-y', '-n', 'keep', '-c', channel, 'good'], env).status).toBe(0);
  });

  afterEach(async () => {
    // The other environment is never harmed by a refused command.
    expect(await readdir(path.join(envs, 'keep', 'share', 'good'))).toEqual(['readme.txt']);
  });

  it.each(['.', '..', '', 'a/b', 'a\\b', 'x:y', 'has space', 'hash#tag'])('refuses the environment name %j', (name) => {
    for (const args of [['create', '-y', '-n', name, '-c', channel, 'good'], ['env', 'remove', '-y', '-n', name], ['remove', '-y', '-n', name, '--all']]) {
      const result = runCli(args, env);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^error: invalid environment name/m);
    }
  });

  it('refuses the envs folder and folders holding it as a prefix', () => {
    for (const prefix of [envs, work]) {
      for (const args of [['create', '-y', '-p', prefix, '-c', channel, 'good'], ['env', 'remove', '-y', '-p', prefix], ['remove', '-y', '--all', '-p', prefix]]) {
        const result = runCli(args, env);
        expect(result.status).toBe(1);
        expect(result.stderr).toMatch(/^error: '.*' (is|holds) the envs folder/m);
      }
    }
  });

  it('removes only environments, never a folder holding another one or the working folder', async () => {
    const outer = path.join(work, 'outer');
    expect(runCli(['create', '-y', '-p', outer, '-c', channel, 'good'], env).status).toBe(0);
    expect(runCli(['create', '-y', '-p', path.join(outer, 'inner'), '-c', channel, 'good'], env).status).toBe(0);
    const holding = runCli(['env', 'remove', '-y', '-p', outer], env);
    expect(holding.status).toBe(1);
    expect(holding.stderr).toMatch(/refusing to remove '.*outer': it holds another environment, '.*inner'/);

    const plain = path.join(work, 'plain');
    await mkdir(plain, { recursive: true });
    await writeFile(path.join(plain, 'data.txt'), 'mine\n');
    const notEnv = runCli(['remove', '--all', '-y', '-p', plain], env);
    expect(notEnv.status).toBe(1);
    expect(notEnv.stderr).toMatch(/not an environment/);
    expect(await readdir(plain)).toEqual(['data.txt']);

    const inside = runCli(['env', 'remove', '-y', '-p', path.join(outer, 'inner')], env, path.join(outer, 'inner', 'share'));
    expect(inside.status).toBe(1);
    expect(inside.stderr).toMatch(/holds the working folder/);

    const active = runCli(['env', 'remove', '-y', '-p', path.join(outer, 'inner')], { ...env, CONDA_PREFIX: path.join(outer, 'inner') });
    expect(active.status).toBe(1);
    expect(active.stderr).toMatch(/active environment/);

    expect(runCli(['remove', '--all', '-y', '-p', path.join(outer, 'inner')], env).status).toBe(0);
    expect(runCli(['env', 'remove', '-y', '-p', outer], env).status).toBe(0);
    expect(await readdir(work)).not.toContain('outer');
  });

  it('remove --all and env remove take out a named environment', async () => {
    for (const [name, args] of [['gone1', ['remove', '--all', '-y', '-n', 'gone1']], ['gone2', ['env', 'remove', '-y', '-n', 'gone2']]] as const) {
      expect(runCli(['create', '-y', '-n', name, '-c', channel, 'good'], env).status).toBe(0);
      const result = runCli([...args], env);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`Removed '${path.join(envs, name)}'`);
    }
    expect((await readdir(envs)).sort()).toEqual(['keep']);
  });
});

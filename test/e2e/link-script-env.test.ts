/**
 * What a package's link scripts see, through the real CLI: conda's variables, a PATH with
 * the prefix first, the locale and home, the prefix as working folder, and nothing else
 * of the user's environment (no tokens, no cloud keys, no TAIPAN_* settings).
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { runCli } from '../helpers/cli.js';
import { writePackage } from '../reliability/fixtures.js';

const SECRETS: Record<string, string> = {
  TAIPAN_TEST_TOKEN: 'tp-secret-4f1d9c',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-77a0be',
  GITHUB_TOKEN: 'ghp_secret_0c2e11',
  SOME_UNRELATED_SETTING: 'unrelated-9b3f52',
};

/** Variables bash sets by itself in every script. */
const BASH_OWN = new Set(['PWD', 'SHLVL', '_', 'OLDPWD']);

const ALLOWED = /^(PATH|HOME|LANG|LANGUAGE|LC_[A-Z]+|TMPDIR|PREFIX|CONDA_PREFIX|ROOT_PREFIX|PKG_NAME|PKG_VERSION|PKG_BUILDNUM)$/;

describe('link script environment', () => {
  let work: string;
  let channel: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-link-env-'));
    channel = path.join(work, 'channel');
    await writePackage(channel, {
      name: 'envprobe',
      version: '2.5',
      files: { 'share/envprobe/readme.txt': 'probe\n' },
      postLink: ['#!/bin/bash', 'env > "$PREFIX/share/envprobe/env.txt"', 'pwd > "$PREFIX/share/envprobe/cwd.txt"', 'echo made > "$PREFIX/share/$PKG_NAME-$PKG_VERSION.txt"', ''].join('\n'),
      preUnlink: ['#!/bin/bash', 'env > "$TMPDIR/envprobe-unlink-env.txt"', 'rm -f "$PREFIX/share/$PKG_NAME-$PKG_VERSION.txt" "$PREFIX/share/envprobe/env.txt" "$PREFIX/share/envprobe/cwd.txt"', ''].join('\n'),
    });
    await indexChannel(channel);
    const tmp = path.join(work, 'tmp');
    await mkdir(tmp);
    env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs'), TMPDIR: tmp, LANG: 'C.UTF-8', LC_MESSAGES: 'C', ...SECRETS };
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  function parse(text: string): Map<string, string> {
    const vars = new Map<string, string>();
    for (const line of text.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(line.slice(0, eq))) vars.set(line.slice(0, eq), line.slice(eq + 1));
    }
    return vars;
  }

  test("post-link and pre-unlink scripts get conda's variables and none of the user's secrets", async () => {
    // A prefix spelled with `..`: the scripts must see the normalized, absolute path.
    await mkdir(path.join(work, 'elsewhere'));
    const spelled = path.join(work, 'elsewhere', '..', 'env');
    const prefix = path.resolve(spelled);
    const created = runCli(['create', '-y', '-p', `${work}/elsewhere/../env`, '-c', channel, 'envprobe'], env);
    expect(created).toMatchObject({ status: 0 });

    const text = await readFile(path.join(prefix, 'share', 'envprobe', 'env.txt'), 'utf8');
    for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
    const vars = parse(text);
    expect([...vars.keys()].filter((k) => !ALLOWED.test(k) && !BASH_OWN.has(k))).toEqual([]);
    expect(vars.get('PREFIX')).toBe(prefix);
    expect(vars.get('CONDA_PREFIX')).toBe(prefix);
    expect(vars.get('PKG_NAME')).toBe('envprobe');
    expect(vars.get('PKG_VERSION')).toBe('2.5');
    expect(vars.get('PKG_BUILDNUM')).toBe('0');
    expect(vars.get('PATH')).toBe(`${path.join(prefix, 'bin')}:${process.env.PATH}`);
    expect(vars.get('HOME')).toBeTruthy();
    expect(vars.get('LANG')).toBe('C.UTF-8');
    expect(vars.get('LC_MESSAGES')).toBe('C');
    expect(vars.get('TMPDIR')).toBe(env.TMPDIR);
    expect((await readFile(path.join(prefix, 'share', 'envprobe', 'cwd.txt'), 'utf8')).trim()).toBe(prefix);
    expect(await readFile(path.join(prefix, 'share', 'envprobe-2.5.txt'), 'utf8')).toBe('made\n');

    const removed = runCli(['remove', '-y', '-p', prefix, 'envprobe'], env);
    expect(removed.status).toBe(0);
    const unlinkText = await readFile(path.join(env.TMPDIR as string, 'envprobe-unlink-env.txt'), 'utf8');
    for (const value of Object.values(SECRETS)) expect(unlinkText).not.toContain(value);
    expect(parse(unlinkText).get('PREFIX')).toBe(prefix);
  });
});

/**
 * The active environment, as conda and mamba users expect it: with no -n/-p, the real CLI
 * acts on CONDA_PREFIX, else on config `default_environment`, else stops with an error that
 * names both ways to choose one; `create` still needs a name. Also the words after create,
 * and `taipan activate` typed without the shell hook.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { runCli } from '../helpers/cli.js';

let work: string;
let channel: string;
let envs: string;
let home: string;
let base: NodeJS.ProcessEnv;

const HINT = 'To activate this environment, use';

function installed(prefix: string): Promise<string[]> {
  return readdir(path.join(prefix, 'conda-meta')).then((names) => names.filter((n) => n.endsWith('.json')).map((n) => n.replace(/-[^-]+-[^-]+\.json$/, '')).sort());
}

/** The CLI with `active` as the active environment ('' for none). */
function inEnv(active: string, args: readonly string[], extra: NodeJS.ProcessEnv = {}): ReturnType<typeof runCli> {
  return runCli(args, { ...base, CONDA_PREFIX: active, CONDA_SHLVL: active ? '1' : '0', ...extra });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-active-'));
  channel = path.join(work, 'channel');
  await makeDemoChannel(channel);
  envs = path.join(work, 'envs');
  home = path.join(work, 'home');
  await mkdir(home, { recursive: true });
  base = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs'), TAIPAN_ENVS_DIRS: envs, HOME: home, CONDA_PREFIX: '', TAIPAN_DEFAULT_ENVIRONMENT: '', CONDA_DEFAULT_ENVIRONMENT: '' };
  for (const name of ['one', 'two']) {
    const created = inEnv('', ['create', '-y', '-n', name, '-c', channel, 'hello-taipan']);
    if (created.status !== 0) throw new Error(created.stderr);
  }
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('after create', () => {
  test('text mode says how to activate the new environment by name, and how to deactivate', () => {
    const result = inEnv('', ['create', '-y', '-n', 'hinted', '-c', channel, 'hello-taipan']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`${HINT}\n\n    $ taipan activate hinted\n\nTo deactivate an active environment, use\n\n    $ taipan deactivate\n`);
  });

  test('a prefix outside the envs folder is shown as a path, quoted for the shell', () => {
    const prefix = path.join(work, 'my env');
    const result = inEnv('', ['create', '-y', '-p', prefix, '-c', channel, 'hello-taipan']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`    $ taipan activate '${prefix}'\n`);
  });

  test('env create prints it too', async () => {
    const file = path.join(work, 'environment.yml');
    await writeFile(file, `name: fromfile\nchannels:\n  - ${channel}\ndependencies:\n  - hello-taipan\n`);
    const result = inEnv('', ['env', 'create', '-y', '-f', file]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`${HINT}\n\n    $ taipan activate fromfile\n`);
  });

  test('not under --json (the output stays one JSON document) nor --quiet', () => {
    const json = inEnv('', ['create', '-y', '--json', '-n', 'quietjson', '-c', channel, 'hello-taipan']);
    expect(json.status).toBe(0);
    expect(json.stdout).not.toContain(HINT);
    expect(() => JSON.parse(json.stdout)).not.toThrow();
    const quiet = inEnv('', ['create', '-y', '-q', '-n', 'quiet', '-c', channel, 'hello-taipan']);
    expect(quiet.status).toBe(0);
    expect(quiet.stdout).not.toContain(HINT);
    expect(existsSync(path.join(envs, 'quiet', 'conda-meta'))).toBe(true);
  });

  test('install into an existing environment does not print it', () => {
    const result = inEnv('', ['install', '-y', '-n', 'hinted', '-c', channel, 'hello-taipan', '--force-reinstall']);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain(HINT);
  });
});

describe('with no -n/-p, commands act on the active environment (CONDA_PREFIX)', () => {
  const one = (): string => path.join(envs, 'one');
  const two = (): string => path.join(envs, 'two');

  test('list, env export and run read the active environment', () => {
    const listed = inEnv(one(), ['list']);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(`# packages in environment at ${one()}:`);
    expect(listed.stdout).toContain('hello-taipan');
    const exported = inEnv(one(), ['env', 'export']);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toContain(`prefix: ${one()}`);
    const ran = inEnv(one(), ['run', 'sh', '-c', 'echo "$CONDA_PREFIX"; command -v hello-taipan']);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toBe(`${one()}\n${path.join(one(), 'bin', 'hello-taipan')}\n`);
  });

  test('remove and install change the active environment and no other', async () => {
    const removed = inEnv(one(), ['remove', '-y', 'hello-taipan']);
    expect(removed.status).toBe(0);
    expect(await installed(one())).not.toContain('hello-taipan');
    expect(await installed(two())).toContain('hello-taipan');
    const added = inEnv(one(), ['install', '-y', '-c', channel, 'hello-taipan']);
    expect(added.status).toBe(0);
    expect(await installed(one())).toContain('hello-taipan');
  });

  test('update and env config vars act on it too', () => {
    const updated = inEnv(one(), ['update', '-y', '-c', channel, '--all']);
    expect(updated.status).toBe(0);
    expect(updated.stderr).not.toContain('error');
    expect(inEnv(one(), ['env', 'config', 'vars', 'set', 'ACTIVE_MARK=one']).status).toBe(0);
    expect(JSON.parse(inEnv(one(), ['env', 'config', 'vars', 'list', '--json']).stdout)).toEqual({ ACTIVE_MARK: 'one' });
    expect(JSON.parse(inEnv(two(), ['env', 'config', 'vars', 'list', '--json']).stdout)).toEqual({});
  });

  test('-n and -p win over the active environment', () => {
    const listed = inEnv(one(), ['list', '-n', 'two']);
    expect(listed.stdout).toContain(`# packages in environment at ${two()}:`);
  });

  test('create still needs -n or -p: it never creates into (or over) the active environment', async () => {
    const before = await installed(one());
    const result = inEnv(one(), ['create', '-y', '-c', channel, 'hello-taipan']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error: no environment given');
    expect(result.stderr).toContain('-n NAME or -p PREFIX');
    expect(await installed(one())).toEqual(before);
  });

  test('an active "environment" that is the envs folder is refused, as -p is', () => {
    const result = inEnv(envs, ['install', '-y', '-c', channel, 'hello-taipan']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`the active environment '${envs}' is the envs folder`);
    expect(existsSync(path.join(envs, 'conda-meta'))).toBe(false);
  });

  test('an active folder that is not an environment is named in the error', () => {
    const missing = path.join(work, 'gone');
    const result = inEnv(missing, ['list']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`'${missing}' is not an environment`);
  });
});

describe('with none active', () => {
  test.each(
    [
      ['list'],
      ['install', '-y', 'hello-taipan'],
      ['remove', '-y', 'hello-taipan'],
      ['update', '--all', '-y'],
      ['env', 'export'],
      ['env', 'update', '-f', '/dev/null'],
      ['run', 'true'],
      ['env', 'config', 'vars', 'list'],
      ['pack', '-o', 'x.tar.gz'],
    ].map((args) => [args.join(' '), args] as const),
  )('`taipan %s` is a typed error naming both ways to choose an environment', (_label, args) => {
    const result = inEnv('', args);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error: no environment given and none is active');
    expect(result.stderr).toContain('-n NAME or -p PREFIX');
    expect(result.stderr).toContain('taipan activate NAME');
    expect(result.stderr).not.toContain('unexpected');
  });

  test('--json carries the code NO_ENVIRONMENT', () => {
    const result = inEnv('', ['list', '--json']);
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout).error.code).toBe('NO_ENVIRONMENT');
  });

  test('config default_environment (a name in ~/.taipanrc, or a path in TAIPAN_DEFAULT_ENVIRONMENT) is used instead', async () => {
    const rcHome = path.join(work, 'home-default');
    await mkdir(rcHome, { recursive: true });
    await writeFile(path.join(rcHome, '.taipanrc'), 'default_environment: two\n');
    const byName = inEnv('', ['list'], { HOME: rcHome });
    expect(byName.status).toBe(0);
    expect(byName.stdout).toContain(`# packages in environment at ${path.join(envs, 'two')}:`);
    // The active environment still wins over the default.
    expect(inEnv(path.join(envs, 'one'), ['list'], { HOME: rcHome }).stdout).toContain(`at ${path.join(envs, 'one')}:`);
    const byPath = inEnv('', ['list'], { TAIPAN_DEFAULT_ENVIRONMENT: path.join(envs, 'one') });
    expect(byPath.stdout).toContain(`# packages in environment at ${path.join(envs, 'one')}:`);
    // A relative path would change with the working folder: only names and absolute paths.
    for (const value of ['..', 'envs/two']) {
      const invalid = inEnv('', ['list'], { TAIPAN_DEFAULT_ENVIRONMENT: value });
      expect(invalid.status).toBe(1);
      expect(invalid.stderr).toContain(`invalid environment name '${value}'`);
    }
  });
});

describe('taipan activate / deactivate typed without the shell hook', () => {
  test.each(['activate', 'deactivate'])('%s says how to load the hook, with exit 1', (word) => {
    const result = inEnv('', [word, 'one'], { SHELL: '/bin/bash' });
    expect(result.status).toBe(1);
    expect(result.stderr).not.toContain('unknown command');
    expect(result.stderr).toContain(`\`taipan ${word}\` changes the running shell`);
    expect(result.stderr).toContain('eval "$(taipan shell hook --shell bash)"');
    expect(result.stderr).toContain('taipan init --shell bash');
  });

  test('the advice is in the syntax of the user\'s shell, and --json has the code', () => {
    const fish = inEnv('', ['activate', '--stack', 'one'], { SHELL: '/usr/bin/fish' });
    expect(fish.stderr).toContain('taipan shell hook --shell fish | source');
    const json = inEnv('', ['activate', 'one', '--json'], { SHELL: '/bin/zsh' });
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout).error.code).toBe('NO_SHELL_HOOK');
  });
});

/**
 * The administrative commands through the real CLI: config, info, list --revisions with
 * install --revision, conda-meta/pinned, and clean.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { runCli, runCliOk } from '../helpers/cli.js';

let work: string;
let channel: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-admin-'));
  channel = path.join(work, 'channel');
  await mkdir(path.join(work, 'home'));
  env = { HOME: path.join(work, 'home'), TAIPAN_PKGS_DIRS: path.join(work, 'pkgs'), TAIPAN_ENVS_DIRS: path.join(work, 'envs') };
  await makeDemoChannel(channel);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function ok(args: string[], extra: NodeJS.ProcessEnv = {}): string {
  return runCliOk(args, { ...env, ...extra });
}

describe('config', () => {
  test('set, add, append, remove, get, show and describe, keeping comments', async () => {
    const rc = path.join(work, 'home', '.taipanrc');
    await writeFile(rc, '# my settings\nchannels:\n  - conda-forge\n');
    ok(['config', '--add', 'channels', 'bioconda']);
    ok(['config', '--append', 'channels', channel]);
    ok(['config', '--set', 'always_copy', 'true']);
    ok(['config', '--set', 'channel_priority', 'flexible']);
    const text = await readFile(rc, 'utf8');
    expect(text).toContain('# my settings');
    expect(JSON.parse(ok(['config', '--show', 'channels', 'always_copy', '--json']))).toEqual({ channels: ['bioconda', 'conda-forge', channel], always_copy: true });
    ok(['config', '--remove', 'channels', 'conda-forge']);
    ok(['config', '--remove', 'channels', 'bioconda']);
    expect(ok(['config', '--get', 'channels'])).toBe(`channels:\n  - ${channel}\n`);
    expect(ok(['config', '--describe', 'pkgs_dirs'])).toContain('package cache folders');
    expect(JSON.parse(ok(['config', '--show', 'channel_priority', '--json'], { TAIPAN_CHANNEL_PRIORITY: 'strict' }))).toEqual({ channel_priority: 'strict' });

    const bad = runCli(['config', '--set', 'always_copy', 'maybe'], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("'maybe' is not a boolean for 'always_copy'");
    const unknown = runCli(['config', '--set', 'colour', 'blue'], env);
    expect(unknown.stderr).toContain("unknown setting 'colour'");

    // always_copy is honoured: the data file is a copy, not a hard link into the cache.
    const prefix = path.join(work, 'copied');
    ok(['create', '-y', '-p', prefix, 'taipan-greetings<2']);
    const record = JSON.parse(await readFile(path.join(prefix, 'conda-meta', 'taipan-greetings-1.1.0-0.json'), 'utf8'));
    expect(record.link.type).toBe(3);
    ok(['config', '--remove-key', 'always_copy']);
    ok(['config', '--remove-key', 'channel_priority']);
  });
});

describe('info', () => {
  test('--json reports platform, virtual packages, caches and environments', () => {
    const info = JSON.parse(ok(['info', '--json']));
    expect(info.platform).toMatch(/^(linux|osx|win)-/);
    expect(info.virtual_pkgs.map((v: string[]) => v[0])).toContain(process.platform === 'win32' ? '__win' : '__unix');
    expect(info.pkgs_dirs).toEqual([path.join(work, 'pkgs')]);
    expect(info.envs_dirs).toEqual([path.join(work, 'envs')]);
    expect(ok(['info'])).toMatch(/virtual packages : __/);
  });
});

describe('revisions and pins', () => {
  test('list --revisions shows each transaction; install --revision goes back', async () => {
    const prefix = path.join(work, 'history');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'taipan-greetings']);
    ok(['install', '-y', '-p', prefix, '-c', channel, 'hello-taipan']);
    const revisions = ok(['list', '-p', prefix, '--revisions']);
    expect(revisions).toMatch(/\(rev 0\)\n\s+\+taipan-greetings-2\.0\.0-0/);
    expect(revisions).toMatch(/\(rev 1\)\n[\s\S]*taipan-greetings\s+\{2\.0\.0-0 -> 1\.1\.0-0\}/);
    expect(revisions).toMatch(/\+hello-taipan-1\.0\.0-0/);

    ok(['install', '-y', '-p', prefix, '-c', channel, '--revision', '0']);
    const names = (await readdir(path.join(prefix, 'conda-meta'))).filter((f) => f.endsWith('.json'));
    expect(names).toEqual(['taipan-greetings-2.0.0-0.json']);
    expect(existsSync(path.join(prefix, 'bin', 'hello-taipan'))).toBe(false);
    const missing = runCli(['install', '-y', '-p', prefix, '-c', channel, '--revision', '9'], env);
    expect(missing.stderr).toContain('there is no revision 9');
  });

  test('conda-meta/pinned holds a package back', async () => {
    const prefix = path.join(work, 'pinned');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'taipan-greetings<2']);
    await writeFile(path.join(prefix, 'conda-meta', 'pinned'), '# keep the old format\ntaipan-greetings <2\n');
    const result = runCli(['install', '-y', '-p', prefix, '-c', channel, 'taipan-greetings>=2'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('taipan-greetings');
  });
});

describe('clean', () => {
  test('removes archives and unused packages, never what an environment uses', async () => {
    const pkgs = path.join(work, 'pkgs-clean');
    const extra = { TAIPAN_PKGS_DIRS: pkgs };
    const prefix = path.join(work, 'envs', 'keeper');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'hello-taipan'], extra);
    ok(['create', '-y', '-p', path.join(work, 'gone'), '-c', channel, 'taipan-greetings>=2'], extra);
    ok(['env', 'remove', '-y', '-p', path.join(work, 'gone')], extra);
    const dry = JSON.parse(ok(['clean', '--all', '--dry-run', '--json'], extra));
    expect(dry.packages).toEqual([path.join(pkgs, 'taipan-greetings-2.0.0-0')]);
    expect(dry.tarballs.map((t: string) => path.basename(t)).sort()).toEqual(['hello-taipan-1.0.0-0.conda', 'taipan-greetings-1.1.0-0.conda', 'taipan-greetings-2.0.0-0.conda']);
    ok(['clean', '--all', '-y'], extra);
    expect((await readdir(pkgs, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort()).toEqual(['hello-taipan-1.0.0-0', 'taipan-greetings-1.1.0-0']);
    expect(runCli(['run', '-p', prefix, 'hello-taipan'], extra).stdout).toContain('Hello from a taipan environment!');
    expect(runCli(['clean'], extra).stderr).toContain('say what to clean');
  });
});

describe('clone, export and init', () => {
  test('create --clone copies an environment without a channel; list --export reads back', async () => {
    const source = path.join(work, 'envs', 'original');
    ok(['create', '-y', '-p', source, '-c', channel, 'hello-taipan']);
    const copy = path.join(work, 'cloned');
    ok(['create', '-y', '-p', copy, '--clone', 'original']);
    expect(runCli(['run', '-p', copy, 'hello-taipan'], env).stdout).toContain(`(installed in ${copy})`);
    const exported = ok(['list', '-p', copy, '--export']);
    expect(exported).toContain('hello-taipan=1.0.0=0\ntaipan-greetings=1.1.0=0');
    const file = path.join(work, 'export.txt');
    await writeFile(file, exported);
    const again = path.join(work, 'from-export');
    ok(['create', '-y', '-p', again, '-c', channel, '--file', file]);
    expect(ok(['list', '-p', again, '--export'])).toBe(exported);
  });

  test('init adds one hook block to the profile and --reverse takes exactly it away', async () => {
    const bashrc = path.join(work, 'home', '.bashrc');
    await writeFile(bashrc, 'export EDITOR=vi\n');
    ok(['init', '--shell', 'bash']);
    ok(['init', '--shell', 'bash']);
    const text = await readFile(bashrc, 'utf8');
    expect(text.match(/>>> taipan initialize >>>/g)).toHaveLength(1);
    expect(text).toContain('shell hook --shell bash)"');
    ok(['init', '--shell', 'bash', '--reverse']);
    expect(await readFile(bashrc, 'utf8')).toBe('export EDITOR=vi\n');
  });
});

describe('update', () => {
  test('update NAME moves it forward as far as the environment allows; --all; unknown names', async () => {
    const old = path.join(work, 'old-channel');
    await mkdir(path.join(old, 'noarch'), { recursive: true });
    const prefix = path.join(work, 'to-update');
    // Only the old greetings are offered at first.
    await copyFile(path.join(channel, 'noarch', 'taipan-greetings-1.1.0-0.conda'), path.join(old, 'noarch', 'taipan-greetings-1.1.0-0.conda'));
    await indexChannel(old, { bz2: false });
    ok(['create', '-y', '-p', prefix, '-c', old, 'taipan-greetings']);
    // install keeps what is installed; update moves it.
    ok(['install', '-y', '-p', prefix, '-c', channel, 'taipan-greetings']);
    expect((await readdir(path.join(prefix, 'conda-meta'))).filter((f) => f.endsWith('.json'))).toEqual(['taipan-greetings-1.1.0-0.json']);
    ok(['update', '-y', '-p', prefix, '-c', channel, 'taipan-greetings']);
    expect((await readdir(path.join(prefix, 'conda-meta'))).filter((f) => f.endsWith('.json'))).toEqual(['taipan-greetings-2.0.0-0.json']);
    expect(ok(['update', '-y', '-p', prefix, '-c', channel, '--all'])).toContain('already installed');
    const missing = runCli(['update', '-y', '-p', prefix, '-c', channel, 'hello-taipan'], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("cannot update 'hello-taipan': not installed");
  });
});

describe('state-aware requests', () => {
  test('remove prunes dependencies nobody asked for, and keeps the ones that were asked for', async () => {
    const a = path.join(work, 'prune-a');
    ok(['create', '-y', '-p', a, '-c', channel, 'hello-taipan']);
    ok(['remove', '-y', '-p', a, 'hello-taipan']);
    expect((await readdir(path.join(a, 'conda-meta'))).filter((f) => f.endsWith('.json'))).toEqual([]);
    const b = path.join(work, 'prune-b');
    ok(['create', '-y', '-p', b, '-c', channel, 'hello-taipan', 'taipan-greetings']);
    ok(['remove', '-y', '-p', b, 'hello-taipan']);
    expect((await readdir(path.join(b, 'conda-meta'))).filter((f) => f.endsWith('.json'))).toEqual(['taipan-greetings-1.1.0-0.json']);
  });

  test('--only-deps installs what a package needs but not the package', async () => {
    const prefix = path.join(work, 'only-deps');
    ok(['create', '-y', '-p', prefix, '-c', channel, '--only-deps', 'hello-taipan']);
    expect((await readdir(path.join(prefix, 'conda-meta'))).filter((f) => f.endsWith('.json'))).toEqual(['taipan-greetings-1.1.0-0.json']);
  });

  test('--freeze-installed refuses to change an installed package; without it the solver may', () => {
    const prefix = path.join(work, 'frozen');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'taipan-greetings']);
    const frozen = runCli(['install', '-y', '-p', prefix, '-c', channel, '--freeze-installed', 'hello-taipan'], env);
    expect(frozen.status).toBe(1);
    expect(frozen.stderr).toContain('taipan-greetings');
    expect(ok(['install', '-y', '-p', prefix, '-c', channel, '--dry-run', 'hello-taipan'])).toContain('2.0.0 -> 1.1.0');
  });
});

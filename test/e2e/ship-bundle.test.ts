/**
 * `taipan bundle`: an offline installer made from the demo channel, run by an attendee
 * with an empty HOME, no network and no taipan on PATH (the installer's standalone taipan
 * is a Node bundle, so Node stays; one test makes the single-executable installer and runs
 * it with no node at all). A corrupted installer stops before writing anything; a lock or
 * @EXPLICIT file ships as it is; a package whose archive lacks a file its paths.json lists
 * stops `bundle` itself, leaving no installer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import yauzl from 'yauzl';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { parseLockFile } from '../../environments/lockfile/read.js';
import { lockedRecords } from '../../environments/lockfile/select.js';
import { runCli } from '../helpers/cli.js';
import { brokenDemoChannel, republishPackage } from '../helpers/republish-package.js';

let work: string;
let channel: string;
let installer: string;
/** A PATH with node and the system tools only. */
let attendeePath: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-bundle-'));
  channel = path.join(work, 'channel');
  await makeDemoChannel(channel);
  await writeFile(path.join(work, 'environment.yml'), `name: workshop\nchannels:\n  - ${channel}\ndependencies:\n  - hello-taipan\n`);
  installer = path.join(work, 'workshop-installer.sh');
  const made = runCli(['bundle', path.join(work, 'environment.yml'), '-o', installer], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') });
  if (made.status !== 0) throw new Error(made.stderr);
  const nodeOnly = path.join(work, 'node-only');
  await mkdir(nodeOnly);
  await symlink(process.execPath, path.join(nodeOnly, 'node'));
  attendeePath = `${nodeOnly}:/usr/bin:/bin`;
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function attendee(args: string[], home: string, PATH = attendeePath): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('/bin/sh', args, { encoding: 'utf8', env: { HOME: home, PATH }, cwd: home });
}

function taipan(args: string[], pkgs: string): string {
  const run = runCli(args, { TAIPAN_PKGS_DIRS: pkgs });
  if (run.status !== 0) throw new Error(`taipan ${args.join(' ')} failed (${run.status}):\n${run.stderr}`);
  return run.stdout;
}

/** The payload of a .sh installer, unpacked beside it (the bytes after the header's PAYLOAD_OFFSET). */
async function unpackPayload(installerFile: string): Promise<string> {
  const data = await readFile(installerFile);
  const offset = Number(/PAYLOAD_OFFSET=(\d+)/.exec(data.subarray(0, 4096).toString('latin1'))?.[1]);
  const dir = `${installerFile}.payload`;
  await mkdir(dir);
  await writeFile(`${dir}.tar.gz`, data.subarray(offset));
  execFileSync('tar', ['-xzf', `${dir}.tar.gz`, '-C', dir]);
  return dir;
}

/** name → [url, sha256] of the packages conda-meta records in `prefix`. */
async function installedPackages(prefix: string): Promise<Record<string, [string, string]>> {
  const out: Record<string, [string, string]> = {};
  for (const name of (await readdir(path.join(prefix, 'conda-meta'))).filter((n) => n.endsWith('.json'))) {
    const record = JSON.parse(await readFile(path.join(prefix, 'conda-meta', name), 'utf8')) as { name: string; url: string; sha256: string };
    out[record.name] = [record.url, record.sha256];
  }
  return out;
}

(process.platform === 'win32' ? describe.skip : describe)('offline installers', () => {
  test('the .sh installer gives a working environment and activation instructions', async () => {
    expect(spawnSync('/bin/sh', ['-c', 'command -v taipan'], { env: { PATH: attendeePath } }).status).not.toBe(0);
    const home = path.join(work, 'home-a');
    await mkdir(home);
    const prefix = path.join(home, 'workshop-env');
    const run = attendee([installer, '-b', '-p', prefix], home);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`. '${prefix}/bin/activate'`);
    const tool = attendee(['-c', `. '${prefix}/bin/activate' && hello-taipan es`], home);
    expect(tool.stdout).toContain('¡Hola desde un entorno taipan!');
    expect(tool.stdout).toContain(`(installed in ${prefix})`);
    // Nothing was left in the attendee's home but the environment.
    expect(existsSync(path.join(home, '.taipan'))).toBe(false);
  });

  test('a corrupted payload is refused before the prefix is written', async () => {
    const data = await readFile(installer);
    data[data.length - 100] = (data[data.length - 100] ?? 0) ^ 0xff;
    const broken = path.join(work, 'broken-installer.sh');
    await writeFile(broken, data);
    const home = path.join(work, 'home-b');
    await mkdir(home);
    const run = attendee([broken, '-b', '-p', path.join(home, 'env')], home);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the installer is corrupt');
    expect(existsSync(path.join(home, 'env'))).toBe(false);
  });

  test('the .zip for Windows holds install.bat, activate.bat and the payload', async () => {
    const zip = path.join(work, 'workshop-installer.zip');
    const made = runCli(['bundle', path.join(work, 'environment.yml'), '-o', zip], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') });
    expect([made.status, made.stderr]).toEqual([0, '']);
    expect(made.stdout).toContain('for win-64');
    const names = await new Promise<string[]>((resolve, reject) => {
      yauzl.open(zip, { lazyEntries: false }, (error, file) => {
        if (error || !file) return reject(error);
        const found: string[] = [];
        file.on('entry', (entry: yauzl.Entry) => found.push(entry.fileName));
        file.on('end', () => resolve(found.sort()));
      });
    });
    expect(names).toEqual(['activate.bat', 'install.bat', 'payload.tar.gz']);
  });
});

(process.platform === 'win32' ? describe.skip : describe)('installers of a tested file, shipped as it is', () => {
  test('a conda-lock.yml or an @EXPLICIT file installs exactly its packages, though the channel has newer ones now', async () => {
    // A channel that moves on after the lock was tested: a hello-taipan 1.1.0 that takes greetings 2.
    const moving = path.join(work, 'moving-channel');
    await cp(channel, moving, { recursive: true });
    const envFile = path.join(work, 'moving-environment.yml');
    await writeFile(envFile, `name: tested\nchannels:\n  - ${moving}\ndependencies:\n  - hello-taipan\n`);
    const lockFile = path.join(work, 'conda-lock.yml');
    const pkgs = path.join(work, 'pkgs-lock');
    taipan(['lock', '-f', envFile, '--platform', 'linux-64', '-o', lockFile], pkgs);
    const lockText = await readFile(lockFile, 'utf8');
    await republishPackage(moving, 'noarch', 'hello-taipan-1.0.0-0.conda', 'hello-taipan-1.1.0-0.conda', async (dir) => {
      const index = JSON.parse(await readFile(path.join(dir, 'info', 'index.json'), 'utf8'));
      await writeFile(path.join(dir, 'info', 'index.json'), JSON.stringify({ ...index, version: '1.1.0', depends: ['taipan-greetings >=2'] }));
    });
    // A fresh solve now takes the newer packages, so an installer that solved again would differ.
    const dry = JSON.parse(taipan(['create', '--dry-run', '--json', '-p', path.join(work, 'never'), '-c', moving, '--override-channels', 'hello-taipan'], pkgs));
    expect(JSON.stringify(dry)).toContain('hello-taipan-1.1.0-0');

    const locked = Object.fromEntries(lockedRecords(parseLockFile(lockText, lockFile), 'linux-64').map((r) => [r.name, [r.url, r.sha256]]));
    expect(Object.keys(locked).sort()).toEqual(['hello-taipan', 'taipan-greetings']);
    const explicitFile = path.join(work, 'explicit.txt');
    const explicitText = `# tested by hand\n@EXPLICIT\n${Object.values(locked).map(([url, sha]) => `${url}#sha256:${sha}`).join('\n')}\n`;
    await writeFile(explicitFile, explicitText);

    for (const [file, shipped, text] of [[lockFile, 'conda-lock.yml', lockText], [explicitFile, 'explicit.txt', explicitText]] as const) {
      const out = path.join(work, `${shipped}-installer.sh`);
      const made = JSON.parse(taipan(['bundle', file, '-o', out, '--platform', 'linux-64', '--json'], pkgs));
      expect([made.solved, made.packages]).toEqual([false, 2]);
      // The payload carries the very file, byte for byte.
      const unpacked = await unpackPayload(out);
      expect(await readFile(path.join(unpacked, shipped), 'utf8')).toBe(text);

      const home = path.join(work, `home-${shipped}`);
      await mkdir(home);
      const prefix = path.join(home, 'env');
      const run = attendee([out, '-b', '-p', prefix], home);
      expect([run.status, run.stderr]).toEqual([0, '']);
      expect(await installedPackages(prefix)).toEqual(locked);
      expect(attendee(['-c', `'${prefix}/bin/hello-taipan'`], home).stdout).toContain('Hello from a taipan environment!');
    }
  }, 120_000);

  test('an @EXPLICIT file without hashes is refused: the offline install could not check it', async () => {
    const file = path.join(work, 'loose.txt');
    await writeFile(file, `@EXPLICIT\n${pathToFileURL(path.join(channel, 'noarch', 'hello-taipan-1.0.0-0.conda')).href}\n`);
    const out = path.join(work, 'loose.sh');
    const run = runCli(['bundle', file, '-o', out, '--json'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-loose') });
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).error.code).toBe('INVALID_ARGUMENT');
    expect(run.stderr).toContain('hello-taipan-1.0.0-0.conda');
    expect(existsSync(out)).toBe(false);
  });
});

(process.platform === 'win32' ? describe.skip : describe)('archives checked before anything is written', () => {
  test('a package whose archive lacks a file its paths.json lists stops bundle: typed error, no installer', async () => {
    const broken = await brokenDemoChannel(channel, path.join(work, 'broken-channel'));
    const envFile = path.join(work, 'broken-environment.yml');
    await writeFile(envFile, `name: broken\nchannels:\n  - ${broken}\ndependencies:\n  - hello-taipan\n`);
    for (const out of [path.join(work, 'out', 'broken-installer.sh'), path.join(work, 'out', 'broken-installer.zip')]) {
      await mkdir(path.dirname(out), { recursive: true });
      const run = runCli(['bundle', envFile, '-o', out, '--json'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-broken') });
      expect(run.status).toBe(1);
      const error = JSON.parse(run.stdout).error;
      expect(error.code).toBe('CORRUPT_ARCHIVE');
      expect(error.message).toContain('hello-taipan-1.0.0-0.conda');
      expect(error.message).toContain("lists 'bin/hello-taipan' but the archive does not hold it");
      expect(await readdir(path.dirname(out))).toEqual([]);
    }
    // The rest of the machinery is unharmed: the same cache still bundles a sound package.
    const sound = path.join(work, 'out', 'sound.sh');
    const run = runCli(['bundle', path.join(work, 'environment.yml'), '-o', sound], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-broken') });
    expect([run.status, run.stderr]).toEqual([0, '']);
  }, 60_000);
});

(process.platform === 'linux' ? describe : describe.skip)('single-executable installers', () => {
  test('the --standalone sea installer works on a machine with no node at all', async () => {
    // Only the tools the installer's sh script uses, from the system: no node in any of them.
    const tools = path.join(work, 'no-node-bin');
    await mkdir(tools);
    for (const tool of ['sh', 'tail', 'sha256sum', 'cut', 'mkdir', 'mktemp', 'rm', 'tar', 'gzip', 'sed', 'ls', 'cat', 'chmod', 'ln', 'cp', 'mv', 'uname', 'env', 'grep']) {
      const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } }).stdout.trim();
      if (found !== '') await symlink(found, path.join(tools, tool));
    }
    const noNode = spawnSync('/bin/sh', ['-c', 'command -v node'], { env: { PATH: tools } });
    expect(noNode.status).not.toBe(0);

    const sea = path.join(work, 'sea-installer.sh');
    const started = Date.now();
    const made = runCli(['bundle', path.join(work, 'environment.yml'), '-o', sea, '--standalone', 'sea'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') });
    expect([made.status, made.stderr]).toEqual([0, '']);
    console.log(`single-executable installer: ${(Date.now() - started) / 1000} s to make, ${made.stdout.trim().split('\n')[0]}`);
    // The executable holds Node's sentinel once: the bundled taipan inside it must not carry a second copy.
    const binary = await readFile(path.join(await unpackPayload(sea), 'taipan', 'taipan'));
    const sentinel = ['NODE', 'SEA', 'FUSE', 'fce680ab2cc467b6e072b8b5df1996b2'].join('_');
    expect(binary.indexOf(sentinel)).toBe(binary.lastIndexOf(sentinel));
    const home = path.join(work, 'home-sea');
    await mkdir(home);
    const prefix = path.join(home, 'workshop-env');
    const run = spawnSync(path.join(tools, 'sh'), [sea, '-b', '-p', prefix], { encoding: 'utf8', env: { HOME: home, PATH: tools }, cwd: home });
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(await installedPackages(prefix)).toEqual({ 'hello-taipan': [expect.stringContaining('hello-taipan-1.0.0-0.conda'), expect.any(String)], 'taipan-greetings': [expect.stringContaining('taipan-greetings-1.1.0-0.conda'), expect.any(String)] });
    const tool = attendee(['-c', `. '${prefix}/bin/activate' && hello-taipan es`], home, tools);
    expect(tool.stdout).toContain('¡Hola desde un entorno taipan!');
  }, 120_000);
});

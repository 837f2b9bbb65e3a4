/**
 * `taipan bundle`: an offline installer made from the demo channel, run by an attendee
 * with an empty HOME, no network and no taipan on PATH (the installer's standalone taipan
 * is a Node bundle, so Node stays; the SEA variant is measured in test/bench instead, as
 * it copies the 100 MB node binary). A corrupted installer stops before writing anything.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { runCli } from '../helpers/cli.js';

let work: string;
let installer: string;
/** A PATH with node and the system tools only. */
let attendeePath: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-bundle-'));
  const channel = path.join(work, 'channel');
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

function attendee(args: string[], home: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('/bin/sh', args, { encoding: 'utf8', env: { HOME: home, PATH: attendeePath }, cwd: home });
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

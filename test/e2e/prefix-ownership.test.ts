/**
 * Files taipan owns in a prefix are never package payload, and paths read from conda-meta
 * records are checked as linking checks them: the reproductions of issue 13 §1 with real
 * archives, the real CLI and a victim file outside the prefix that must survive.
 */
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { runCli } from '../helpers/cli.js';
import { useTempChannel } from '../helpers/temp-channel.js';
import { writePackage, type RawEntry } from '../reliability/fixtures.js';

const SECRET = 'the victim keeps this\n';

/** A conda-meta record pointing at the victim, as an attacker would ship or plant it. */
function plantedRecord(name: string, victimPath: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    name,
    version: '9.9',
    build: '0',
    build_number: 0,
    channel: 'https://conda.anaconda.org/conda-forge',
    depends: [],
    files: [victimPath],
    paths_data: { paths_version: 1, paths: [{ _path: victimPath, path_type: 'hardlink' }] },
    ...fields,
  });
}

describe('paths taipan owns in a prefix', () => {
  const world = useTempChannel('e2e-owned', fillChannel);
  const prefixOf = (name: string): string => world.prefixOf(name);
  let channel: string;
  let victim: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    ({ channel, env } = world);
    victim = path.join(world.work, 'victim');
    await mkdir(victim, { recursive: true });
  });

  async function fillChannel(channel: string): Promise<void> {
    const plant = (p: string): RawEntry => ({ path: p, body: plantedRecord('fake', '../victim/secret.txt') });
    await writePackage(channel, { name: 'good', files: { 'share/good/readme.txt': 'good\n' } });
    await writePackage(channel, { name: 'base', files: { 'lib/base.txt': 'base\n' } });
    await writePackage(channel, { name: 'base', version: '2.0', files: { 'lib/base.txt': 'base 2\n' } });
    await writePackage(channel, { name: 'plant', files: { 'share/plant.txt': 'x\n' }, raw: [plant('conda-meta/fake-9.9-0.json')] });
    await writePackage(channel, { name: 'plantcase', files: { 'share/plant.txt': 'x\n' }, raw: [plant('Conda-Meta/fake-9.9-0.json')], format: 'tar.bz2' });
    await writePackage(channel, { name: 'plantlock', files: { 'share/plant.txt': 'x\n' }, raw: [{ path: 'conda-meta/.taipan.lock-owner', body: '{}' }] });
    await writePackage(channel, { name: 'planttrash', files: { 'share/plant.txt': 'x\n' }, raw: [{ path: '.taipan-trash/x/y', body: 'y' }] });
    await writePackage(channel, {
      name: 'plantlink',
      files: { 'share/plant.txt': 'x\n' },
      raw: [{ path: 'meta', type: 'SymbolicLink', linkpath: 'conda-meta' }, plant('meta/fake-9.9-0.json')],
    });
    await indexChannel(channel);
  }

  beforeEach(async () => {
    await writeFile(path.join(victim, 'secret.txt'), SECRET);
  });

  afterEach(async () => {
    expect(await readFile(path.join(victim, 'secret.txt'), 'utf8')).toBe(SECRET);
  });

  const create = (name: string, ...specs: string[]) => runCli(['create', '-y', '-n', name, '-c', channel, ...specs], env);

  it.each([
    ['plant', "'conda-meta'"],
    ['plantcase', "'conda-meta'"],
    ['plantlock', "'conda-meta'"],
    ['planttrash', "'.taipan-trash'"],
    ['plantlink', "'conda-meta'"],
  ])('refuses a package whose payload reaches into taipan files (%s)', async (pkg, reserved) => {
    const result = create(`env-${pkg}`, 'good', pkg);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: refusing unsafe entry in package archive '.*plant/m);
    expect(result.stderr).toContain(reserved);
    expect(result.stderr).not.toMatch(/unexpected failure|    at /);
    // Nothing was installed: the environment was not created.
    expect(await readdir(prefixOf(`env-${pkg}`)).catch(() => 'absent')).toBe('absent');
  });

  it('leaves alone a planted record, lists the others, and removes nothing outside', async () => {
    expect(create('planted', 'good').status).toBe(0);
    const meta = path.join(prefixOf('planted'), 'conda-meta');
    await writeFile(path.join(meta, 'fake-9.9-0.json'), plantedRecord('fake', '../victim/secret.txt'));
    await writeFile(path.join(meta, 'abs-9.9-0.json'), plantedRecord('abs', path.join(victim, 'secret.txt')));
    const { channel: _omitted, ...noChannel } = JSON.parse(plantedRecord('nochannel', 'share/x.txt')) as Record<string, unknown>;
    await writeFile(path.join(meta, 'nochannel-9.9-0.json'), JSON.stringify(noChannel));
    const listed = runCli(['list', '-n', 'planted'], env);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^good\s+1\.0/m);
    expect(listed.stdout).not.toMatch(/fake|abs|nochannel/);
    expect(listed.stderr).toContain(`ignoring '${path.join(meta, 'fake-9.9-0.json')}'`);
    expect(listed.stderr).toMatch(/nochannel-9\.9-0\.json'.*'channel' is missing/);
    expect(listed.stderr).toMatch(/abs-9\.9-0\.json'.*absolute path/);
    const removed = runCli(['remove', '-y', '-n', 'planted', 'fake'], env);
    expect(removed.status).toBe(1);
    expect(removed.stderr).not.toMatch(/unexpected failure/);
    // The good package still works through every command.
    expect(runCli(['remove', '-y', '-n', 'planted', 'good'], env).status).toBe(0);
    expect(await readdir(meta)).toEqual(expect.arrayContaining(['fake-9.9-0.json', 'abs-9.9-0.json']));
  });

  it('an upgrade of a package whose record was spoofed touches nothing outside', async () => {
    expect(create('spoofed', 'base=1.0').status).toBe(0);
    const meta = path.join(prefixOf('spoofed'), 'conda-meta');
    const real = JSON.parse(await readFile(path.join(meta, 'base-1.0-0.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(meta, 'base-1.0-0.json'), JSON.stringify({ ...real, files: ['../victim/secret.txt'], paths_data: { paths_version: 1, paths: [{ _path: '../victim/secret.txt', path_type: 'hardlink' }] } }));
    const upgraded = runCli(['install', '-y', '-n', 'spoofed', '-c', channel, 'base=2.0'], env);
    expect(upgraded.stderr).toMatch(/ignoring '.*base-1\.0-0\.json'.*'\.\.\/victim\/secret\.txt'/);
    expect(upgraded.status).toBe(0);
    expect(await readFile(path.join(prefixOf('spoofed'), 'lib', 'base.txt'), 'utf8')).toBe('base 2\n');
  });

  it('does not remove through a symlinked folder leading out of the prefix', async () => {
    expect(create('linked', 'good').status).toBe(0);
    const prefix = prefixOf('linked');
    await symlink(victim, path.join(prefix, 'lnk'));
    await writeFile(path.join(prefix, 'conda-meta', 'sneaky-9.9-0.json'), plantedRecord('sneaky', 'lnk/secret.txt'));
    const removed = runCli(['remove', '-y', '-n', 'linked', 'sneaky'], env);
    expect(removed.status).toBe(0);
    expect(removed.stderr).toMatch(/left 1 path\(s\) of 'sneaky' alone.*'lnk\/secret\.txt'.*symlink that leads out/);
    expect(runCli(['list', '-n', 'linked'], env).stdout).not.toContain('sneaky');
  });

  it('does not link through a symlinked folder leading out of the prefix', async () => {
    expect(create('linkdir', 'base=1.0').status).toBe(0);
    const prefix = prefixOf('linkdir');
    await symlink(victim, path.join(prefix, 'share'));
    const result = runCli(['install', '-y', '-n', 'linkdir', '-c', channel, 'good'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/refusing to link 'share\/good\/readme\.txt' of the package 'good-1\.0-0'.*symlink that leads out/);
    expect(await readdir(victim)).toEqual(['secret.txt']);
    expect(runCli(['list', '-n', 'linkdir'], env).stdout).not.toMatch(/^good/m);
  });
});

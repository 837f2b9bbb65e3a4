/**
 * `taipan pack` / `bin/conda-unpack`: an environment packed at one path and unpacked at a
 * path of another length still runs its tools, including one that finds its data through
 * a path stored in a binary file (NUL-padded prefix placeholder). The unpack script runs
 * with a PATH holding neither taipan nor node.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeCondaPackage } from '../../channels/archive/index.js';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { PREFIX_PLACEHOLDER, stagePackage } from '../../build/stage-package.js';
import { runCli, runCliOk } from '../helpers/cli.js';
import { BARE_PATH, extractPack } from '../helpers/pack-round-trip.js';

let work: string;
let channel: string;
let env: NodeJS.ProcessEnv;

/** A package whose tool reads a path out of a binary file holding the prefix placeholder. */
async function makeBinaryPrefixPackage(channelDir: string, scratch: string): Promise<void> {
  const files = path.join(scratch, 'binprefix-files');
  await mkdir(path.join(files, 'bin'), { recursive: true });
  await mkdir(path.join(files, 'share', 'binprefix'), { recursive: true });
  const data = Buffer.concat([Buffer.from('HEAD\0'), Buffer.from(`${PREFIX_PLACEHOLDER}/share/binprefix/message.txt\0`), Buffer.from('TAIL\0\0end')]);
  await writeFile(path.join(files, 'share', 'binprefix', 'data.bin'), data);
  await writeFile(path.join(files, 'share', 'binprefix', 'message.txt'), 'found through a binary path\n');
  await writeFile(
    path.join(files, 'bin', 'binprefix-tool'),
    `#!/bin/sh\nPREFIX="${PREFIX_PLACEHOLDER}"\ntarget=$(tr '\\000' '\\n' < "$PREFIX/share/binprefix/data.bin" | sed -n 2p)\ncat "$target"\n`,
  );
  await chmod(path.join(files, 'bin', 'binprefix-tool'), 0o755);
  const stage = path.join(scratch, 'binprefix-stage');
  await stagePackage(files, stage, { name: 'binprefix-tool', version: '1.0', build: '0', build_number: 0, depends: [], subdir: 'linux-64', timestamp: 1_700_000_000_000 });
  await mkdir(path.join(channelDir, 'linux-64'), { recursive: true });
  await writeCondaPackage(stage, path.join(channelDir, 'linux-64', 'binprefix-tool-1.0-0.conda'));
}

beforeAll(async () => {
  // Short: the classic placeholder is 33 bytes, and binary paths must fit in it.
  work = await mkdtemp(path.join('/tmp', 'tp-'));
  channel = path.join(work, 'ch');
  env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };
  await makeDemoChannel(channel);
  await makeBinaryPrefixPackage(channel, work);
  await indexChannel(channel);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function ok(args: string[]): string {
  return runCliOk(args, env);
}

function extract(archive: string, dest: string): void {
  const problems = extractPack(archive, dest);
  if (problems.length > 0) throw new Error(problems.join('; '));
}

const platformOk = process.platform === 'linux';
(platformOk ? describe : describe.skip)('pack and unpack', () => {
  test('an environment packed as .tar.gz runs its tools after conda-unpack at a longer path', async () => {
    const prefix = path.join(work, 'e');
    ok(['create', '-y', '-p', prefix, '-c', channel, '--platform', 'linux-64', 'hello-taipan', 'binprefix-tool']);
    const archive = path.join(work, 'env.tar.gz');
    const packed = ok(['pack', '-p', prefix, '-o', archive]);
    expect(packed).toContain('1 binary');

    const dest = path.join(work, 'moved-here');
    expect(dest.length).not.toBe(prefix.length);
    await mkdir(dest);
    extract(archive, dest);
    const unpack = spawnSync(path.join(dest, 'bin', 'conda-unpack'), [], { encoding: 'utf8', env: { PATH: BARE_PATH } });
    expect(unpack.stderr).toBe('');
    expect(unpack.status).toBe(0);

    const hello = spawnSync('/bin/sh', ['-c', `. "${dest}/bin/activate" && hello-taipan fr`], { encoding: 'utf8', env: { PATH: BARE_PATH } });
    expect(hello.stdout).toContain('Bonjour depuis un environnement taipan !');
    expect(hello.stdout).toContain(`(installed in ${dest})`);
    const binary = spawnSync(path.join(dest, 'bin', 'binprefix-tool'), [], { encoding: 'utf8', env: { PATH: BARE_PATH } });
    expect(binary.stdout).toBe('found through a binary path\n');
    // The binary file kept its length: the longer path used the placeholder's NUL padding.
    const original = await readFile(path.join(prefix, 'share', 'binprefix', 'data.bin'));
    const moved = await readFile(path.join(dest, 'share', 'binprefix', 'data.bin'));
    expect(moved.length).toBe(original.length);
    expect(moved.includes(Buffer.from(`${dest}/share/binprefix/message.txt\0`))).toBe(true);
  });

  test('a .zip unpacked with `taipan unpack` at a shorter path, and a path too long is refused before any change', async () => {
    const prefix = path.join(work, 'e');
    const archive = path.join(work, 'env.zip');
    ok(['pack', '-p', prefix, '-o', archive]);
    const dest = path.join(work, 'z');
    await mkdir(dest);
    extract(archive, dest);
    ok(['unpack', dest]);
    const binary = spawnSync(path.join(dest, 'bin', 'binprefix-tool'), [], { encoding: 'utf8', env: { PATH: BARE_PATH } });
    expect(binary.stdout).toBe('found through a binary path\n');

    const tooLong = path.join(work, 'a-folder-name-that-is-far-too-long');
    await mkdir(tooLong);
    extract(archive, tooLong);
    const before = await readFile(path.join(tooLong, 'bin', 'hello-taipan'), 'utf8');
    const refused = spawnSync(path.join(tooLong, 'bin', 'conda-unpack'), [], { encoding: 'utf8', env: { PATH: BARE_PATH } });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('has room for a path of');
    expect(await readFile(path.join(tooLong, 'bin', 'hello-taipan'), 'utf8')).toBe(before);
  });

  test('.tar.zst is written and reads back', async () => {
    const archive = path.join(work, 'env.tar.zst');
    ok(['pack', '-p', path.join(work, 'e'), '-o', archive]);
    const { decompress } = await import('fzstd');
    const tarBytes = decompress(await readFile(archive));
    expect(Buffer.from(tarBytes).includes(Buffer.from('bin/conda-unpack'))).toBe(true);
  });
});

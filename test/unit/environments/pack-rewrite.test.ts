/**
 * What `taipan pack` plans to rewrite (conda-pack's choice: declared placeholders in their
 * file mode, python entry points, unowned plain text; never bytecode nor conda-meta), and
 * that both unpackers refuse a plan whose paths leave the folder, before changing a file.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PrefixRecord } from '../../../environments/prefix/prefix-record.js';
import { formatPlans, planFile } from '../../../environments/pack/rewrite-plan.js';
import { RewriteSelection } from '../../../environments/pack/rewrite-selection.js';
import { condaUnpackScript } from '../../../environments/pack/scripts.js';
import { unpackEnvironment } from '../../../environments/pack/unpack.js';

const OLD = '/home/user/.taipan/envs/made-here';
const PLACEHOLDER = `/opt/anaconda1anaconda2${'placehold_'.repeat(20)}`;

function record(paths: PrefixRecord['paths_data']['paths']): PrefixRecord {
  return { name: 'pkg', version: '1', build: '0', files: paths.map((p) => p._path), paths_data: { paths_version: 1, paths } } as unknown as PrefixRecord;
}

describe('which files get the new path', () => {
  const selection = new RewriteSelection([
    record([
      { _path: 'bin/tool', path_type: 'hardlink', prefix_placeholder: PLACEHOLDER, file_mode: 'text' },
      { _path: 'lib/libx.so', path_type: 'hardlink', prefix_placeholder: PLACEHOLDER, file_mode: 'binary' },
      { _path: 'share/plain.txt', path_type: 'hardlink' },
      { _path: 'bin/entry', path_type: 'unix_python_entrypoint' },
      { _path: 'lib/python3.11/site-packages/m/__pycache__/x.cpython-311.pyc', path_type: 'pyc_file' },
    ]),
  ]);
  const text = Buffer.from(`#!${OLD}/bin/python\n`);

  test('declared placeholders in the mode the package gave, with its length as room', () => {
    expect(selection.ruleFor('bin/tool', Buffer.from(`a\0${OLD}`))).toEqual({ mode: 'text', placeholderLength: PLACEHOLDER.length });
    expect(selection.ruleFor('lib/libx.so', text)).toEqual({ mode: 'binary', placeholderLength: PLACEHOLDER.length });
  });

  test('entry points and unowned plain text are rewritten; owned files without a placeholder are not', () => {
    expect(selection.ruleFor('bin/entry', text)).toEqual({ mode: 'text' });
    expect(selection.ruleFor('etc/profile.d/by-hand.sh', text)).toEqual({ mode: 'text' });
    expect(selection.ruleFor('share/plain.txt', text)).toBeUndefined();
    expect(selection.mayRewrite('share/plain.txt')).toBe(false);
  });

  test('never bytecode (owned or not), conda-meta, or an unowned binary file', () => {
    const pyc = Buffer.concat([Buffer.from([0xa7, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]), Buffer.from(`\u00e3${OLD}/x.py`)]);
    expect(selection.ruleFor('lib/python3.11/site-packages/m/__pycache__/x.cpython-311.pyc', pyc)).toBeUndefined();
    expect(selection.ruleFor('lib/python3.11/site-packages/n/__pycache__/y.cpython-311.pyc', Buffer.from(OLD))).toBeUndefined();
    expect(selection.ruleFor('conda-meta/history', Buffer.from(`# cmd: taipan create -p ${OLD}\n`))).toBeUndefined();
    expect(selection.ruleFor('lib/unowned.so', Buffer.from(`\x7fELF\0${OLD}\0`))).toBeUndefined();
    expect(selection.ruleFor('share/latin1.txt', Buffer.concat([Buffer.from(OLD), Buffer.from([0xe9])]))).toBeUndefined();
  });

  test('a text file declared by its package is rewritten as text even when it holds a NUL', () => {
    const data = Buffer.from(`x\0${OLD}/a ${OLD}/b`);
    const plan = planFile('bin/tool', data, OLD, { mode: 'text' });
    expect(plan?.mode).toBe('text');
    expect(plan?.ops.filter((o) => o.op === 'N')).toHaveLength(2);
  });
});

describe('a plan whose paths leave the folder', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-pack-plan-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** An extracted "pack" in `work/env` whose plan names `bin/ok` and `relative` (text holding the old prefix). */
  async function hostilePack(relative: string): Promise<string> {
    const dir = path.join(work, 'env');
    await mkdir(path.join(dir, '.taipan-pack'), { recursive: true });
    await mkdir(path.join(dir, 'bin'), { recursive: true });
    await writeFile(path.join(dir, 'bin', 'conda-unpack'), condaUnpackScript());
    await chmod(path.join(dir, 'bin', 'conda-unpack'), 0o755);
    await writeFile(path.join(dir, 'bin', 'ok'), `#!${OLD}/bin/sh\n`);
    const ok = planFile('bin/ok', Buffer.from(`#!${OLD}/bin/sh\n`), OLD, { mode: 'text' });
    // The named file is planned as if it held exactly the old prefix.
    const named = planFile(relative, Buffer.from(OLD), OLD, { mode: 'text' });
    await writeFile(path.join(dir, '.taipan-pack', 'plan'), formatPlans(OLD, [ok, named].filter((p) => p !== undefined)));
    return dir;
  }

  const cases: [string, (outside: string) => Promise<string>][] = [
    ['../victim', async () => '../victim'],
    ['an absolute path', async (outside) => path.join(outside, 'victim')],
    ['a file behind a symlinked folder', async () => {
      await symlink(path.join(work, 'outside'), path.join(work, 'env', 'linked'));
      return 'linked/victim';
    }],
    ['a file that is a symlink', async () => {
      await symlink(path.join(work, 'outside', 'victim'), path.join(work, 'env', 'victim-link'));
      return 'victim-link';
    }],
  ];

  test.each(cases)('%s: refused by taipan unpack and by bin/conda-unpack, nothing written', async (_name, make) => {
    const outside = path.join(work, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(outside, 'victim'), 'untouched\n');
    const dir = await hostilePack('placeholder');
    const relative = await make(outside);
    const plan = (await readFile(path.join(dir, '.taipan-pack', 'plan'), 'utf8')).replace('F T 0 placeholder', `F T 0 ${relative}`);
    await writeFile(path.join(dir, '.taipan-pack', 'plan'), plan);

    await expect(unpackEnvironment(dir)).rejects.toMatchObject({ code: 'UNSAFE_ARCHIVE_ENTRY' });
    const script = spawnSync(path.join(dir, 'bin', 'conda-unpack'), [], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(script.status).toBe(1);
    expect(script.stderr).toMatch(/conda-unpack: .*(not a path inside|not a regular file)/);
    expect(await readFile(path.join(outside, 'victim'), 'utf8')).toBe('untouched\n');
    expect(await readFile(path.join(dir, 'bin', 'ok'), 'utf8')).toBe(`#!${OLD}/bin/sh\n`);
  });

  test('a path with spaces is replayed whole by both unpackers', async () => {
    const dir = await hostilePack('share/a file with  spaces.txt');
    await mkdir(path.join(dir, 'share'));
    await writeFile(path.join(dir, 'share', 'a file with  spaces.txt'), OLD);
    const copy = path.join(work, 'copy');
    spawnSync('cp', ['-a', dir, copy]);
    const script = spawnSync(path.join(dir, 'bin', 'conda-unpack'), [], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(script.stderr).toBe('');
    expect(await readFile(path.join(dir, 'share', 'a file with  spaces.txt'), 'utf8')).toBe(dir);
    await unpackEnvironment(copy);
    expect(await readFile(path.join(copy, 'share', 'a file with  spaces.txt'), 'utf8')).toBe(copy);
    expect(await readFile(path.join(copy, 'bin', 'ok'), 'utf8')).toBe(`#!${copy}/bin/sh\n`);
  });
});

/**
 * Round trips through `taipan pack`: a python environment made under ~/.taipan/envs (the
 * machine's python3 as a conda package, a noarch: python package with an entry point, a
 * text and a binary prefix placeholder, bytecode compiled at install) is packed, extracted
 * with the system's tar or unzip somewhere shorter or longer, and moved by the archive's
 * own `bin/conda-unpack` or by `taipan unpack`. It survives when python imports the packed
 * modules (from their untouched .pyc, for tar), code objects name the new place, the entry
 * point runs without activation, `bin/activate` works in bash and the placeholder files
 * hold the new path. `lost` counts .pyc changed by unpacking and files written outside.
 * Also: a path longer than a binary file's placeholder, and a plan naming a path outside,
 * are refused by both unpackers before any file changes.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { indexChannel } from '../../../channels/indexer/index-channel.js';
import { machinePython, writeMachinePythonPackage } from '../../../build/demo/machine-python.js';
import { changedPycs, condaUnpack, extractPack, pycDigests, unpackedPythonProblems, BARE_PATH } from '../../helpers/pack-round-trip.js';
import { clearError, describeRun, runCase, taipan, type CaseResult, type Context } from '../harness.js';
import { condaZip, rawTar, sha256, type RawEntry } from '../fixtures.js';

/** conda-build's long placeholder: 255 bytes, the room a binary path has. */
const PLACEHOLDER = `/opt/anaconda1anaconda2anaconda3${'_placehold'.repeat(23)}`.slice(0, 255);
const ENV_NAME = 'pack-round-trip';
const PKG = 'tp-roundtrip';

const FILES: Record<string, string | Buffer> = {
  'site-packages/tp_roundtrip/__init__.py': 'def where():\n    return __file__\n',
  'site-packages/tp_roundtrip/cli.py': 'import sys\n\n\ndef main():\n    print("round trip ok in", sys.prefix)\n',
  'site-packages/tp_roundtrip-1.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: tp-roundtrip\nVersion: 1.0\n',
  'share/tp-roundtrip/where.txt': `${PLACEHOLDER}/share/tp-roundtrip\n`,
  'share/tp-roundtrip/where.bin': Buffer.concat([Buffer.from('HEAD\0'), Buffer.from(`${PLACEHOLDER}/share\0`), Buffer.from('TAIL\0')]),
};

/** A real noarch: python package: site-packages/ files, an entry point in info/link.json, placeholders in paths.json. */
async function writeNoarchPythonPackage(channel: string): Promise<void> {
  const paths = Object.entries(FILES).map(([p, body]) => ({
    _path: p,
    path_type: 'hardlink',
    sha256: sha256(body),
    size_in_bytes: Buffer.byteLength(body),
    ...(p.startsWith('share/') ? { prefix_placeholder: PLACEHOLDER, file_mode: p.endsWith('.bin') ? 'binary' : 'text' } : {}),
  }));
  const index = { name: PKG, version: '1.0', build: 'pyh_0', build_number: 0, depends: ['python'], noarch: 'python', subdir: 'noarch', platform: null, arch: null, timestamp: 1_700_000_000_000, license: 'MIT' };
  const link = { noarch: { type: 'python', entry_points: [`${PKG} = tp_roundtrip.cli:main`] }, package_metadata_version: 1 };
  const info: RawEntry[] = [
    { path: 'info/index.json', body: JSON.stringify(index) },
    { path: 'info/paths.json', body: JSON.stringify({ paths, paths_version: 1 }) },
    { path: 'info/link.json', body: JSON.stringify(link) },
    { path: 'info/files', body: Object.keys(FILES).map((f) => `${f}\n`).join('') },
  ];
  const payload: RawEntry[] = Object.entries(FILES).map(([p, body]) => ({ path: p, body }));
  const stem = `${PKG}-1.0-pyh_0`;
  await mkdir(path.join(channel, 'noarch'), { recursive: true });
  await writeFile(path.join(channel, 'noarch', `${stem}.conda`), await condaZip(stem, rawTar(payload), rawTar(info)));
}

type Method = 'conda-unpack' | 'taipan unpack';

export async function packRoundTripCases(context: Context): Promise<CaseResult[]> {
  const python = machinePython();
  if (process.platform !== 'linux' || !python) {
    context.log(`pack round trips left out: they need Linux and python3 on PATH (platform ${process.platform}, python3 ${python ? 'found' : 'missing'})`);
    return [];
  }
  const channel = path.join(context.work, 'pack-channel');
  await writeNoarchPythonPackage(channel);
  await writeMachinePythonPackage(channel, python);
  await indexChannel(channel);
  const env = { TAIPAN_PKGS_DIRS: path.join(context.work, 'pack-pkgs') };
  const created = await taipan(['create', '-y', '-n', ENV_NAME, '-c', channel, 'python', PKG], context, env);
  const prefix = path.join(context.home, '.taipan', 'envs', ENV_NAME);
  if (created.status !== 0) return [{ name: 'pack round trips: the python environment is created', survived: false, lost: 0, detail: describeRun(created) }];
  // Short destinations live in a folder of their own: /tmp/pXXXXXX/… is shorter than any HOME's envs.
  const shortRoot = await mkdtemp('/tmp/p');
  try {
    return await roundTrips(context, { env, prefix, shortRoot });
  } finally {
    await rm(shortRoot, { recursive: true, force: true });
  }
}

async function roundTrips(context: Context, setup: { env: NodeJS.ProcessEnv; prefix: string; shortRoot: string }): Promise<CaseResult[]> {
  const { env, prefix, shortRoot } = setup;
  const original = await pycDigests(prefix);
  const longRoot = path.join(context.work, 'moved', 'into-a-folder-whose-path-is-longer-than-the-one-it-was-made-in');
  const archives = new Map<string, string>();
  const packed = async (format: 'tar.gz' | 'zip'): Promise<string> => {
    const archive = path.join(context.work, `pack-round-trip.${format}`);
    if (!archives.has(format)) {
      const run = await taipan(['pack', '-n', ENV_NAME, '-o', archive], context, env);
      if (run.status !== 0) throw new Error(`taipan pack failed: ${describeRun(run)}`);
      archives.set(format, archive);
    }
    return archive;
  };
  let serial = 0;
  const unpacked = async (format: 'tar.gz' | 'zip', method: Method, root: string): Promise<{ dest: string; problems: string[] }> => {
    const dest = path.join(root, `env${++serial}`);
    await mkdir(dest, { recursive: true });
    const problems = extractPack(await packed(format), dest);
    if (problems.length > 0) return { dest, problems };
    if (method === 'conda-unpack') problems.push(...condaUnpack(dest));
    else {
      const run = await taipan(['unpack', dest], context, env);
      if (run.status !== 0) problems.push(`taipan unpack: ${describeRun(run)}`);
    }
    return { dest, problems };
  };
  /** Run an unpacker that must refuse: whether it refused clearly (exit 1, its own message), and what it said. */
  const mustRefuse = async (method: Method, dest: string): Promise<string | undefined> => {
    if (method === 'taipan unpack') {
      const run = await taipan(['unpack', dest], context, env);
      return clearError(run) ? undefined : `taipan unpack did not refuse clearly: ${describeRun(run)}`;
    }
    const run = spawnSync(path.join(dest, 'bin', 'conda-unpack'), [], { encoding: 'utf8', env: { PATH: BARE_PATH } });
    return run.status === 1 && run.stderr.startsWith('conda-unpack: ') ? undefined : `conda-unpack did not refuse clearly: exit ${run.status}; ${run.stderr.trim()}`;
  };

  const results: CaseResult[] = [];
  const matrix: [format: 'tar.gz' | 'zip', method: Method, where: 'shorter' | 'longer'][] = context.quick
    ? [['tar.gz', 'conda-unpack', 'shorter'], ['zip', 'taipan unpack', 'longer']]
    : (['tar.gz', 'zip'] as const).flatMap((f) => (['conda-unpack', 'taipan unpack'] as const).flatMap((m) => (['shorter', 'longer'] as const).map((w): ['tar.gz' | 'zip', Method, 'shorter' | 'longer'] => [f, m, w])));
  for (const [format, method, where] of matrix) {
    results.push(
      await runCase(`pack: ${format} from ~/.taipan/envs, ${method} at a ${where} path; python imports, entry point, activate`, async () => {
        const { dest, problems } = await unpacked(format, method, where === 'shorter' ? shortRoot : longRoot);
        const lengthOk = where === 'shorter' ? dest.length < prefix.length : dest.length > prefix.length;
        if (!lengthOk) problems.push(`'${dest}' is not ${where} than '${prefix}'`);
        const changed = problems.length === 0 ? await changedPycs(dest, original) : [];
        if (problems.length === 0) {
          problems.push(...changed);
          problems.push(...(await unpackedPythonProblems(dest, { modules: ['tp_roundtrip', 'tp_roundtrip.cli'], functionModule: 'tp_roundtrip.cli', pycFresh: format !== 'zip', entryPoint: { name: PKG, args: [], expect: `round trip ok in ${dest}` } })));
          problems.push(...(await placeholderProblems(prefix, dest)));
        }
        return { survived: problems.length === 0, lost: changed.length, detail: problems.join('; ') };
      }),
    );
  }

  results.push(
    await runCase('pack: a path longer than a binary placeholder is refused by both unpackers before any change', async () => {
      // Each folder name stays under NAME_MAX; the whole path passes the 255-byte placeholder.
      const root = path.join(context.work, 'long', ...Array.from({ length: 3 }, (_, i) => `${String(i).repeat(90)}`));
      const problems: string[] = [];
      let lost = 0;
      for (const method of ['conda-unpack', 'taipan unpack'] as const) {
        const dest = path.join(root, method.replace(' ', '-'));
        await mkdir(dest, { recursive: true });
        problems.push(...extractPack(await packed('tar.gz'), dest));
        const before = await readFile(path.join(dest, 'bin', PKG), 'utf8');
        const notRefused = await mustRefuse(method, dest);
        if (notRefused) problems.push(notRefused);
        if ((await readFile(path.join(dest, 'bin', PKG), 'utf8')) !== before) {
          lost++;
          problems.push(`${method} changed bin/${PKG} before refusing`);
        }
        lost += (await changedPycs(dest, original)).length;
      }
      return { survived: problems.length === 0 && lost === 0, lost, detail: problems.join('; ') };
    }),
  );

  results.push(
    await runCase("pack: an archive whose plan names '../victim' is refused by both unpackers; nothing outside is written", async () => {
      const problems: string[] = [];
      let lost = 0;
      for (const method of ['conda-unpack', 'taipan unpack'] as const) {
        const dest = path.join(shortRoot, `hostile-${method.replace(' ', '-')}`, 'env');
        await mkdir(dest, { recursive: true });
        problems.push(...extractPack(await packed('tar.gz'), dest));
        const victim = path.join(path.dirname(dest), 'victim');
        await writeFile(victim, prefix);
        const planFile = path.join(dest, '.taipan-pack', 'plan');
        const plan = await readFile(planFile, 'utf8');
        await writeFile(planFile, plan.replace(/^E$/m, `F T 0 ../victim\nN\nR ${Buffer.byteLength(prefix)}\nE`));
        const notRefused = await mustRefuse(method, dest);
        if (notRefused) problems.push(notRefused);
        if ((await readFile(victim, 'utf8')) !== prefix) {
          lost++;
          problems.push(`${method} wrote '${victim}'`);
        }
      }
      return { survived: problems.length === 0 && lost === 0, lost, detail: problems.join('; ') };
    }),
  );
  return results;
}

/** The package's placeholder files hold the new path: text as written, binary NUL-padded to its old length. */
async function placeholderProblems(prefix: string, dest: string): Promise<string[]> {
  const problems: string[] = [];
  const text = await readFile(path.join(dest, 'share', 'tp-roundtrip', 'where.txt'), 'utf8');
  if (text !== `${dest}/share/tp-roundtrip\n`) problems.push(`where.txt holds ${JSON.stringify(text)}`);
  const before = await readFile(path.join(prefix, 'share', 'tp-roundtrip', 'where.bin'));
  const after = await readFile(path.join(dest, 'share', 'tp-roundtrip', 'where.bin'));
  if (after.length !== before.length || !after.includes(Buffer.from(`HEAD\0${dest}/share\0`)) || !after.subarray(-5).equals(Buffer.from('TAIL\0'))) problems.push('where.bin does not hold the new path in place');
  return problems;
}

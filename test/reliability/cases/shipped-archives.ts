/**
 * Shipped archives: packages that the package cache accepts (their hash matches the
 * channel, every file they hold matches info/paths.json) but that would fail on the
 * attendee's machine, because info/paths.json lists something the archive does not hold as
 * declared, or lists a path outside the prefix, or the channel's record gives the wrong
 * size. `taipan bundle` and `taipan mirror` must each refuse every one with a typed error
 * naming the package (and the path, where there is one), and leave nothing behind: no
 * installer, no mirror, no staging folder. Anything left in the output folder counts as lost.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { indexChannel } from '../../../channels/indexer/index-channel.js';
import { clearError, describeRun, runCase, taipan, type CaseResult, type Category, type Context } from '../harness.js';
import { sha256, writePackage, type PackageSpec, type PathEntry } from '../fixtures.js';

interface ShippedCase {
  name: string;
  spec: Omit<PackageSpec, 'name' | 'format'>;
  /** Changes the channel's repodata.json after indexing (a record that lies). */
  editRecord?: (record: Record<string, unknown>) => void;
  /** Text the error must hold besides the package's file name. */
  names: string;
  quick?: boolean;
}

const OK = { 'share/ok.txt': 'fine\n' };
const listed = (...extra: PathEntry[]): Omit<PackageSpec, 'name' | 'format'> => ({ files: OK, editPaths: (p) => [...p, ...extra] });

const CASES: ShippedCase[] = [
  { name: 'paths.json lists a file the archive lacks', spec: listed({ _path: 'bin/tool', path_type: 'hardlink', sha256: sha256('tool\n'), size_in_bytes: 5 }), names: "'bin/tool' but the archive does not hold it", quick: true },
  { name: 'paths.json lists a file without hash or size that the archive lacks', spec: listed({ _path: 'lib/libtool.so', path_type: 'hardlink' }), names: "'lib/libtool.so' but the archive does not hold it" },
  { name: 'paths.json lists a symlink the archive lacks', spec: listed({ _path: 'bin/alias', path_type: 'softlink' }), names: "'bin/alias' but the archive does not hold it" },
  { name: 'paths.json lists a folder the archive lacks', spec: listed({ _path: 'var/empty', path_type: 'directory' }), names: "the folder 'var/empty'" },
  {
    name: 'paths.json lists a file where the archive holds a symlink',
    spec: { files: OK, raw: [{ path: 'bin/alias', type: 'SymbolicLink', linkpath: '../share/ok.txt' }], editPaths: (p) => [...p, { _path: 'bin/alias', path_type: 'hardlink' }] },
    names: "'bin/alias' as a hardlink, but the archive holds a symlink",
    quick: true,
  },
  { name: 'paths.json lists a path outside the prefix', spec: listed({ _path: '../../outside/pwned', path_type: 'hardlink' }), names: "'../../outside/pwned', which is not a safe path" },
  { name: "the channel's record gives the wrong size", spec: { files: OK }, editRecord: (r) => void (r.size = Number(r.size) + 1), names: 'but its record says', quick: true },
];

export const shippedArchives: Category = {
  name: 'Shipped archives (bundle, mirror)',
  async run(context: Context): Promise<CaseResult[]> {
    const results: CaseResult[] = [];
    const cases = context.quick ? CASES.filter((c) => c.quick) : CASES;
    for (const [i, c] of cases.entries()) {
      for (const format of context.quick ? (['conda'] as const) : (['conda', 'tar.bz2'] as const)) {
        for (const command of ['bundle', 'mirror'] as const) {
          results.push(await runCase(`${command}: ${c.name} (.${format})`, () => ship(context, `${i}-${format}-${command}`, c, format, command)));
        }
      }
    }
    return results;
  },
};

async function ship(context: Context, tag: string, c: ShippedCase, format: 'conda' | 'tar.bz2', command: 'bundle' | 'mirror'): Promise<Omit<CaseResult, 'name'>> {
  const base = path.join(context.work, tag);
  const channel = path.join(base, 'channel');
  const out = path.join(base, 'out');
  await mkdir(out, { recursive: true });
  const archive = await writePackage(channel, { name: 'shipped', ...c.spec, format });
  // repodata.json only, so that an edited record is the one every reader sees.
  await indexChannel(channel, { zst: false, bz2: false, shards: false });
  if (c.editRecord) {
    const file = path.join(channel, 'noarch', 'repodata.json');
    const repodata = JSON.parse(await readFile(file, 'utf8'));
    const key = format === 'conda' ? 'packages.conda' : 'packages';
    c.editRecord(repodata[key][path.basename(archive)]);
    await writeFile(file, JSON.stringify(repodata));
  }
  const env = { TAIPAN_PKGS_DIRS: path.join(base, 'pkgs') };
  let run;
  if (command === 'bundle') {
    await writeFile(path.join(base, 'environment.yml'), `name: shipped\nchannels:\n  - ${channel}\ndependencies:\n  - shipped\n`);
    run = await taipan(['bundle', path.join(base, 'environment.yml'), '-o', path.join(out, 'installer.sh')], context, env);
  } else {
    run = await taipan(['mirror', '-c', channel, '--override-channels', 'shipped', '-o', path.join(out, 'mirror')], context, env);
  }
  const left = await readdir(out);
  const refused = clearError(run) && run.stderr.includes(path.basename(archive)) && run.stderr.includes(c.names) && /^hint: /m.test(run.stderr);
  return {
    survived: refused && left.length === 0,
    lost: left.length,
    detail: `${describeRun(run)}${left.length > 0 ? `; left behind: ${left.join(', ')}` : ''}`,
  };
}

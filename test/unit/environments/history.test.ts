/**
 * conda-meta/history: every line form conda and taipan write reads back as written; Python
 * itself (ast.literal_eval, repr) agrees with taipan on the specs lists; real conda files
 * read; and lines nobody can read are skipped with a warning naming the file and line.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RepoDataRecord } from '../../../channels/model/package-record.js';
import {
  appendHistory,
  formatHistoryEntry,
  formatHistoryRevision,
  historyRevisionOf,
  parseHistory,
  readHistory,
  readRequestedSpecs,
  type HistoryRevision,
  type HistoryWarning,
} from '../../../environments/prefix/history.js';
import { parsePythonStringList, pythonStringList } from '../../../environments/prefix/python-literal.js';
import { distToSpec, formatRevisions, packagesAtRevision, readRevisions, revertSpecs } from '../../../environments/revisions.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';
import { HARD_MATCH_SPECS } from '../../helpers/history-specs.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-history-'));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function revision(fields: Partial<HistoryRevision>): HistoryRevision {
  return { date: '2024-05-06 07:08:09', removed: [], added: [], removeSpecs: [], updateSpecs: [], neuteredSpecs: [], ...fields };
}

/** Specs that stress the quoting: quotes of both kinds, brackets, commas, URLs with spaces, escapes. */
const HARD_SPECS = [
  "numpy[version='>=1.20']",
  'python=3.9',
  'pkg[version=">=1,<2"]',
  `both[build='a"b'] it's`,
  "taipan-greetings==2.0.0=0[channel='file:///tmp/my%20chan']",
  "x==1=0[channel='file:///tmp/my chan/with spaces']",
  'conda-forge/linux-64::zlib>=1.2,<2',
  'back\\slash',
  'tab\there',
  'unicodé-ß-✓',
  'emoji-😀',
  'bell\u0007and\u00a0nbsp',
  '',
];

/** Every line form: taipan's, conda's current ones, and the package-set revision of the oldest conda. */
const FORMS: readonly HistoryRevision[] = [
  revision({
    command: 'taipan install -p /tmp/env with spaces -c file:///tmp/my chan numpy',
    tool: { name: 'taipan', version: '0.1.0' },
    removed: ['file:///tmp/my%20chan::zlib-1.2.13-h0_0'],
    added: ['file:///tmp/my%20chan::zlib-1.3.1-h0_0', 'file:///tmp/my chan::hello-taipan-1.0.0-0'],
    updateSpecs: ['zlib', "taipan-greetings==2.0.0=0[channel='file:///tmp/my%20chan']"],
  }),
  revision({
    command: '/opt/conda/bin/conda create -n x python=3.13 python_abi=*=*_cp313t',
    tool: { name: 'conda', version: '25.1.2' },
    added: ['conda-forge/noarch::pip-25.0.1-pyh145f28c_0', 'conda-forge/osx-arm64::python-3.13.2-hfd29fff_1_cp313t'],
    updateSpecs: ['python_abi[build=*_cp313t]', 'python=3.13', 'pip'],
  }),
  revision({ command: 'conda remove numpy', removed: ['defaults/linux-64::numpy-1.26.4-py311h_0'], removeSpecs: ['numpy'] }),
  revision({ command: 'conda install python=3.9', neuteredSpecs: ['python=3.9'], updateSpecs: ["numpy[version='>=1.20']"] }),
  revision({ packages: ['conda-3.19.0-py27_0', 'python-2.7.11-0', 'zlib-1.2.8-0'] }),
  revision({ command: '' }),
  revision({}),
  revision({ command: 'taipan install', updateSpecs: [...HARD_MATCH_SPECS], removeSpecs: ['a', 'b'], neuteredSpecs: HARD_MATCH_SPECS.slice(2) }),
];

describe('round trip: what is written reads back as written', () => {
  test.each(FORMS.map((form, i) => [i, form] as const))('form %i', (_i, form) => {
    const warnings: HistoryWarning[] = [];
    expect(parseHistory(formatHistoryRevision(form), 'history', { onWarning: (w) => warnings.push(w) })).toEqual([form]);
    expect(warnings).toEqual([]);
  });

  test('a whole file of every form', () => {
    const text = FORMS.map(formatHistoryRevision).join('');
    const warnings: HistoryWarning[] = [];
    expect(parseHistory(text, 'history', { onWarning: (w) => warnings.push(w) })).toEqual(FORMS);
    expect(warnings).toEqual([]);
  });

  test('specs lists with every hard character read back, one spec at a time and all together', () => {
    for (const spec of HARD_SPECS) expect(parsePythonStringList(pythonStringList([spec]))).toEqual([spec]);
    expect(parsePythonStringList(pythonStringList(HARD_SPECS))).toEqual(HARD_SPECS);
  });

  test('a transaction entry from real records reads back with its dists and specs', () => {
    const record = (name: string, channel: string): RepoDataRecord => ({ name, version: '1.0', build: 'h_0', channel }) as RepoDataRecord;
    const entry = {
      date: new Date(2024, 0, 2, 3, 4, 5),
      command: 'taipan install --revision 0',
      toolVersion: '0.1.0',
      unlinked: [record('b', 'https://conda.anaconda.org/conda-forge/linux-64')],
      linked: [record('a', 'file:///tmp/my%20chan/noarch')],
      updateSpecs: ["a==1.0=h_0[channel='file:///tmp/my%20chan']"],
      removeSpecs: ['b'],
    };
    const [read] = parseHistory(formatHistoryEntry(entry), 'history');
    expect(read).toEqual(historyRevisionOf(entry));
    expect(read).toMatchObject({
      date: '2024-01-02 03:04:05',
      tool: { name: 'taipan', version: '0.1.0' },
      removed: ['https://conda.anaconda.org/conda-forge::b-1.0-h_0'],
      added: ['file:///tmp/my%20chan::a-1.0-h_0'],
    });
  });

  test('a line break in the command cannot add a line of its own', () => {
    const text = formatHistoryRevision(revision({ command: 'taipan install "x\n+evil::pkg-1-0\n# update specs: [\'evil\']"' }));
    const [read] = parseHistory(text, 'history');
    expect(read?.added).toEqual([]);
    expect(read?.updateSpecs).toEqual([]);
    expect(text.split('\n')).toHaveLength(3);
  });

  test('specs conda drops when reading (empty, `feature@`) are not written', () => {
    const text = formatHistoryRevision(revision({ updateSpecs: ['', 'mkl@', 'numpy'] }));
    expect(text).toContain("# update specs: ['numpy']");
  });
});

/** python3, or undefined (with the reason printed) when the machine has none. */
function python(): string | undefined {
  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return 'python3';
  // eslint-disable-next-line no-console
  console.log('skipping the Python reader checks: python3 is not on PATH');
  return undefined;
}

describe('Python, the reader conda uses, agrees', () => {
  const py = python();
  const maybe = py ? test : test.skip;

  maybe('ast.literal_eval reads every specs line taipan writes to the same strings', async () => {
    const file = path.join(work, 'history');
    await writeFile(file, FORMS.map(formatHistoryRevision).join(''));
    // conda's own parsing of a specs line: its regex, then literal_eval.
    const script = [
      'import ast, json, re, sys',
      'out = []',
      'for line in open(sys.argv[1], encoding="utf-8").read().splitlines():',
      '    m = re.match(r"#\\s*(\\w+)\\s*specs:\\s*(.+)?", line.strip())',
      '    if m: out.append([m.group(1), ast.literal_eval(m.group(2))])',
      'print(json.dumps(out))',
    ].join('\n');
    const result = spawnSync(py as string, ['-c', script, file], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const expected = FORMS.flatMap((f) =>
      [
        ['remove', f.removeSpecs],
        ['update', f.updateSpecs],
        ['neutered', f.neuteredSpecs],
      ].filter(([, specs]) => specs.length > 0),
    );
    expect(JSON.parse(result.stdout)).toEqual(expected);
  });

  maybe("taipan reads Python's repr of lists of hard strings, as conda writes them", () => {
    const lists = [HARD_SPECS, ["it's"], ['"'], ['\'"'], ['\\\'"\\'], ['\u0000\u001f\u007f\u0085\u2028\ud7ff\ue000\uffff'], ['\u{10ffff}\u{1f600}']];
    const script = 'import json, sys\nfor items in json.loads(sys.stdin.read()):\n    print("# update specs: %s" % items)';
    const result = spawnSync(py as string, ['-c', script], { input: JSON.stringify(lists), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(lists.length);
    lines.forEach((line, i) => expect(parsePythonStringList(line.slice('# update specs: '.length))).toEqual(lists[i]));
  });
});

describeShared('real conda history files', () => {
  const fixture = sharedPath('fixtures', 'environments', 'conda-meta', 'conda-tests-envpy313tosx_whl', 'history');

  test("conda 25.1's history of a create reads completely", async () => {
    const warnings: HistoryWarning[] = [];
    const [only, ...rest] = parseHistory(await readFile(fixture, 'utf8'), fixture, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({
      date: '2025-03-14 13:51:04',
      tool: { name: 'conda', version: '25.1.2' },
      removed: [],
      updateSpecs: ['python_abi[build=*_cp313t]', 'python=3.13', 'pip'],
    });
    expect(only?.command).toMatch(/^\/Users\/.*\/conda create -n for_pip .* python_abi=\*=\*_cp313t pip --solver classic$/);
    expect(only?.added).toHaveLength(16);
    expect(only?.added).toContain('conda-forge/osx-arm64::python-3.13.2-hfd29fff_1_cp313t');
  });

  test('its package set, specs and revision list, as taipan uses them', async () => {
    const prefix = path.join(work, 'env');
    await mkdir(path.join(prefix, 'conda-meta'), { recursive: true });
    await writeFile(path.join(prefix, 'conda-meta', 'history'), await readFile(fixture));
    const revisions = await readRevisions(prefix);
    const dists = packagesAtRevision(revisions, 0);
    expect(dists).toHaveLength(16);
    expect(dists.map(distToSpec)).toContain("python==3.13.2=hfd29fff_1_cp313t[channel='conda-forge/osx-arm64']");
    expect(await readRequestedSpecs(prefix)).toEqual(['python_abi[build=*_cp313t]', 'python=3.13', 'pip']);
    expect(formatRevisions(revisions)).toMatch(/^2025-03-14 13:51:04 {2}\(rev 0\)\n {4}\+pip-25\.0\.1-pyh145f28c_0\n/);
  });
});

describe("older conda's forms", () => {
  // As conda 4.0-4.4 wrote them: bare package lines first, `install specs`, comma lists, JSON, u'' strings.
  const OLD = [
    '==> 2016-02-16 13:31:33 <==',
    '# cmd: /home/u/miniconda/bin/conda update conda',
    'conda-3.19.0-py27_0',
    'python-2.7.11-0',
    'zlib-1.2.8-0',
    '==> 2016-02-16 13:31:41 <==',
    '# cmd: /home/u/miniconda/bin/conda install grin',
    '-conda-3.19.0-py27_0',
    '+conda-3.19.1-py27_0',
    '+grin-1.2.1-py27_1',
    "# install specs: ['grin', 'conda', 'python 2.7*']",
    '==> 2017-01-01 00:00:00 <==',
    '# cmd: conda install param',
    '+param-1.5.1-py27_0',
    '# install specs: param >=1.5.1,<2.0,jupyter >=1.0.0,<2.0',
    '==> 2017-06-01 00:00:00 <==',
    '# cmd: conda remove grin',
    '-grin-1.2.1-py27_1',
    '# remove specs: ["grin"]',
    '==> 2018-01-01 00:00:00 <==',
    '# cmd: conda install defaults::six',
    '+defaults::six-1.11.0-py27_1',
    "# update specs: [u'defaults::six', u\"c[license='MIT']\"]",
    '# unknown specs: ["ignored"]',
    '# some comment conda ignores',
    '',
  ].join('\r\n');

  test('every revision and spec is read', () => {
    const warnings: HistoryWarning[] = [];
    const revisions = parseHistory(OLD, 'history', { onWarning: (w) => warnings.push(w) });
    expect(warnings.map((w) => w.text)).toEqual([]);
    expect(revisions).toHaveLength(5);
    expect(revisions[0]?.packages).toEqual(['conda-3.19.0-py27_0', 'python-2.7.11-0', 'zlib-1.2.8-0']);
    expect(revisions[1]?.updateSpecs).toEqual(['grin', 'conda', 'python 2.7*']);
    expect(revisions[2]?.updateSpecs).toEqual(['param >=1.5.1,<2.0', 'jupyter >=1.0.0,<2.0']);
    expect(revisions[3]?.removeSpecs).toEqual(['grin']);
    expect(revisions[4]?.updateSpecs).toEqual(['defaults::six', "c[license='MIT']"]);
    expect(warnings).toEqual([]);
  });

  test('package sets, requested specs and a revert', async () => {
    const prefix = path.join(work, 'old');
    await mkdir(path.join(prefix, 'conda-meta'), { recursive: true });
    await writeFile(path.join(prefix, 'conda-meta', 'history'), OLD);
    const warnings: HistoryWarning[] = [];
    const revisions = await readRevisions(prefix, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    expect(packagesAtRevision(revisions, 0)).toEqual(['conda-3.19.0-py27_0', 'python-2.7.11-0', 'zlib-1.2.8-0']);
    expect(packagesAtRevision(revisions, 4)).toEqual(['conda-3.19.1-py27_0', 'defaults::six-1.11.0-py27_1', 'param-1.5.1-py27_0', 'python-2.7.11-0', 'zlib-1.2.8-0']);
    expect(await readRequestedSpecs(prefix)).toEqual(['conda', 'python 2.7*', 'param >=1.5.1,<2.0', 'jupyter >=1.0.0,<2.0', 'defaults::six', "c[license='MIT']"]);
    expect(revertSpecs(revisions, 1)).toEqual({ updateSpecs: ['grin', 'conda', 'python 2.7*'], removeSpecs: ['param', 'jupyter', 'six', 'c'] });
    expect(formatRevisions(revisions)).toContain('(rev 0)\n    conda-3.19.0-py27_0\n    python-2.7.11-0\n');
  });
});

describe('lines that cannot be read are skipped with a warning', () => {
  test('garbage, a broken specs list, a spec that is no spec, and text before the first header', () => {
    const text = [
      '+orphan::x-1-0',
      '==> 2024-01-01 00:00:00 <==',
      '# cmd: taipan create',
      '+c::good-1.0-0',
      'garbage line',
      '+not a dist',
      "# update specs: ['good', 'unterminated]",
      "# update specs: ['good', \"it's\"]",
      '# remove specs: good, [x]',
      '==> 2024-01-02 00:00:00 <==',
      '+c::other-1.0-0',
      'bare-1.0-0',
      '\u001b[31mred',
    ].join('\n');
    const warnings: HistoryWarning[] = [];
    const revisions = parseHistory(text, '/p/conda-meta/history', { onWarning: (w) => warnings.push(w) });
    expect(warnings.map((w) => w.line)).toEqual([1, 5, 6, 7, 8, 9, 13, 12]);
    expect(warnings.every((w) => w.file === '/p/conda-meta/history')).toBe(true);
    expect(revisions).toEqual([
      revision({ date: '2024-01-01 00:00:00', command: 'taipan create', added: ['c::good-1.0-0'], updateSpecs: ['good'] }),
      revision({ date: '2024-01-02 00:00:00', added: ['c::other-1.0-0'] }),
    ]);
  });

  test('a history that is a folder reads as none, with a warning', async () => {
    await mkdir(path.join(work, 'conda-meta', 'history'), { recursive: true });
    const warnings: HistoryWarning[] = [];
    expect(await readHistory(work, { onWarning: (w) => warnings.push(w) })).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.reason).toMatch(/cannot be read/);
  });
});

describe('appending', () => {
  test('once, and after a last line that lost its line break', async () => {
    await mkdir(path.join(work, 'conda-meta'));
    const file = path.join(work, 'conda-meta', 'history');
    await writeFile(file, '==> 2024-01-01 00:00:00 <==\n+c::a-1-0');
    const text = formatHistoryRevision(revision({ added: ['c::b-1-0'] }));
    await appendHistory(work, text);
    await appendHistory(work, text);
    expect(await readFile(file, 'utf8')).toBe(`==> 2024-01-01 00:00:00 <==\n+c::a-1-0\n${text}`);
    expect((await readHistory(work)).map((r) => r.added)).toEqual([['c::a-1-0'], ['c::b-1-0']]);
  });
});

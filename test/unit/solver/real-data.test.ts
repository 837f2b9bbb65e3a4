/**
 * Solves against real channel snapshots in ../shared: the defaults channel (index4, about
 * 5,600 records) and a conda-forge subset. Every answer is verified by the independent
 * checker, and the requested names are cross-checked to be at the newest installable
 * version (lexicographically: each requested name is newest given the earlier ones).
 * `solve()` uses the default (CDCL) backend; each answer is also compared with the
 * logic-solver backend's, which must be the very same records.
 *
 * The repodata loader here is deliberately test-local and minimal; the real one lives in
 * channels/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MatchSpec } from '../../../channels/model/match-spec/index.js';
import { Version } from '../../../channels/model/version.js';
import type { RepoDataRecord } from '../../../channels/model/package-record.js';
import { isTaipanError } from '../../../channels/model/errors.js';
import { LogicSolverBackend, solve, type SolverTask } from '../../../solver/index.js';
import { expectValidSolution } from '../../helpers/check-solution.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

type RawRecord = Omit<RepoDataRecord, 'fn' | 'url' | 'channel'>;

/** Records of one channel folder by name; `.conda` wins over `.tar.bz2` of the same stem. */
function loadChannel(folder: string, channel: string, subdirs: readonly string[]): Map<string, RepoDataRecord[]> {
  const byName = new Map<string, RepoDataRecord[]>();
  for (const subdir of subdirs) {
    const file = path.join(folder, subdir, 'repodata.json');
    const repodata = JSON.parse(readFileSync(file, 'utf8')) as {
      packages?: Record<string, RawRecord>;
      'packages.conda'?: Record<string, RawRecord>;
    };
    const conda = repodata['packages.conda'] ?? {};
    const stems = new Set(Object.keys(conda).map((fn) => fn.slice(0, -'.conda'.length)));
    const entries: [string, RawRecord][] = [
      ...Object.entries(repodata.packages ?? {}).filter(([fn]) => !stems.has(fn.slice(0, -'.tar.bz2'.length))),
      ...Object.entries(conda),
    ];
    for (const [fn, raw] of entries) {
      const url = pathToFileURL(path.join(folder, subdir, fn)).href;
      const record = { ...raw, subdir: raw.subdir ?? subdir, depends: raw.depends ?? [], fn, url, channel } as RepoDataRecord;
      byName.set(record.name, [...(byName.get(record.name) ?? []), record]);
    }
  }
  return byName;
}

interface Case {
  specs: string[];
  /** Names that must be in the answer (a sanity check on what the checker cannot know). */
  expect?: string[];
}

const LINUX_VIRTUALS = [
  { name: '__unix', version: '0', build: '0', build_number: 0, depends: [] },
  { name: '__linux', version: '5.15', build: '0', build_number: 0, depends: [] },
  { name: '__glibc', version: '2.35', build: '0', build_number: 0, depends: [] },
  { name: '__archspec', version: '1', build: 'x86_64', build_number: 0, depends: [] },
];

const timings: string[] = [];

function makeTask(available: Map<string, RepoDataRecord[]>, specs: readonly string[]): SolverTask {
  return { specs: specs.map((s) => MatchSpec.parse(s)), available, virtualPackages: LINUX_VIRTUALS };
}

async function solvable(available: Map<string, RepoDataRecord[]>, specs: readonly string[]): Promise<boolean> {
  try {
    await solve(makeTask(available, specs));
    return true;
  } catch (error) {
    if (isTaipanError(error) && (error.code === 'UNSATISFIABLE' || error.code === 'PACKAGE_NOT_FOUND')) return false;
    throw error;
  }
}

/**
 * For each requested name in order: with the earlier requested names fixed at their chosen
 * versions, no newer version of this one is solvable. Returns the number of extra solves.
 */
async function expectNewestInstallable(available: Map<string, RepoDataRecord[]>, specs: readonly string[], records: readonly RepoDataRecord[]): Promise<number> {
  let solves = 0;
  const fixed: string[] = [];
  for (const text of specs) {
    const name = MatchSpec.parse(text).name;
    const chosen = records.find((r) => r.name === name);
    expect(chosen).toBeDefined();
    const chosenVersion = Version.parse(chosen!.version);
    // Records with track_features are deliberately tried last whatever their version, so a
    // newer one of those does not count against a plain chosen record.
    const comparable = (available.get(name) ?? []).filter((r) => !r.track_features || chosen!.track_features);
    const newer = [...new Set(comparable.map((r) => r.version))].filter((v) => Version.parse(v).compare(chosenVersion) > 0);
    for (const version of newer) {
      solves++;
      const attempt = [...fixed, ...specs.filter((s) => s !== text), text, `${name} ==${version}`];
      if (await solvable(available, attempt)) throw new Error(`${name} ${version} is installable with ${JSON.stringify(specs)} but ${chosen!.version} was chosen`);
    }
    fixed.push(`${name} ==${chosen!.version}`);
  }
  return solves;
}

function defineCases(label: string, load: () => Map<string, RepoDataRecord[]>, cases: readonly Case[]): void {
  let available: Map<string, RepoDataRecord[]>;
  beforeAll(() => {
    available = load();
  });

  test.each(cases.map((c) => [c.specs.join(', '), c] as const))(`${label}: %s`, async (_title, c) => {
    const started = performance.now();
    const { records } = await solve(makeTask(available, c.specs));
    const elapsed = performance.now() - started;
    expectValidSolution({ records, specs: c.specs, available, virtualPackages: LINUX_VIRTUALS });
    for (const name of c.expect ?? []) expect(records.map((r) => r.name)).toContain(name);
    const reference = await solve(makeTask(available, c.specs), { backend: new LogicSolverBackend() });
    expect(records.map((r) => r.fn)).toEqual(reference.records.map((r) => r.fn));
    const crossStarted = performance.now();
    const extra = await expectNewestInstallable(available, c.specs, records);
    const top = c.specs.map((s) => {
      const r = records.find((x) => x.name === MatchSpec.parse(s).name)!;
      return `${r.name} ${r.version} ${r.build}`;
    });
    timings.push(
      `${label} [${c.specs.join(', ')}]: ${records.length} records in ${elapsed.toFixed(0)} ms → ${top.join('; ')} ` +
        `(newest cross-check: ${extra} solves, ${(performance.now() - crossStarted).toFixed(0)} ms)`,
    );
    expect(elapsed).toBeLessThan(5000);
  });
}

describeShared('solver on real channel data', () => {
  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(timings.join('\n'));
  });

  describe('defaults (index4)', () => {
    defineCases(
      'defaults',
      () => loadChannel(sharedPath('fixtures', 'channels', 'defaults-index4'), 'defaults', ['linux-64', 'noarch']),
      [
        { specs: ['numpy'], expect: ['python'] },
        { specs: ['python 3.6.*'], expect: ['openssl'] },
        { specs: ['scipy'], expect: ['numpy'] },
        { specs: ['pandas'], expect: ['numpy', 'python-dateutil'] },
        { specs: ['numpy', 'python 2.7.*'] },
        { specs: ['pandas <0.23', 'python 3.5.*'] },
        { specs: ['matplotlib', 'scipy', 'python 3.6.*'] },
        { specs: ['dask', 'sqlalchemy', 'requests'] },
      ],
    );

    test('installed python is kept and the request adapts; the answer is deterministic', async () => {
      const available = loadChannel(sharedPath('fixtures', 'channels', 'defaults-index4'), 'defaults', ['linux-64', 'noarch']);
      const python = (available.get('python') ?? []).find((r) => r.version === '3.6.5')!;
      const task = { ...makeTask(available, ['numpy']), installed: [python] };
      const first = await solve(task);
      expectValidSolution({ records: first.records, specs: ['numpy'], available, virtualPackages: LINUX_VIRTUALS });
      expect(first.records.find((r) => r.name === 'python')?.version).toBe('3.6.5');
      expect(first.records.find((r) => r.name === 'numpy')?.version).toBe('1.15.0');
      const again = await solve(task);
      expect(again.records.map((r) => r.fn)).toEqual(first.records.map((r) => r.fn));
      const reference = await solve(task, { backend: new LogicSolverBackend() });
      expect(reference.records.map((r) => r.fn)).toEqual(first.records.map((r) => r.fn));
    });

    test('an impossible combination explains itself', async () => {
      const available = loadChannel(sharedPath('fixtures', 'channels', 'defaults-index4'), 'defaults', ['linux-64', 'noarch']);
      const error = await solve(makeTask(available, ['scipy 1.0.*', 'python 3.7.*'])).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isTaipanError(error)).toBe(true);
      const message = (error as Error).message;
      expect((error as { code: string }).code).toBe('UNSATISFIABLE');
      expect(message).toContain('scipy 1.0.*');
      expect(message).toContain('python 3.7.*');
      // eslint-disable-next-line no-console
      console.log(message);
    });
  });

  describe('conda-forge subset', () => {
    defineCases(
      'conda-forge',
      () => loadChannel(sharedPath('fixtures', 'channels', 'conda-forge-subset'), 'conda-forge', ['linux-64', 'noarch']),
      [
        { specs: ['python'], expect: ['openssl', 'libgcc-ng'] },
        { specs: ['python 3.9.*', 'pip'] },
        { specs: ['curl'], expect: ['libcurl'] },
        { specs: ['sqlite', 'zstd', 'xorg-libx11'] },
        { specs: ['setuptools', 'python <3.9.10'] },
      ],
    );
  });
});

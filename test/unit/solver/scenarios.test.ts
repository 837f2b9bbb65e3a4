/**
 * Named solver scenarios over tiny in-memory repos (in the spirit of rattler's
 * solver_case.rs and resolvo's bundle_box tests), run on both backends. Every successful
 * solve is also verified by the independent checker.
 *
 * Conflict messages: both backends start with the same summary (which specs clash and the
 * dependency chains that meet); the CDCL backend then adds the tree of its actual conflict,
 * which conflict-tree.test.ts checks. The snapshots here cover the summary.
 */
import { MatchSpec } from '../../../channels/model/match-spec/index.js';
import type { PackageRecord, RepoDataRecord } from '../../../channels/model/package-record.js';
import { isTaipanError } from '../../../channels/model/errors.js';
import { backendByName, CdclBackend, solve, SolveError, type BackendName, type SolverTask } from '../../../solver/index.js';
import { expectValidSolution } from '../../helpers/check-solution.js';

/** `rec('a 1.0 h1_2', ['b >=1'])`: build number from the build string's trailing `_N`. */
function rec(nvb: string, depends: string[] = [], extra: Partial<Record<keyof PackageRecord | 'channel', unknown>> = {}): RepoDataRecord {
  const [name, version, build = '0'] = nvb.split(' ') as [string, string, string?];
  const buildNumber = Number(/(\d+)$/.exec(build)?.[1] ?? 0);
  const channel = (extra.channel as string | undefined) ?? 'test';
  const subdir = 'linux-64';
  const fn = `${name}-${version}-${build}.tar.bz2`;
  return { name, version, build, build_number: buildNumber, depends, subdir, fn, channel, url: `https://example.invalid/${channel}/${subdir}/${fn}`, ...extra } as RepoDataRecord;
}

function repo(...records: RepoDataRecord[]): Map<string, RepoDataRecord[]> {
  const map = new Map<string, RepoDataRecord[]>();
  for (const record of records) map.set(record.name, [...(map.get(record.name) ?? []), record]);
  return map;
}

type Task = Omit<SolverTask, 'specs' | 'pinned'> & { specs: string[]; pinned?: string[] };

/** The part of a conflict message both backends share (the CDCL tree follows it). */
function summary(error: SolveError): string {
  const at = error.message.indexOf('\nThe following packages are incompatible');
  return at < 0 ? error.message : error.message.slice(0, at);
}

describe.each<BackendName>(['cdcl', 'logic-solver'])('solver scenarios (%s backend)', (backendName) => {
  async function solveNames(task: Task): Promise<string[]> {
    const full: SolverTask = { ...task, specs: task.specs.map((s) => MatchSpec.parse(s)), pinned: task.pinned?.map((s) => MatchSpec.parse(s)) };
    const { records } = await solve(full, { backend: backendByName(backendName) });
    expectValidSolution({ records, specs: task.specs, available: task.available, installed: task.installed, virtualPackages: task.virtualPackages, pinned: task.pinned, noDeps: task.noDeps });
    return records.map((r) => `${r.name}-${r.version}-${r.build}`);
  }

  async function solveError(task: Task): Promise<SolveError> {
    try {
      await solveNames(task);
    } catch (error) {
      if (isTaipanError(error)) return error as SolveError;
      throw error;
    }
    throw new Error('expected the solve to fail');
  }

  test('simple chain: dependencies come first', async () => {
    const available = repo(rec('a 1.0', ['b']), rec('b 1.0', ['c >=1']), rec('c 1.0'));
    expect(await solveNames({ specs: ['a'], available })).toEqual(['c-1.0-0', 'b-1.0-0', 'a-1.0-0']);
  });

  test('pick newest: version, then build number, then timestamp', async () => {
    const available = repo(
      rec('a 1.0'), rec('a 2.0 h_1'), rec('a 1.10'), rec('a 2.0 h_3', [], { timestamp: 1 }), rec('a 2.0 g_3', [], { timestamp: 2 }),
    );
    expect(await solveNames({ specs: ['a'], available })).toEqual(['a-2.0-g_3']);
  });

  test('records with track_features lose against plain ones whatever their version', async () => {
    const available = repo(rec('a 2.0 pypy', [], { track_features: 'pypy' }), rec('a 1.0'));
    expect(await solveNames({ specs: ['a'], available })).toEqual(['a-1.0-0']);
  });

  test('upper pins force an older dependency', async () => {
    const available = repo(rec('a 1.0', ['b <2']), rec('b 1.0'), rec('b 2.0'), rec('b 3.0'));
    expect(await solveNames({ specs: ['a'], available })).toEqual(['b-1.0-0', 'a-1.0-0']);
  });

  test('a second spec forces an older version of the first requested name', async () => {
    const available = repo(rec('a 2.0', ['b <2']), rec('a 1.0', ['b']), rec('b 1.0'), rec('b 2.0'));
    expect(await solveNames({ specs: ['a', 'b >=2'], available })).toEqual(['b-2.0-0', 'a-1.0-0']);
  });

  test('the first requested name wins the version trade-off (BFS order)', async () => {
    // a 2 needs b 1, b 2 needs a 1: either a or b can be newest, not both.
    const available = repo(rec('a 1.0'), rec('a 2.0', ['b 1.*']), rec('b 1.0'), rec('b 2.0', ['a 1.*']));
    expect(await solveNames({ specs: ['a', 'b'], available })).toEqual(['b-1.0-0', 'a-2.0-0']);
    expect(await solveNames({ specs: ['b', 'a'], available })).toEqual(['a-1.0-0', 'b-2.0-0']);
  });

  test('conflict between two requested specs is UNSATISFIABLE with both chains', async () => {
    const available = repo(rec('a 1.0', ['c >=2']), rec('b 1.0', ['c <2']), rec('c 1.0'), rec('c 2.0'), rec('x 1.0'));
    const error = await solveError({ specs: ['x', 'a', 'b'], available });
    expect(error.code).toBe('UNSATISFIABLE');
    expect(error.failure.specs).toEqual(['a', 'b']);
    expect(summary(error)).toMatchInlineSnapshot(`
"cannot install 'a' together with 'b':
  'a' → c >=2
  'b' → c <2
  no record of 'c' satisfies all of these; available versions: 2.0, 1.0"
`);
  });

  test('a dependency chain that nothing provides is named', async () => {
    const available = repo(rec('a 1.0', ['b']), rec('a 2.0', ['b >=2']), rec('b 1.0', ['c >=3']), rec('b 2.0', ['c >=3']), rec('c 1.0'), rec('c 2.0'));
    const error = await solveError({ specs: ['a'], available });
    expect(error.code).toBe('UNSATISFIABLE');
    expect(summary(error)).toMatchInlineSnapshot(`
"cannot install 'a':
  'a' → (b >=2 or b) → c >=3
  no record of 'c' matches; available versions: 2.0, 1.0"
`);
  });

  test('a conflict that needs case analysis names the blocked records', async () => {
    const available = repo(
      rec('a 1', ['b 1.*', 'c 1.*']), rec('a 2', ['b 2.*', 'c 2.*']),
      rec('x 1', ['b 1.*', 'c 2.*']), rec('b 1'), rec('b 2'), rec('c 1'), rec('c 2'),
    );
    const error = await solveError({ specs: ['a', 'x'], available });
    expect(error.code).toBe('UNSATISFIABLE');
    expect(summary(error)).toMatchInlineSnapshot(`
"cannot install 'a' together with 'x':
  'x' → b 1.*
  'x' → c 2.*
  no record of 'a' works: a 2 0 needs 'b 2.*'; a 1 0 needs 'c 1.*'"
`);
  });

  test('a pin deep in the dependency tree is named with its chain', async () => {
    const available = repo(rec('app 1', ['lib >=2']), rec('app 0.9', ['lib >=1.5']), rec('lib 1.0'), rec('lib 2.0'), rec('lib 1.5'));
    const error = await solveError({ specs: ['app'], available, pinned: ['lib <1.5'] });
    expect(error.code).toBe('UNSATISFIABLE');
    expect(error.failure.specs).toEqual(['app', 'pinned lib <1.5']);
    expect(summary(error)).toMatchInlineSnapshot(`
"cannot install 'app' together with pinned 'lib <1.5':
  pinned 'lib <1.5'
  'app' → (lib >=2 or lib >=1.5)
  no record of 'lib' satisfies all of these; available versions: 2.0, 1.5, 1.0"
`);
  });

  test('missing package is PACKAGE_NOT_FOUND with a suggestion', async () => {
    const available = repo(rec('numpy 1.0'));
    const error = await solveError({ specs: ['nmupy'], available, channels: ['defaults'] });
    expect(error.code).toBe('PACKAGE_NOT_FOUND');
    expect(error.message).toMatchInlineSnapshot(`"no package named 'nmupy' in channel 'defaults' (perhaps a typo or a missing channel); did you mean 'numpy' (test)?"`);
  });

  test('missing version lists the versions that exist', async () => {
    const available = repo(rec('numpy 1.0'), rec('numpy 1.1'));
    const error = await solveError({ specs: ['numpy 9.9'], available });
    expect(error.code).toBe('PACKAGE_NOT_FOUND');
    expect(error.message).toMatchInlineSnapshot(`"no record of 'numpy' matches 'numpy 9.9'; available versions of 'numpy': 1.1, 1.0"`);
  });

  test('constrains restrict a package only when something else installs it', async () => {
    const available = repo(rec('a 1.0', [], { constrains: ['c <2'] }), rec('c 1.0'), rec('c 2.0'));
    expect(await solveNames({ specs: ['a'], available })).toEqual(['a-1.0-0']);
    expect(await solveNames({ specs: ['a', 'c'], available })).toEqual(['a-1.0-0', 'c-1.0-0']);
    const error = await solveError({ specs: ['a', 'c >=2'], available });
    expect(error.code).toBe('UNSATISFIABLE');
    expect(error.message).toContain('c <2');
  });

  test('noDeps installs only the requested records', async () => {
    const available = repo(rec('a 1.0', ['b']), rec('b 1.0'));
    expect(await solveNames({ specs: ['a'], available, noDeps: true })).toEqual(['a-1.0-0']);
  });

  test('installed records are kept when possible, replaced when not', async () => {
    const available = repo(rec('a 1.0', ['b']), rec('a 2.0', ['b >=2']), rec('b 1.0'), rec('b 2.0'));
    const installed = [rec('b 1.0')];
    // Freezing b at 1.0 is possible (with a 1.0), so the request adapts to the prefix.
    expect(await solveNames({ specs: ['a'], available, installed })).toEqual(['b-1.0-0', 'a-1.0-0']);
    // Asking for a 2.0 explicitly forces b up.
    expect(await solveNames({ specs: ['a >=2'], available, installed })).toEqual(['b-2.0-0', 'a-2.0-0']);
  });

  test('an installed record no channel offers any more can be kept', async () => {
    const available = repo(rec('a 1.0', ['b']), rec('b 2.0'));
    const old = rec('b 1.0', [], { channel: 'gone' });
    expect(await solveNames({ specs: ['a'], available, installed: [old] })).toEqual(['b-1.0-0', 'a-1.0-0']);
  });

  test('pins are hard and do not pull packages in', async () => {
    const available = repo(rec('a 1.0', ['c']), rec('c 1.0'), rec('c 2.0'), rec('d 1.0'));
    expect(await solveNames({ specs: ['a'], available, pinned: ['c 1.*', 'd 9'] })).toEqual(['c-1.0-0', 'a-1.0-0']);
    const error = await solveError({ specs: ['c >=2'], available, pinned: ['c 1.*'] });
    expect(error.code).toBe('UNSATISFIABLE');
    expect(error.message).toContain("pinned 'c 1.*'");
  });

  test('virtual packages come only from the system and are not returned', async () => {
    const available = repo(rec('a 1.0', ['__glibc >=2.17']), rec('__glibc 9.0'));
    const virtualPackages = [{ name: '__glibc', version: '2.28', build: '0', build_number: 0, depends: [] }];
    expect(await solveNames({ specs: ['a'], available, virtualPackages })).toEqual(['a-1.0-0']);
    const error = await solveError({ specs: ['a'], available, virtualPackages: [{ ...virtualPackages[0]!, version: '2.12' }] });
    expect(error.code).toBe('UNSATISFIABLE');
    expect(error.message).toContain('__glibc >=2.17');
    const missing = await solveError({ specs: ['__cuda'], available, virtualPackages });
    expect(missing.code).toBe('PACKAGE_NOT_FOUND');
    expect(missing.message).toContain("virtual package '__cuda'");
  });

  test('strict channel priority uses the first channel that has the name', async () => {
    const available = repo(rec('a 1.0', [], { channel: 'first' }), rec('a 2.0', [], { channel: 'second' }));
    expect(await solveNames({ specs: ['a'], available })).toEqual(['a-1.0-0']);
    expect(await solveNames({ specs: ['a'], available, channelPriority: 'disabled' })).toEqual(['a-2.0-0']);
    expect(await solveNames({ specs: ['a >=2'], available, channelPriority: 'flexible' })).toEqual(['a-2.0-0']);
  });

  test('a broken dependency string makes only that record unusable', async () => {
    const available = repo(rec('a 2.0', ['b >=>=1']), rec('a 1.0', ['b']), rec('b 1.0'));
    expect(await solveNames({ specs: ['a'], available })).toEqual(['b-1.0-0', 'a-1.0-0']);
  });

  test('dependency cycles are ordered deterministically', async () => {
    const available = repo(rec('python 3.9', ['pip']), rec('pip 21', ['python']), rec('app 1', ['python']));
    const names = await solveNames({ specs: ['app'], available });
    expect(names[names.length - 1]).toBe('app-1-0');
    expect(names).toEqual(await solveNames({ specs: ['app'], available }));
  });

  test('determinism: the same task gives the same answer, whatever the record order in a channel', async () => {
    const records = [
      rec('a 1.0', ['b', 'c']), rec('a 1.1', ['b <3', 'c']), rec('b 1.0'), rec('b 2.0', ['d']), rec('b 3.0', ['d >=2']),
      rec('c 1.0', ['d <2']), rec('c 2.0'), rec('d 1.0'), rec('d 2.0'),
    ];
    const first = await solveNames({ specs: ['a'], available: repo(...records) });
    expect(first).toEqual(['c-2.0-0', 'd-2.0-0', 'b-2.0-0', 'a-1.1-0']);
    for (const seed of [1, 2, 3]) {
      const shuffled = [...records].sort((x, y) => ((x.fn.length * seed) % 7) - ((y.fn.length * seed) % 7) || (seed % 2 === 0 ? 1 : -1) * x.fn.localeCompare(y.fn));
      expect(await solveNames({ specs: ['a'], available: repo(...shuffled) })).toEqual(first);
    }
  });

  test('an aborted signal stops the solve', async () => {
    const available = repo(rec('a 1.0'));
    const controller = new AbortController();
    controller.abort();
    await expect(solve({ specs: [MatchSpec.parse('a')], available, signal: controller.signal }, { backend: backendByName(backendName) })).rejects.toThrow();
  });
});

describe('cdcl backend options', () => {
  test('a timeout stops the solve with a TimeoutError', async () => {
    const available = repo(rec('a 1.0', ['b']), rec('b 1.0'));
    const error = await new CdclBackend({ timeoutMs: -1 }).solve({ specs: [MatchSpec.parse('a')], available }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('TimeoutError');
  });

  test('backendByName offers both engines; solve() defaults to cdcl', async () => {
    expect(backendByName('cdcl')).toBeInstanceOf(CdclBackend);
    expect(backendByName('logic-solver').name).toBe('logic-solver');
    expect(() => backendByName('minisat' as BackendName)).toThrow(/unknown solver/);
  });
});

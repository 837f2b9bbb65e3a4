/**
 * Conflict trees of the CDCL backend: built from the clauses of the refutation it found,
 * so each line is something the solver really ran into. Small repos check the shapes
 * (two chains meeting, nothing provides, pins, constraints, case analysis); the real
 * defaults channel checks that a user's typical mistake (an old numpy with a newer python)
 * reads as a tree a person can act on, and that `failure.tree` carries the same structure.
 */
import { MatchSpec } from '../../../channels/model/match-spec/index.js';
import type { RepoDataRecord } from '../../../channels/model/package-record.js';
import { Channel } from '../../../channels/model/channel.js';
import { ChannelIndex } from '../../../channels/repodata/channel-index.js';
import { CdclBackend, SolveError, renderTree, type ConflictNode, type SolverTask } from '../../../solver/index.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

function rec(nvb: string, depends: string[] = [], extra: Partial<RepoDataRecord> = {}): RepoDataRecord {
  const [name, version, build = '0'] = nvb.split(' ') as [string, string, string?];
  const fn = `${name}-${version}-${build}.tar.bz2`;
  return { name, version, build, build_number: 0, depends, subdir: 'linux-64', fn, channel: 'test', url: `https://example.invalid/${fn}`, ...extra } as RepoDataRecord;
}

function repo(...records: RepoDataRecord[]): Map<string, RepoDataRecord[]> {
  const map = new Map<string, RepoDataRecord[]>();
  for (const record of records) map.set(record.name, [...(map.get(record.name) ?? []), record]);
  return map;
}

async function failure(task: Omit<SolverTask, 'specs' | 'pinned'> & { specs: string[]; pinned?: string[] }): Promise<SolveError> {
  const full: SolverTask = { ...task, specs: task.specs.map((s) => MatchSpec.parse(s)), pinned: task.pinned?.map((s) => MatchSpec.parse(s)) };
  const error = await new CdclBackend().solve(full).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SolveError);
  return error as SolveError;
}

/** The tree part of the message. */
function tree(error: SolveError): string {
  const at = error.message.indexOf('The following packages are incompatible');
  expect(at).toBeGreaterThanOrEqual(0);
  return error.message.slice(at);
}

describe('conflict trees (cdcl backend)', () => {
  test('two requests meet at one package', async () => {
    const available = repo(rec('a 1.0', ['c >=2']), rec('b 1.0', ['c <2']), rec('c 1.0'), rec('c 2.0'), rec('x 1.0'));
    const error = await failure({ specs: ['x', 'a', 'b'], available });
    expect(error.failure.specs).toEqual(['a', 'b']);
    expect(tree(error)).toMatchInlineSnapshot(`
"The following packages are incompatible
├─ a can be installed with any of the following options:
│  └─ a 1.0 would require
│     └─ c >=2, which can be installed with any of the following options:
│        └─ c 2.0, which conflicts with c 1.0 (only one version of c can be installed)
└─ b can be installed with any of the following options:
   └─ b 1.0 would require
      └─ c <2, which can be installed with any of the following options:
         └─ c 1.0, which conflicts with c 2.0 (only one version of c can be installed)"
`);
    // The message and the machine-readable tree say the same thing.
    expect(renderTree(error.failure.tree as ConflictNode).join('\n')).toBe(tree(error));
  });

  test('nothing provides a dependency, whichever version is taken', async () => {
    const available = repo(rec('a 1.0', ['b']), rec('a 2.0', ['b >=2']), rec('b 1.0', ['c >=3']), rec('b 2.0', ['c >=3']), rec('c 1.0'), rec('c 2.0'));
    const error = await failure({ specs: ['a'], available });
    expect(tree(error)).toMatchInlineSnapshot(`
"The following packages are incompatible
└─ a can be installed with any of the following options:
   ├─ a 2.0 would require
   │  └─ b >=2, which can be installed with any of the following options:
   │     └─ b 2.0, which cannot be used (it requires 'c >=3', for which no candidates were found (available versions: 2.0 | 1.0))
   └─ a 1.0 would require
      └─ b, which can be installed with any of the following options:
         └─ b 2.0 | 1.0, which cannot be used (it requires 'c >=3', for which no candidates were found (available versions: 2.0 | 1.0))"
`);
  });

  test('a pin and a constraint show what excludes the records', async () => {
    const available = repo(
      rec('app 1', ['lib >=2']), rec('app 0.9', ['lib >=1.5']), rec('lib 1.0'), rec('lib 2.0'), rec('lib 1.5'),
      rec('tool 1', [], { constrains: ['lib <1.5'] }),
    );
    const pinned = await failure({ specs: ['app'], available, pinned: ['lib <1.5'] });
    expect(pinned.failure.specs).toEqual(['app', 'pinned lib <1.5']);
    expect(tree(pinned)).toMatchInlineSnapshot(`
"The following packages are incompatible
├─ app can be installed with any of the following options:
│  ├─ app 1 would require
│  │  └─ lib >=2, which can be installed with any of the following options:
│  │     └─ lib 2.0, which pinned 'lib <1.5' excludes
│  └─ app 0.9 would require
│     └─ lib >=1.5, which can be installed with any of the following options:
│        └─ lib 2.0 | 1.5, which pinned 'lib <1.5' excludes
└─ pinned 'lib <1.5'"
`);
    const constrained = await failure({ specs: ['tool', 'app'], available });
    expect(tree(constrained)).toContain("lib 2.0 | 1.5, which the constraint 'lib <1.5' of tool 1 excludes");
    const kinds = (node: ConflictNode): string[] => [node.status ?? node.kind, ...node.children.flatMap(kinds)];
    expect(kinds(constrained.failure.tree as ConflictNode)).toContain('excluded');
  });

  test('a record with unusable metadata says why', async () => {
    const available = repo(rec('a 2.0', ['b >=>=1']), rec('a 1.0', ['b 2.*']), rec('b 1.0'));
    const error = await failure({ specs: ['a'], available });
    expect(tree(error)).toContain("a 2.0, which cannot be used (cannot parse 'b >=>=1'");
    expect(tree(error)).toContain("a 1.0, which cannot be used (it requires 'b 2.*', for which no candidates were found (available versions: 1.0))");
  });
});

describeShared('conflict trees on the defaults channel (index4)', () => {
  let available: ChannelIndex;
  beforeAll(async () => {
    available = await ChannelIndex.load([Channel.parse(sharedPath('fixtures', 'channels', 'defaults-index4'))], 'linux-64');
  });
  const task = (specs: string[]): Omit<SolverTask, 'specs' | 'pinned'> & { specs: string[] } => ({
    specs,
    available: (name: string) => available.get(name),
    virtualPackages: [{ name: '__glibc', version: '2.35', build: '0', build_number: 0, depends: [] }],
  });

  // index4 has py37 rebuilds of numpy 1.11.3 (and 1.9.3), so `numpy 1.11.*` with
  // `python 3.7.*` solves there; numpy 1.12 and 1.13 were never built for python 3.7.
  test('an old numpy with a python it was never built for', async () => {
    expect((available.get('numpy') ?? []).some((r) => r.version === '1.11.3' && r.build.startsWith('py37'))).toBe(true);
    const error = await failure(task(['numpy 1.13.*', 'python 3.7.*']));
    expect(error.code).toBe('UNSATISFIABLE');
    expect(error.failure.specs).toEqual(['numpy 1.13.*', 'python 3.7.*']);
    const text = tree(error);
    // eslint-disable-next-line no-console
    console.log(error.message);
    expect(text).toMatch(/^├─ numpy 1\.13\.\* can be installed with any of the following options:$/m);
    expect(text).toMatch(/numpy 1\.13\.3 .*would require\n.*└─ python >=3\.6,<3\.7\.0a0, which can be installed with any of the following options:/);
    expect(text).toMatch(/python 3\.6\.\d.*, which conflicts with python 3\.7\.0 \(only one version of python can be installed\)/);
    expect(text).toMatch(/└─ python 3\.7\.\* can be installed with any of the following options:\n\s+└─ python 3\.7\.0/);
    // Structure for --json: the two requests are the root's children.
    const root = error.failure.tree as ConflictNode;
    expect(root.children.map((child) => child.spec)).toEqual(['numpy 1.13.*', 'python 3.7.*']);
    const pythonRivals = JSON.stringify(root).match(/"conflictsWith":\["python 3\.7\.0 [^"]+"\]/g) ?? [];
    expect(pythonRivals.length).toBeGreaterThan(0);
  });

  test('a request that only an unrelated spec breaks names just the two of them', async () => {
    const error = await failure(task(['requests', 'scipy 1.0.*', 'python 3.7.*']));
    expect(error.failure.specs).toEqual(['scipy 1.0.*', 'python 3.7.*']);
    expect(tree(error)).not.toContain('requests');
  });

  test('a missing dependency version deep in the tree', async () => {
    const error = await failure({ ...task(['pandas 0.23.*']), pinned: ['numpy <1.9'] } as never);
    expect(error.code).toBe('UNSATISFIABLE');
    expect(tree(error)).toContain("pinned 'numpy <1.9' excludes");
  });
});

/** MatchSpec: parsing, canonical strings, matching and errors (conda semantics). */
import { readFileSync } from 'node:fs';
import { isTaipanError } from '../../../../channels/model/errors.js';
import type { PackageRecord, RepoDataRecord } from '../../../../channels/model/package-record.js';
import { BuildNumberSpec, MatchSpec } from '../../../../channels/model/match-spec/index.js';
import { describeShared, sharedAvailable, sharedPath } from '../../../helpers/shared.js';

function record(fields: Partial<RepoDataRecord> & { name: string }): PackageRecord {
  return { version: '1.0', build: 'py39_0', build_number: 0, depends: [], ...fields };
}

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isTaipanError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an error');
}

describe('MatchSpec.parse', () => {
  test.each([
    ['numpy', { name: 'numpy' }],
    ['numpy 1.7*', { name: 'numpy', version: '1.7*' }],
    ['numpy=1.7', { name: 'numpy', version: '1.7*' }],
    ['numpy==1.7', { name: 'numpy', version: '1.7' }],
    ['numpy=1.7=py39_0', { name: 'numpy', version: '1.7', build: 'py39_0' }],
    ['numpy 1.7 py39_0', { name: 'numpy', version: '1.7', build: 'py39_0' }],
    ['numpy >=1.7,<2 py39*', { name: 'numpy', version: '>=1.7,<2', build: 'py39*' }],
    ['numpy >=1.0 , < 2.0', { name: 'numpy', version: '>=1.0,<2.0' }],
    ['numpy >=   1.0', { name: 'numpy', version: '>=1.0' }],
    ['NumPy', { name: 'numpy' }],
    ['conda-forge::numpy', { name: 'numpy', channel: 'conda-forge' }],
    ['conda-forge/linux-64::numpy', { name: 'numpy', channel: 'conda-forge', subdir: 'linux-64' }],
    ['conda-forge/label/dev::numpy', { name: 'numpy', channel: 'conda-forge/label/dev' }],
    ['pkgs/main::numpy', { name: 'numpy', channel: 'defaults' }],
    ['https://conda.anaconda.org/conda-forge/linux-64::numpy', { name: 'numpy', channel: 'https://conda.anaconda.org/conda-forge', subdir: 'linux-64' }],
    ['https://user:secret@host.example/t/tk-123/chan::numpy', { name: 'numpy', channel: 'https://host.example/chan' }],
    ['conda-forge:pypi:xtensor', { name: 'xtensor', channel: 'conda-forge', namespace: 'pypi' }],
    ['numpy # a comment', { name: 'numpy' }],
    ['mkl@', { name: '*', track_features: 'mkl' }],
    ['numpy[version=">=1.20",build=py39*]', { name: 'numpy', version: '>=1.20', build: 'py39*' }],
    ["numpy[md5=abc sha256='def' license=MIT license_family=BSD]", { name: 'numpy', md5: 'abc', sha256: 'def', license: 'MIT', license_family: 'BSD' }],
    ['numpy[track_features="mkl debug", features=blas]', { name: 'numpy', track_features: 'mkl debug', features: 'blas' }],
    ['numpy[build_number=">=3"]', { name: 'numpy', build_number: '>=3' }],
    ['numpy 1.7 [version=1.8]', { name: 'numpy', version: '1.8' }],
    ['numpy[channel=conda-forge/osx-64]', { name: 'numpy', channel: 'conda-forge', subdir: 'osx-64' }],
    ['foo[build=bld](target=blarg,optional)', { name: 'foo', build: 'bld', optional: true, target: 'blarg' }],
    ['', {}],
  ])('%j', (spec, fields) => {
    expect({ ...MatchSpec.parse(spec).fields }).toEqual(fields);
  });

  test('a package URL gives channel, subdir, name, version, build, fn and url', () => {
    const url = 'https://conda.anaconda.org/conda-forge/linux-64/zlib-1.2.13-hd590300_5.conda';
    const m = MatchSpec.parse(url);
    expect({ ...m.fields }).toEqual({
      channel: 'conda-forge',
      subdir: 'linux-64',
      name: 'zlib',
      version: '1.2.13',
      build: 'hd590300_5',
      fn: 'zlib-1.2.13-hd590300_5.conda',
      url,
    });
    expect(m.toString()).toBe('conda-forge/linux-64::zlib==1.2.13=hd590300_5');
  });

  test('a local package path becomes a file:// url', () => {
    const m = MatchSpec.parse('/tmp/chan/noarch/tzdata-2024a-h0c530f3_0.tar.bz2');
    expect(m.url).toBe('file:///tmp/chan/noarch/tzdata-2024a-h0c530f3_0.tar.bz2');
    expect(m.channel).toBe('file:///tmp/chan');
    expect(m.name).toBe('tzdata');
  });

  test('values are frozen', () => {
    const m = MatchSpec.parse('numpy[track_features=mkl]');
    expect(Object.isFrozen(m)).toBe(true);
    expect(Object.isFrozen(m.trackFeatures)).toBe(true);
    expect(() => {
      (m as { name: string }).name = 'scipy';
    }).toThrow();
  });

  test('the v3 grammar is opt-in', () => {
    expect(errorOf(() => MatchSpec.parse('pkg[when=__win]')).message).toContain("unknown bracket key 'when'");
    const m = MatchSpec.parse("pkg[when='python >=3.9', extras=[b, a], flags=[gpu]]", { v3: true });
    expect(m.when).toBe('python >=3.9');
    expect(m.extras).toEqual(['b', 'a']);
    expect(m.toString()).toBe("pkg[when='python >=3.9',extras=['a', 'b'],flags=['gpu']]");
    expect(MatchSpec.parse(m.toString(), { v3: true }).equals(m)).toBe(true);
    expect(MatchSpec.parse('numpy[version<2]', { v3: true }).rawVersion).toBe('<2');
  });

  test('strict mode rejects repaired or conflicting input', () => {
    expect(MatchSpec.parse('foo 3.0.* [version=1.2.3]').rawVersion).toBe('1.2.3');
    expect(errorOf(() => MatchSpec.parse('foo 3.0.* [version=1.2.3]', { strict: true })).message).toContain(
      "more than one value for 'version'",
    );
    expect(errorOf(() => MatchSpec.parse('foo[md5=1234]', { strict: true })).message).toContain('32 hexadecimal digits');
    expect(errorOf(() => MatchSpec.parse('foo >=   1.0', { strict: true })).code).toBe('INVALID_MATCH_SPEC');
  });
});

describe('errors', () => {
  test.each([
    ['!xyz 1.3', 'no package name found'],
    ['pack@ge', "contains invalid characters ('@')"],
    ['pkg..name', "package name 'pkg..name' is not valid"],
    ['numpy[version=1.7', "a '[' that is never closed"],
    ['numpy[version=1.7]]', "a ']' without its '['"],
    ['numpy[build]', "no value for 'build'"],
    ['numpy[build=]', "an empty value for 'build'"],
    ['numpy[build=a, build=b]', "'build' given twice"],
    ['numpy[bogus=1]', "unknown bracket key 'bogus'"],
    ['numpy[build_number=x]', "build_number 'x' is invalid"],
    ['numpy 4.2.2<6.0.0', "invalid version spec '4.2.2<6.0.0'"],
    ['numpy[build="py39]', 'an unterminated quote'],
    ['~\\chan::numpy', "invalid channel '~\\chan'"],
    ['https://host/chan/linux-64/nodashes.conda', 'is not a package file name'],
  ])('%j', (spec, fragment) => {
    const error = errorOf(() => MatchSpec.parse(spec));
    expect(error.code).toBe('INVALID_MATCH_SPEC');
    expect(error.message).toContain(`'${spec}'`);
    expect(error.message).toContain(fragment);
    expect(error.message).toMatch(/expected /);
  });
});

describe('canonical string', () => {
  test.each([
    ['numpy', 'numpy'],
    ['numpy 1.7*', 'numpy=1.7'],
    ['numpy 1.7', 'numpy==1.7'],
    ['numpy >=1.7', "numpy[version='>=1.7']"],
    ['numpy=1.7=py39*', 'numpy==1.7[build=py39*]'],
    ['numpy=1.7.*=py39*', 'numpy=1.7[build=py39*]'],
    ['pytorch 1.*.*', "pytorch[version='1.*.*']"],
    ['numpy 1.7 py39_0', 'numpy==1.7=py39_0'],
    ['numpy * py39_0', 'numpy[build=py39_0]'],
    ['numpy[build_number=">=3"]', "numpy[build_number='>=3']"],
    ['numpy[build_number=">3"]', 'numpy[build_number=>3]'],
    ['numpy[track_features="mkl, debug"]', "numpy[track_features='debug mkl']"],
    ['numpy[license=MIT]', 'numpy[license=mit]'],
    ['*/linux-64::numpy>=1.0', "numpy[subdir=linux-64,version='>=1.0']"],
    ['conda-*::numpy', 'numpy[channel=conda-*]'],
    ['conda-forge/noarch::numpy', 'conda-forge/noarch::numpy'],
    ['', '*'],
  ])('%j → %j', (spec, canonical) => {
    const m = MatchSpec.parse(spec);
    expect(m.toString()).toBe(canonical);
    expect(MatchSpec.parse(canonical).toString()).toBe(canonical);
  });

  test('conda-build and env forms', () => {
    expect(MatchSpec.parse('foo=1.0=2').condaBuildForm()).toBe('foo 1.0 2');
    expect(MatchSpec.parse('foo=1.0').condaBuildForm()).toBe('foo 1.0.*');
    expect(MatchSpec.parse('foo * 2').condaBuildForm()).toBe('foo * 2');
    expect(errorOf(() => MatchSpec.parse('fo* 1').condaBuildForm()).code).toBe('INVALID_MATCH_SPEC');
    expect(MatchSpec.parse('conda-forge::numpy==1.21.0=py39_0').condaEnvForm()).toBe('numpy=1.21.0=py39_0');
  });

  test('exact values, strictness, name-only', () => {
    const m = MatchSpec.parse('zlib 1.2.7 0');
    expect([m.exactName, m.exactVersion, m.exactBuild, m.strictness]).toEqual(['zlib', '1.2.7', '0', 3]);
    expect(MatchSpec.parse('zlib').isNameOnly()).toBe(true);
    expect(MatchSpec.parse('zlib').strictness).toBe(1);
    expect(MatchSpec.parse('zlib >=1').strictness).toBe(2);
    expect(MatchSpec.parse('*').isNameOnly()).toBe(false);
    expect(MatchSpec.parse('zlib[md5=x]').isNameOnly()).toBe(false);
  });
});

describe('matches', () => {
  test('name, version, build and build number', () => {
    const m = MatchSpec.parse('numpy >=1.20,<2 py39*[build_number=">=2"]');
    expect(m.matches(record({ name: 'numpy', version: '1.26.4', build: 'py39h1', build_number: 2 }))).toBe(true);
    expect(m.matches(record({ name: 'numpy', version: '2.0.0', build: 'py39h1', build_number: 2 }))).toBe(false);
    expect(m.matches(record({ name: 'numpy', version: '1.26.4', build: 'py310h1', build_number: 2 }))).toBe(false);
    expect(m.matches(record({ name: 'numpy', version: '1.26.4', build: 'py39h1', build_number: 1 }))).toBe(false);
    expect(m.matches(record({ name: 'scipy', version: '1.26.4', build: 'py39h1', build_number: 2 }))).toBe(false);
  });

  test('glob and regex names and builds', () => {
    expect(MatchSpec.parse('py*').matches(record({ name: 'python' }))).toBe(true);
    expect(MatchSpec.parse('libblas[build="^.*(mkl|openblas)$"]').matches(record({ name: 'libblas', build: '3_openblas' }))).toBe(true);
    expect(MatchSpec.parse('libblas[build="^.*(mkl|openblas)$"]').matches(record({ name: 'libblas', build: '3_blis' }))).toBe(false);
    expect(MatchSpec.parse('a.b[build=x.y*]').matches(record({ name: 'a.b', build: 'xzy1' }))).toBe(false);
  });

  test('channel is checked only when the record has one', () => {
    const m = MatchSpec.parse('conda-forge::numpy');
    expect(m.matches(record({ name: 'numpy' }))).toBe(true);
    expect(m.matches(record({ name: 'numpy', channel: 'https://conda.anaconda.org/conda-forge/linux-64' }))).toBe(true);
    expect(m.matches(record({ name: 'numpy', channel: 'conda-forge' }))).toBe(true);
    expect(m.matches(record({ name: 'numpy', channel: 'bioconda' }))).toBe(false);
    const d = MatchSpec.parse('defaults::numpy');
    expect(d.matches(record({ name: 'numpy', channel: 'https://repo.anaconda.com/pkgs/main/linux-64' }))).toBe(true);
    expect(d.matches(record({ name: 'numpy', channel: 'conda-forge' }))).toBe(false);
    expect(MatchSpec.parse('*::numpy').matches(record({ name: 'numpy', channel: 'x' }))).toBe(true);
  });

  test('features compare as sets; digests, subdir, fn and url exactly; license case-insensitively', () => {
    const tf = MatchSpec.parse('pkg[track_features="mkl openssl"]');
    expect(tf.matches(record({ name: 'pkg', track_features: 'openssl,mkl' }))).toBe(true);
    expect(tf.matches(record({ name: 'pkg', track_features: 'mkl' }))).toBe(false);
    expect(tf.matches(record({ name: 'pkg' }))).toBe(false);
    expect(MatchSpec.parse('pkg[md5=abc]').matches(record({ name: 'pkg', md5: 'abc' }))).toBe(true);
    expect(MatchSpec.parse('pkg[md5=abc]').matches(record({ name: 'pkg' }))).toBe(false);
    expect(MatchSpec.parse('pkg[subdir=noarch]').matches(record({ name: 'pkg', subdir: 'noarch' }))).toBe(true);
    expect(MatchSpec.parse('pkg[fn=pkg-1.0-0.conda]').matches(record({ name: 'pkg', fn: 'pkg-1.0-0.conda' }))).toBe(true);
    expect(MatchSpec.parse('*[license=mit]').matches(record({ name: 'pkg', license: 'MIT' }))).toBe(true);
    expect(MatchSpec.parse('*[license_family=*gpl*]').matches(record({ name: 'pkg', license_family: 'LGPL' }))).toBe(true);
  });

  test('a record with an invalid version does not match a version constraint', () => {
    expect(MatchSpec.parse('pkg >=1').matches(record({ name: 'pkg', version: '1..2' }))).toBe(false);
    expect(MatchSpec.parse('pkg').matches(record({ name: 'pkg', version: '1..2' }))).toBe(true);
  });

  test('the empty spec matches everything', () => {
    expect(MatchSpec.parse('').matches(record({ name: 'anything' }))).toBe(true);
  });
});

describe('BuildNumberSpec', () => {
  test.each([
    ['3', 3, true],
    ['3', 4, false],
    ['>=3', 3, true],
    ['>3', 3, false],
    ['<8', 7, true],
    ['!=2', 2, false],
    ['=3', 3, true],
    ['*', 99, true],
    ['^1[0-9]$', 12, true],
  ])('%j vs %d', (spec, n, ok) => {
    expect(BuildNumberSpec.parse(spec).matches(n)).toBe(ok);
    expect(BuildNumberSpec.parse(spec).toString()).toBe(spec);
  });
});

interface RealSpec {
  id: string;
  spec_string: string;
  build: string | null;
  cases: { version: string; matches: boolean; conda_reference_disagrees?: { conda: boolean } }[];
}

function loadRealSpecs(): RealSpec[] {
  if (!sharedAvailable()) return [];
  return JSON.parse(readFileSync(sharedPath('conformance', 'real-specs.json'), 'utf8')) as RealSpec[];
}

describeShared('real repodata specs (real-specs.json)', () => {
  const specs = loadRealSpecs();
  test('every spec round-trips: parse(format(x)) == x', () => {
    const failures: string[] = [];
    for (const item of specs) {
      const m = MatchSpec.parse(item.spec_string);
      const again = MatchSpec.parse(m.toString());
      if (!again.equals(m) || again.toString() !== m.toString()) failures.push(`${item.spec_string} → ${m.toString()} → ${again.toString()}`);
    }
    expect(failures).toEqual([]);
  });

  test('conda-build form of each spec is the spec itself, normalized', () => {
    const failures: string[] = [];
    for (const item of specs) {
      const m = MatchSpec.parse(item.spec_string);
      const again = MatchSpec.parse(m.condaBuildForm());
      if (again.toString() !== m.toString()) failures.push(`${item.spec_string} → ${m.condaBuildForm()}`);
    }
    expect(failures).toEqual([]);
  });

  test('matching agrees with every version case (record build taken from the spec when literal)', () => {
    const failures: string[] = [];
    for (const item of specs) {
      const m = MatchSpec.parse(item.spec_string);
      for (const c of item.cases) {
        const build = m.exactBuild ?? (m.build === undefined ? 'x' : null);
        if (build === null) continue;
        const expected = c.conda_reference_disagrees?.conda ?? c.matches;
        const got = m.matches(record({ name: m.name, version: c.version, build }));
        if (got !== expected) failures.push(`${item.id} ${item.spec_string} vs ${c.version}: ${got}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('pip-style extras in classic specs', () => {
  test('a bare word in brackets is ignored as conda does (real environment files carry them)', () => {
    const spec = MatchSpec.parse('nbconvert[execute]!=6.0.0,!=6.0.1');
    expect(spec.name).toBe('nbconvert');
    expect(spec.version?.toString()).toBe('!=6.0.0,!=6.0.1');
  });
  test('the v3 grammar and strict mode refuse it', () => {
    expect(() => MatchSpec.parse('package[a]', { v3: true })).toThrow(/no value for 'a'/);
    expect(() => MatchSpec.parse('package[a]', { strict: true })).toThrow(/no value for 'a'/);
  });
});

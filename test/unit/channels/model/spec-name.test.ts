/** The one lenient spec-to-name reader agrees with the full MatchSpec parse wherever that parses. */
import { MatchSpec, specPackageName } from '../../../../channels/model/match-spec/index.js';

describe('specPackageName', () => {
  it.each([
    ['numpy', 'numpy'],
    ['numpy >=1.20', 'numpy'],
    ['numpy>=1.20,<2', 'numpy'],
    ['python 3.11.* *_cpython', 'python'],
    ['conda-forge::numpy=1.26', 'numpy'],
    ['conda-forge/linux-64::NumPy', 'numpy'],
    ["numpy[version='>=1']", 'numpy'],
    ['  libgcc-ng  ', 'libgcc-ng'],
    ['pip ; python_version > "3"', 'pip'],
    ['openssl|libressl', 'openssl'],
  ])('%j names %j, as MatchSpec does where it parses', (spec, name) => {
    expect(specPackageName(spec)).toBe(name);
    let parsed: string | undefined;
    try {
      parsed = MatchSpec.parse(spec).name;
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined) expect(parsed.toLowerCase()).toBe(name);
  });

  it.each(['', '   ', '>=1.0', '::'])('%j names nothing', (spec) => {
    expect(specPackageName(spec)).toBeUndefined();
  });
});

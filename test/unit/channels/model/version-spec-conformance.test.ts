/**
 * VersionSpec against ../shared/conformance: version-spec.json (every match, invalid and
 * equivalent case outside rattler's strict mode; conda-flavored canonical strings) and
 * real-specs.json (every case). Where a case carries `conda_reference_disagrees`,
 * conda's value is the expected one.
 */
import { isTaipanError } from '../../../../channels/model/errors.js';
import { Version } from '../../../../channels/model/version.js';
import { VersionSpec } from '../../../../channels/model/version-spec.js';
import { describeShared } from '../../../helpers/shared.js';
import {
  label,
  loadConformance,
  type OrderGroup,
  type RealSpec,
  type RealVersions,
  type SpecCase,
} from './version-conformance-data.js';

/**
 * `equivalent` cases that assert rattler's lenient rewriting, which conda does not do.
 * Each names a witness version on which conda's two specs differ; the test checks that
 * they really do differ there (so an entry can never hide a regression silently).
 */
const EQUIVALENCE_EXCEPTIONS: Record<string, { witness: string; reason: string }> = {
  'vs-0475': {
    witness: '2.10a',
    reason: "conda compares '>2.10*' against the version '2.10*' (a '*' atom sorts below letters), so 2.10a matches; '>=2.10' rejects it",
  },
  'vs-0478': {
    witness: '0.2.18.1',
    reason: "conda turns '0.2.18.*.' into the glob ^0\\.2\\.18\\..*\\.$, which no valid version matches; rattler drops the trailing '.'",
  },
  'vs-0489': {
    witness: '1.0',
    reason: "conda reads '==*' as equality with the version '*' (0*), not as 'any'",
  },
  'vs-0491': {
    witness: '1.0',
    reason: "conda reads '=*' as starts-with the version '*'; vs-0150 records conda: false for 1.0",
  },
  'vs-0511': {
    witness: '3.1a',
    reason: "conda compares '>=3.1*' against the version '3.1*', so 3.1a matches; '>=3.1' rejects it",
  },
  'vs-0534': {
    witness: '1.2',
    reason: "conda ignores '.*' after '>' (with a deprecation warning): '>1.2.*' is '>1.2', which rejects 1.2",
  },
};

/** What README.md lists under "What must pass" for version-spec.json. */
function isRequired(c: SpecCase): boolean {
  if (c.kind === 'canonical') return c.flavor === 'conda';
  return c.strictness !== 'strict';
}

/** conda's recorded verdict where it differs from the oracle, else the case's own. */
function condaExpectation(c: { conda_reference_disagrees?: { conda: unknown } }, own: boolean): boolean | 'error' {
  if (c.conda_reference_disagrees === undefined) return own;
  const conda = c.conda_reference_disagrees.conda;
  return typeof conda === 'boolean' ? conda : 'error';
}

/** The spec's verdict for `version`, or 'error' when parsing either fails. */
function evaluate(spec: string, version: string): boolean | 'error' {
  try {
    return VersionSpec.parse(spec).matches(Version.parse(version));
  } catch (error) {
    if (!isTaipanError(error)) throw error;
    return 'error';
  }
}

/** Version-like pieces of a spec, with neighbours that tell constraints apart. */
function derivedProbes(spec: string): string[] {
  const probes: string[] = [];
  for (const piece of spec.split(/[|,()\s]+/)) {
    const core = piece.replace(/^[=<>!~]+/, '').replace(/[.*]+$/, '');
    if (core === '' || /[^0-9a-z._+!-]/i.test(core)) continue;
    for (const suffix of ['', '.0', '.1', '.0.1', 'a', 'a1', 'dev', '.dev0', 'post', '.post1', 'rc1', '_', '+local']) {
      probes.push(core + suffix);
    }
    const parts = core.split('.');
    if (parts.length > 1) probes.push(parts.slice(0, -1).join('.'));
  }
  return probes;
}

describeShared('version-spec.json', () => {
  const cases = (loadConformance<SpecCase[]>('version-spec.json') ?? []).filter(isRequired);
  if (cases.length === 0) test('version-spec.json has cases', () => expect(cases.length).toBeGreaterThan(0));

  // Versions every equivalence is probed with: all those the conformance data mentions.
  const pool = new Set<string>();
  for (const c of cases) if (c.version !== undefined) pool.add(c.version);
  for (const g of loadConformance<OrderGroup[]>('version-order.json') ?? []) {
    if (g.kind === 'order') for (const v of g.versions.flat()) pool.add(v);
  }
  for (const v of (loadConformance<RealVersions>('real-versions.json')?.versions ?? []).flat()) pool.add(v);

  describe('match', () => {
    for (const c of cases.filter((x) => x.kind === 'match')) {
      const want = condaExpectation(c, c.matches as boolean);
      test(`${label(c.id, c.spec, c.version)} -> ${want}`, () => {
        expect(evaluate(c.spec, c.version as string)).toBe(want);
      });
    }
  });

  describe('invalid', () => {
    for (const c of cases.filter((x) => x.kind === 'invalid')) {
      const conda = c.conda_reference_disagrees?.conda;
      const acceptedAs = typeof conda === 'string' ? /^accepted \(str: '(.*)'\)$/.exec(conda)?.[1] : undefined;
      test(label(c.id, c.spec) + (acceptedAs === undefined ? ' is rejected' : ' is accepted, as conda does'), () => {
        if (acceptedAs !== undefined) {
          expect(VersionSpec.parse(c.spec).toString()).toBe(acceptedAs);
          return;
        }
        let error: unknown;
        try {
          VersionSpec.parse(c.spec);
        } catch (e) {
          error = e;
        }
        expect(isTaipanError(error) && error.code === 'INVALID_VERSION_SPEC').toBe(true);
        expect((error as Error).message).toContain(`'${c.spec}'`);
      });
    }
  });

  describe('equivalent', () => {
    for (const c of cases.filter((x) => x.kind === 'equivalent')) {
      const other = c.equivalent_to as string;
      const exception = EQUIVALENCE_EXCEPTIONS[c.id];
      if (exception !== undefined) {
        test(`${label(c.id, c.spec, other)} EXCEPTION: ${exception.reason}`, () => {
          const a = evaluate(c.spec, exception.witness);
          const b = evaluate(other, exception.witness);
          expect(a === b).toBe(false);
        });
        continue;
      }
      test(label(c.id, c.spec, other), () => {
        const probes = [...pool, ...derivedProbes(c.spec), ...derivedProbes(other)];
        const differing = probes.filter((v) => evaluate(c.spec, v) !== evaluate(other, v));
        expect(differing).toEqual([]);
      });
    }
  });

  describe('canonical (conda str)', () => {
    for (const c of cases.filter((x) => x.kind === 'canonical')) {
      test(`${label(c.id, c.spec)} -> ${JSON.stringify(c.canonical)}`, () => {
        expect(VersionSpec.parse(c.spec).toString()).toBe(c.canonical);
      });
    }
  });
});

describeShared('real-specs.json', () => {
  const items = loadConformance<RealSpec[]>('real-specs.json') ?? [];
  const constrained = items.filter((item) => item.version_spec !== null);

  test(`all ${constrained.length} real version specs parse`, () => {
    expect(constrained.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const item of constrained) {
      try {
        VersionSpec.parse(item.version_spec as string);
      } catch (error) {
        failures.push(`${label(item.id, item.spec_string)}: ${(error as Error).message}`);
      }
    }
    if (failures.length > 0) throw new Error(`${failures.length} failures, first:\n${failures.slice(0, 10).join('\n')}`);
  });

  const byKind = {
    constrained: constrained,
    unconstrained: items.filter((item) => item.version_spec === null),
  };
  for (const [kind, group] of Object.entries(byKind)) {
    const count = group.reduce((n, item) => n + item.cases.length, 0);
    test(`all ${count} match cases of ${kind} real specs`, () => {
      expect(group.length).toBeGreaterThan(0);
      const failures: string[] = [];
      for (const item of group) {
        const spec = item.version_spec ?? '*';
        for (const c of item.cases) {
          const want = condaExpectation(c, c.matches);
          const got = evaluate(spec, c.version);
          if (got !== want) failures.push(`${label(item.id, item.spec_string, c.version)}: got ${got}, expected ${want}`);
        }
      }
      if (failures.length > 0) throw new Error(`${failures.length} failures, first:\n${failures.slice(0, 10).join('\n')}`);
    });
  }
});

/**
 * Version ordering against ../shared/conformance: version-order.json (every group),
 * real-versions.json (the whole order) and version-parse.json (conda's segment lists).
 */
import { isTaipanError } from '../../../../channels/model/errors.js';
import { Version, type VersionSegments } from '../../../../channels/model/version.js';
import { describeShared } from '../../../helpers/shared.js';
import {
  label,
  loadConformance,
  type OrderGroup,
  type ParseCase,
  type RealVersions,
} from './version-conformance-data.js';

/** Versions as tie classes: each inner array holds versions that compare equal. */
function tieClasses(versions: (string | string[])[]): string[][] {
  return versions.map((v) => (Array.isArray(v) ? v : [v]));
}

/** Failures of an ascending order of tie classes, as readable lines. */
function orderFailures(classes: string[][]): string[] {
  const failures: string[] = [];
  const parsed = classes.map((cls) =>
    cls.map((text) => {
      try {
        return Version.parse(text);
      } catch (error) {
        failures.push(`${JSON.stringify(text)} did not parse: ${(error as Error).message}`);
        return null;
      }
    }),
  );
  if (failures.length > 0) return failures;
  const flat = parsed.flatMap((cls, index) => cls.map((v) => ({ v: v as Version, index })));
  // Every pair, so that the order is checked as a whole and not only between neighbours.
  for (let i = 0; i < flat.length; i++) {
    for (let j = i; j < flat.length; j++) {
      const a = flat[i]!;
      const b = flat[j]!;
      const want = a.index === b.index ? 0 : -1;
      const got = a.v.compare(b.v);
      if (got !== want || b.v.compare(a.v) !== -want) {
        failures.push(`compare(${JSON.stringify(a.v.source)}, ${JSON.stringify(b.v.source)}) = ${got}, expected ${want}`);
      }
    }
  }
  return failures;
}

/** Applies conda's recorded value where it differs from the oracle (conda is the reference). */
function condaAdjusted(group: OrderGroup): { classes: string[][]; pairs: { a: string; b: string; want: number }[]; rejected: string[] } {
  const pairs: { a: string; b: string; want: number }[] = [];
  const rejected: string[] = [];
  let classes = tieClasses(group.versions);
  for (const d of group.conda_reference_disagrees ?? []) {
    if (d.version !== undefined && group.kind === 'order') {
      // conda could not parse a version the group lists: conda's verdict (rejection) wins.
      rejected.push(d.version);
      classes = classes.map((cls) => cls.filter((v) => v !== d.version)).filter((cls) => cls.length > 0);
    } else if (d.a !== undefined && d.b !== undefined && typeof d.conda === 'number') {
      pairs.push({ a: d.a, b: d.b, want: d.conda });
    }
  }
  return { classes: pairs.length > 0 ? [] : classes, pairs, rejected };
}

describeShared('version-order.json', () => {
  const groups = loadConformance<OrderGroup[]>('version-order.json') ?? [];
  if (groups.length === 0) test('version-order.json has groups', () => expect(groups.length).toBeGreaterThan(0));

  for (const group of groups) {
    const head = tieClasses(group.versions).flat().slice(0, 3).join(' ');
    if (group.kind === 'invalid') {
      test(label(group.id, 'invalid', head), () => {
        const accepted = group.versions.flat().filter((text) => {
          try {
            Version.parse(text);
            return true;
          } catch (error) {
            expect(isTaipanError(error) && error.code === 'INVALID_VERSION').toBe(true);
            return false;
          }
        });
        const condaAccepts = (group.conda_reference_disagrees ?? []).map((d) => d.version);
        expect(accepted.filter((v) => !condaAccepts.includes(v))).toEqual([]);
      });
      continue;
    }
    test(label(group.id, 'order', head), () => {
      const { classes, pairs, rejected } = condaAdjusted(group);
      expect(orderFailures(classes)).toEqual([]);
      for (const { a, b, want } of pairs) expect(Version.parse(a).compare(Version.parse(b))).toBe(want);
      for (const text of rejected) expect(Version.tryParse(text)).toBeNull();
    });
  }
});

describeShared('real-versions.json', () => {
  const data = loadConformance<RealVersions>('real-versions.json');
  const classes = data === undefined ? [] : tieClasses(data.versions);

  test(`all ${classes.flat().length} real versions parse and sort in conda's order`, () => {
    expect(classes.length).toBeGreaterThan(0);
    const failures = orderFailures(classes);
    if (failures.length > 0) throw new Error(`${failures.length} failures, first:\n${failures.slice(0, 10).join('\n')}`);
  });

  test('sorting a shuffled copy reproduces the order', () => {
    const flat = classes.flatMap((cls, index) => cls.map((text) => ({ v: Version.parse(text), index })));
    // A fixed permutation (reverse then interleave) keeps the test deterministic.
    const shuffled = [...flat].reverse().sort((x, y) => (x.index * 7919) % 101 - (y.index * 7919) % 101);
    shuffled.sort((x, y) => x.v.compare(y.v));
    const indexes = shuffled.map((x) => x.index);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
  });
});

/** Our segments in the notation of version-parse.json ('DEV', '+inf', plain numbers). */
function asJsonSegments(segments: VersionSegments): (number | string)[][] {
  return segments.map((seg) =>
    seg.map((atom) =>
      atom === Number.POSITIVE_INFINITY ? '+inf' : typeof atom === 'bigint' ? Number(atom) : atom,
    ),
  );
}

describeShared('version-parse.json (conda VersionOrder segments)', () => {
  const cases = loadConformance<ParseCase[]>('version-parse.json') ?? [];

  test(`all ${cases.length} versions split into conda's segments`, () => {
    expect(cases.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const c of cases) {
      const v = Version.tryParse(c.version);
      if (v === null) {
        failures.push(`${label(c.id, c.version)}: did not parse`);
        continue;
      }
      const got = { segments: asJsonSegments(v.segments), local: asJsonSegments(v.local), str: v.toString() };
      const want = { segments: c.segments, local: c.local ?? got.local, str: c.str ?? got.str };
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        failures.push(`${label(c.id, c.version)}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      }
    }
    if (failures.length > 0) throw new Error(`${failures.length} failures, first:\n${failures.slice(0, 10).join('\n')}`);
  });
});

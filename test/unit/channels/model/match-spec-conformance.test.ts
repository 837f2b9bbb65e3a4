/**
 * MatchSpec against /work/shared/conformance/match-spec.json (loaded at run time from
 * ../shared; see its README, "What must pass"). One test per case. Cases outside the
 * required scope are listed as skipped with the reason; cases that contradict conda are
 * in EXCEPTIONS, each with its reason, and assert that the difference still holds.
 */
import { readFileSync } from 'node:fs';
import { isTaipanError } from '../../../../channels/model/errors.js';
import type { PackageRecord } from '../../../../channels/model/package-record.js';
import { MatchSpec, type MatchSpecParseOptions } from '../../../../channels/model/match-spec/index.js';
import { describeShared, sharedAvailable, sharedPath } from '../../../helpers/shared.js';

interface Case {
  id: string;
  kind: 'parse' | 'match' | 'invalid';
  input: string;
  flavor: 'conda' | 'libmamba' | 'rattler';
  expected?: Record<string, unknown>;
  canonical?: string;
  complete?: boolean;
  record?: Record<string, unknown>;
  matches?: boolean;
  strictness?: 'strict' | 'lenient';
  parser?: string;
  api?: string;
  options?: string | string[];
  note?: string;
}

/** Cases that contradict conda's behaviour, with the reason. Each must still fail its expectation. */
const EXCEPTIONS: Record<string, string> = {
  'ms-0400':
    "libmamba reports a package URL's channel as the whole URL; conda's channel is the channel's canonical name ('conda-forge', ms-0191/ms-0193)",
  'ms-0402':
    "libmamba reports a package path's channel as the whole path; conda's channel is the channel's canonical name (a file:// URL)",
  'ms-0408': "libmamba derives the channel from a [url=...] key; conda keeps url as its own field and sets no channel",
  'ms-0422': "conda maps the defaults member 'pkgs/main' to the channel 'defaults' (conda case ms-0116)",
  'ms-0423': "conda maps the defaults member 'pkgs/main' to the channel 'defaults' (conda case ms-0116)",
  'ms-0429':
    "a package URL without a platform folder is only a url constraint in conda (name '*', conda case ms-0101); libmamba's parse_url reads the file name",
  'ms-0430':
    "a package path without a platform folder is only a url constraint in conda (name '*', conda case ms-0123); libmamba's parse_url reads the file name",
  'ms-0388': "conda accepts 'V0.9.24' as a version (versions are case-insensitive; libmamba itself accepts 'v0.9.24' in ms-0387)",
};

/** Why a case is outside what must pass, or true when it is in scope. */
function scope(c: Case): true | string {
  if (c.flavor === 'conda') return true;
  if (c.options !== undefined) return `uses the '${String(c.options)}' extension, not conda's grammar`;
  if (c.parser !== undefined) return `uses the '${c.parser}' parser`;
  if (c.kind !== 'parse' && c.strictness === 'strict') return "rattler's strict parse mode is rattler policy, not conda's";
  if (c.api === 'nameless') return "rattler's NamelessMatchSpec API (a spec without a name, which conda rejects)";
  return true;
}

function optionsOf(c: Case): MatchSpecParseOptions {
  return { strict: c.strictness === 'strict', v3: c.parser === 'v3' };
}

const MATCH_SPEC_FIELDS = new Set([
  'name',
  'version',
  'build',
  'build_number',
  'channel',
  'subdir',
  'namespace',
  'md5',
  'sha256',
  'url',
  'fn',
  'license',
  'license_family',
  'track_features',
  'when',
  'extras',
  'flags',
  'optional',
  'exact_name',
  'exact_version',
  'exact_build',
  'strictness',
  'conda_build_form',
  'conda_env_form',
  'has_version',
  'when_parses_like',
]);
/** The fields asserted for parse cases of libmamba and rattler. */
const OTHER_FLAVOR_FIELDS = new Set(['name', 'build', 'build_number', 'subdir', 'md5', 'sha256', 'fn', 'url', 'channel']);

const orUndefined = (v: unknown): unknown => (v === null ? undefined : v);
const normBuildNumber = (v: unknown): unknown => (typeof v === 'string' ? v.replace(/^==/, '') : v);

function actualField(m: MatchSpec, key: string, c: Case, expected: unknown): unknown {
  switch (key) {
    case 'name':
      return m.name;
    case 'version':
      return m.rawVersion;
    case 'build':
      return m.build;
    case 'build_number':
      return m.buildNumber?.toString();
    case 'channel':
      if (c.flavor === 'rattler') return m.channelName;
      if (c.flavor === 'libmamba' && typeof expected === 'string') {
        // libmamba writes a platform filter as `channel[platform]`.
        const p = /^(.*)\[([^\]]+)\]$/.exec(expected);
        if (p !== null && m.subdir === p[2]) return `${m.channel}[${m.subdir}]`;
      }
      return m.channel;
    case 'subdir':
      return m.subdir;
    case 'namespace':
      return m.namespace;
    case 'md5':
      return m.md5;
    case 'sha256':
      return m.sha256;
    case 'url':
      return m.url;
    case 'fn':
      return m.fn;
    case 'license':
      return m.fields.license;
    case 'license_family':
      return m.fields.license_family;
    case 'track_features':
      return m.trackFeatures;
    case 'when':
      return m.when;
    case 'extras':
      return m.extras;
    case 'flags':
      return m.flags;
    case 'optional':
      return m.optional;
    case 'exact_name':
      return m.exactName;
    case 'exact_version':
      return m.exactVersion;
    case 'exact_build':
      return m.exactBuild;
    case 'strictness':
      return m.strictness;
    case 'conda_build_form':
      return m.condaBuildForm();
    case 'conda_env_form':
      return m.condaEnvForm();
    case 'has_version':
      return m.version !== undefined;
    default:
      throw new Error(`no accessor for '${key}'`);
  }
}

function expectedField(key: string, value: unknown, c: Case): unknown {
  if (key === 'channel' && c.flavor === 'rattler' && typeof value === 'object' && value !== null) {
    return (value as { name?: string }).name;
  }
  if (key === 'build_number') return normBuildNumber(value);
  if (key === 'track_features' && Array.isArray(value)) return [...value].sort();
  return orUndefined(value);
}

function check(c: Case): void {
  const options = optionsOf(c);
  if (c.kind === 'invalid') {
    let error: unknown;
    try {
      MatchSpec.parse(c.input, options);
    } catch (e) {
      error = e;
    }
    expect(isTaipanError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('INVALID_MATCH_SPEC');
    expect((error as Error).message).toContain(`'${c.input}'`);
    return;
  }
  const m = MatchSpec.parse(c.input, options);
  if (c.kind === 'match') {
    expect(m.matches(c.record as unknown as PackageRecord)).toBe(c.matches);
    return;
  }
  const wanted = c.flavor === 'conda' ? MATCH_SPEC_FIELDS : OTHER_FLAVOR_FIELDS;
  const expected = c.expected ?? {};
  const actual: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(expected)) {
    if (!wanted.has(key)) continue;
    if (key === 'when_parses_like') {
      expect(m.when).toBeDefined();
      const inner = MatchSpec.parse(m.when as string, options);
      expect(inner.toString()).toBe(MatchSpec.parse(value as string, options).toString());
      continue;
    }
    if (key === 'channel' && c.flavor === 'rattler' && (value as { name?: string } | null)?.name === undefined) continue;
    actual[key] = orUndefined(actualField(m, key, c, value));
    want[key] = expectedField(key, value, c);
  }
  if (c.flavor === 'conda' && c.canonical !== undefined) {
    actual.canonical = m.toString();
    want.canonical = c.canonical;
  }
  if (c.complete === true) {
    actual.complete = Object.keys(m.fields)
      .filter((k) => m.fields[k as keyof typeof m.fields] !== undefined)
      .sort();
    want.complete = Object.keys(expected).sort();
  }
  expect(actual).toEqual(want);
}

function loadCases(): Case[] {
  if (!sharedAvailable()) return [];
  return JSON.parse(readFileSync(sharedPath('conformance', 'match-spec.json'), 'utf8')) as Case[];
}

describeShared('MatchSpec conformance (match-spec.json)', () => {
  for (const c of loadCases()) {
    const title = `${c.id} [${c.flavor} ${c.kind}] ${JSON.stringify(c.input)}`;
    const inScope = scope(c);
    if (inScope !== true) {
      test.skip(`${title} (out of scope: ${inScope})`, () => undefined);
      continue;
    }
    const exception = EXCEPTIONS[c.id];
    if (exception !== undefined) {
      test(`${title} (exception: ${exception})`, () => {
        expect(() => check(c)).toThrow();
      });
      continue;
    }
    test(title, () => check(c));
  }
});

/**
 * Compiles a MatchSpec into one record predicate. Every pattern is compiled once here;
 * the predicate checks the cheap fields (name, build number, build, digests) before the
 * version, whose test needs a parsed record version (cached across calls by text).
 */
import type { PackageRecord } from '../package-record.js';
import { Version } from '../version.js';
import type { VersionSpec } from '../version-spec.js';
import type { BuildNumberSpec } from './build-number.js';
import { channelIdentity } from './channel-part.js';
import { compileStringMatcher } from './glob.js';

/** What the matcher reads from a spec (a MatchSpec satisfies it). */
export interface MatchableSpec {
  readonly name: string;
  readonly version: VersionSpec | undefined;
  readonly build: string | undefined;
  readonly buildNumber: BuildNumberSpec | undefined;
  readonly channel: string | undefined;
  readonly subdir: string | undefined;
  readonly md5: string | undefined;
  readonly sha256: string | undefined;
  readonly license: string | undefined;
  readonly licenseFamily: string | undefined;
  readonly url: string | undefined;
  readonly fn: string | undefined;
  readonly trackFeatures: readonly string[] | undefined;
  readonly features: readonly string[] | undefined;
}

export type RecordPredicate = (record: PackageRecord) => boolean;

type Check = (record: PackageRecord) => boolean;

/**
 * Builds the predicate of `spec` (conda `MatchSpec.match`). Semantics per field:
 * name (glob, pattern lower-cased), version (VersionSpec), build (glob or `^regex$`),
 * build_number, md5 / sha256 / subdir / url / fn (exact), track_features / features
 * (same set), license / license_family (case-insensitive glob), channel (by name or
 * canonical name; only when the record has a channel). A field the record lacks does
 * not match. `when`, `extras` and `flags` are not record properties and are not tested.
 * @param original the spec text, quoted in errors from pattern compilation.
 */
export function compileMatcher(spec: MatchableSpec, original: string): RecordPredicate {
  const checks: Check[] = [];

  if (spec.name !== '*') {
    const name = compileStringMatcher(spec.name, original, { lowerPattern: true });
    const exact = name.exact;
    checks.push(exact !== null ? (r) => r.name === exact : (r) => name.test(r.name));
  }
  const buildNumber = spec.buildNumber;
  if (buildNumber !== undefined && !buildNumber.isAny()) {
    checks.push((r) => buildNumber.matches(typeof r.build_number === 'number' ? r.build_number : 0));
  }
  if (spec.build !== undefined) {
    const build = compileStringMatcher(spec.build, original);
    if (!build.matchesAll) checks.push((r) => build.test(typeof r.build === 'string' ? r.build : ''));
  }
  pushExact(checks, 'md5', spec.md5);
  pushExact(checks, 'sha256', spec.sha256);
  pushExact(checks, 'subdir', spec.subdir);
  pushExact(checks, 'fn', spec.fn);
  pushExact(checks, 'url', spec.url);
  pushFeatures(checks, 'track_features', spec.trackFeatures);
  pushFeatures(checks, 'features', spec.features);
  pushLicense(checks, 'license', spec.license, original);
  pushLicense(checks, 'license_family', spec.licenseFamily, original);
  if (spec.channel !== undefined && spec.channel !== '*') checks.push(channelCheck(spec.channel, original));

  const version = spec.version;
  if (version !== undefined && !version.isAny()) {
    checks.push((r) => {
      const v = recordVersion(r.version);
      return v !== null && version.matches(v);
    });
  }

  switch (checks.length) {
    case 0:
      return () => true;
    case 1:
      return checks[0] as Check;
    case 2: {
      const [a, b] = checks as [Check, Check];
      return (r) => a(r) && b(r);
    }
    default:
      return (r) => {
        for (const check of checks) if (!check(r)) return false;
        return true;
      };
  }
}

function pushExact(checks: Check[], field: string, expected: string | undefined): void {
  if (expected === undefined) return;
  checks.push((r) => r[field] === expected);
}

function pushLicense(checks: Check[], field: string, pattern: string | undefined, original: string): void {
  if (pattern === undefined) return;
  const m = compileStringMatcher(pattern, original, { lower: true });
  checks.push((r) => {
    const value = r[field];
    return typeof value === 'string' && m.test(value);
  });
}

/** conda's FeatureMatch: the record's features, as a set, equal the spec's. */
function pushFeatures(checks: Check[], field: string, expected: readonly string[] | undefined): void {
  if (expected === undefined) return;
  const want = new Set(expected);
  checks.push((r) => {
    const have = featureSet(r[field]);
    if (have.size !== want.size) return false;
    for (const f of have) if (!want.has(f)) return false;
    return true;
  });
}

/** A features value of a record or spec (`"a b"`, `"a,b"` or a list) as a set. */
export function featureSet(value: unknown): Set<string> {
  if (typeof value === 'string') return new Set(splitFeatures(value));
  if (Array.isArray(value)) {
    return new Set(value.filter((f): f is string => typeof f === 'string').map((f) => f.trim()).filter((f) => f !== ''));
  }
  return new Set();
}

/** Splits a features text at commas and whitespace, dropping empty parts. */
export function splitFeatures(text: string): string[] {
  return text.split(/[\s,]+/).filter((f) => f !== '');
}

/**
 * conda's ChannelMatch: a glob is tested on the record channel's canonical name; a
 * channel matches when its name is the record channel's name or canonical name
 * (`defaults` matches a `pkgs/main` record, `conda-forge` its URL under the alias).
 */
function channelCheck(channel: string, original: string): Check {
  if (channel.includes('*') || (channel.startsWith('^') && channel.endsWith('$'))) {
    const m = compileStringMatcher(channel, original);
    return (r) => {
      const rc = r.channel;
      return typeof rc !== 'string' || rc === '' || m.test(channelIdentity(rc).canonical);
    };
  }
  const name = channelIdentity(channel).name;
  return (r) => {
    const rc = r.channel;
    if (typeof rc !== 'string' || rc === '') return true;
    const id = channelIdentity(rc);
    return id.name === name || id.canonical === name;
  };
}

/** The parsed record version (null when invalid or not a string). */
function recordVersion(text: unknown): Version | null {
  return typeof text === 'string' ? Version.cached(text) : null;
}

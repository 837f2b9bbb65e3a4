/**
 * conda's string forms of a MatchSpec: the canonical `str(MatchSpec)`,
 * `conda_build_form()` and `conda_env_form()`.
 *
 * Canonical form: `(channel(/subdir)::)name(version(build))[key=value,...]`. A version
 * goes outside the brackets when it is exact (`==1.2`) or a starts-with (`=1.2` for
 * `1.2.*`); a build goes outside only after an exact version and when it is a literal.
 * Bracket values are single-quoted when they hold a comma, space or `=`.
 *
 * One deliberate difference from conda: a pattern version such as `1.*.*` is written in
 * the brackets (`[version='1.*.*']`) rather than as `=1.*`, so that the string reads back
 * as the same spec.
 */
import { isPattern } from './glob.js';

/** What the formatter reads from a spec (a MatchSpec satisfies it). */
export interface FormattableSpec {
  readonly name: string;
  readonly channel: string | undefined;
  readonly subdir: string | undefined;
  /** conda `str(VersionSpec)`; undefined when no version is constrained. */
  readonly versionText: string | undefined;
  readonly build: string | undefined;
  readonly buildNumber: { toString(): string } | undefined;
  readonly trackFeatures: readonly string[] | undefined;
  readonly features: readonly string[] | undefined;
  readonly url: string | undefined;
  readonly md5: string | undefined;
  readonly sha256: string | undefined;
  readonly license: string | undefined;
  readonly licenseFamily: string | undefined;
  readonly fn: string | undefined;
  readonly when: string | undefined;
  readonly extras: readonly string[] | undefined;
  readonly flags: readonly string[] | undefined;
}

const RANGE_CHARS = /[><$^|,]/;

/** conda's canonical `str(MatchSpec)`. */
export function formatMatchSpec(spec: FormattableSpec): string {
  let out = '';
  const brackets: string[] = [];

  const channelExact = spec.channel !== undefined && !isPattern(spec.channel);
  if (spec.channel !== undefined) {
    if (channelExact) out += spec.channel;
    else if (spec.channel !== '*') brackets.push(`channel=${spec.channel}`);
  }
  if (spec.subdir !== undefined) {
    if (channelExact) out += `/${spec.subdir}`;
    else brackets.push(`subdir=${spec.subdir}`);
  }
  out += out === '' ? spec.name : `::${spec.name}`;

  let versionExact = false;
  const version = spec.versionText;
  // A version that matches everything says nothing: conda leaves `[version=*]` out.
  if (version !== undefined && version !== '*' && version !== '') {
    if (RANGE_CHARS.test(version)) {
      brackets.push(`version='${version}'`);
    } else if (version.startsWith('!=') || version.startsWith('~=')) {
      if (spec.build !== undefined) brackets.push(`version='${version}'`);
      else out += version;
    } else if (version.endsWith('*')) {
      const prefix = version.slice(0, version.endsWith('.*') ? -2 : -1);
      // conda writes `1.*.*` as `=1.*`, which reads back as a different spec (a starts-with
      // instead of a pattern); such versions go into the brackets instead.
      if (prefix.includes('*')) brackets.push(`version='${version}'`);
      else out += `=${prefix}`;
    } else if (version.startsWith('==')) {
      out += version;
      versionExact = true;
    } else {
      out += `==${version}`;
      versionExact = true;
    }
  }

  const build = spec.build;
  if (build !== undefined) {
    if (RANGE_CHARS.test(build)) brackets.push(`build='${build}'`);
    else if (build.includes('*')) brackets.push(`build=${build}`);
    else if (versionExact) out += `=${build}`;
    else brackets.push(`build=${build}`);
  }

  // The remaining fields, in conda's FIELD_NAMES order.
  pushValue(brackets, 'build_number', spec.buildNumber?.toString());
  pushValue(brackets, 'track_features', spec.trackFeatures?.join(' '));
  pushValue(brackets, 'features', spec.features?.join(' '));
  // The url repeats what the channel says, and fn repeats the url.
  if (spec.channel === undefined) pushValue(brackets, 'url', spec.url);
  pushValue(brackets, 'md5', spec.md5);
  pushValue(brackets, 'sha256', spec.sha256);
  pushValue(brackets, 'license', spec.license);
  pushValue(brackets, 'license_family', spec.licenseFamily);
  if (spec.url === undefined) pushValue(brackets, 'fn', spec.fn);
  pushValue(brackets, 'when', spec.when);
  if (spec.extras !== undefined) brackets.push(`extras=${formatList(spec.extras)}`);
  if (spec.flags !== undefined) brackets.push(`flags=${formatList(spec.flags)}`);

  if (brackets.length > 0) out += `[${brackets.join(',')}]`;
  return out;
}

/**
 * conda's `conda_build_form()`: `name version build` with raw values, as conda-build
 * writes requirements. Needs an exact name; a build without a version gets `*`.
 */
export function formatCondaBuildForm(spec: FormattableSpec): string {
  const parts = [spec.name];
  const version = spec.versionText;
  if (spec.build !== undefined) parts.push(version ?? '*', spec.build);
  else if (version !== undefined) parts.push(version);
  return parts.join(' ');
}

/**
 * conda's `conda_env_form()` (the `conda env export` form): the canonical string without
 * its channel prefix and with the first `==` written as `=`.
 */
export function formatCondaEnvForm(canonical: string): string {
  const at = canonical.indexOf('::');
  const text = at >= 0 ? canonical.slice(at + 2) : canonical;
  return text.replace('==', '=');
}

function pushValue(brackets: string[], key: string, value: string | undefined): void {
  if (value === undefined) return;
  brackets.push(/[, =]/.test(value) ? `${key}=${quote(value)}` : `${key}=${value}`);
}

/** Single quotes as conda writes them; double quotes when the value holds a single quote. */
function quote(value: string): string {
  return value.includes("'") && !value.includes('"') ? `"${value}"` : `'${value}'`;
}

/** `['a', 'b']`, sorted, as conda's v3 grammar prints extras and flags. */
function formatList(items: readonly string[]): string {
  return `[${[...items].sort().map((i) => `'${i}'`).join(', ')}]`;
}

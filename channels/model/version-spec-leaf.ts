/**
 * One constraint of a version spec (a leaf of the `|`/`,` tree), parsed by conda's
 * `VersionSpec.get_matcher` rules, in conda's order:
 * 1. `^...$`: a regular expression on the version text;
 * 2. an operator `==`, `!=`, `<`, `<=`, `>`, `>=`, `=` (starts-with), `~=` (compatible
 *    release), glued to a version; a trailing `.*` means starts-with for `=`/`>=`
 *    (as if absent), not-starts-with for `!=`, is rejected for `~=` and ignored otherwise;
 * 3. `*`: anything;
 * 4. a `*` that is not only at the end (`1.*.3`): a glob on the version text;
 * 5. trailing `*` (`1.2.*`, `1.2*`): starts-with, written `1.2.*`;
 * 6. a version containing `@`: exact text equality; any other version: `==`.
 */
import { TaipanError } from './errors.js';
import { Version } from './version.js';

/** A compiled constraint or group. */
export interface SpecNode {
  /** conda's `str()` of this part. */
  readonly text: string;
  /** The exact version text when the constraint pins one version, else null. */
  readonly exact: string | null;
  /** True when it matches every version. */
  readonly any: boolean;
  readonly test: (version: Version) => boolean;
}

/** Thrown for a malformed constraint; the caller adds the whole spec text. */
export class SpecLeafError extends Error {}

export const ANY_NODE: SpecNode = Object.freeze({ text: '*', exact: null, any: true, test: () => true });

const HAS_SPACE = /\s/;

/** Parses one constraint string (already a leaf of the tree). */
export function parseLeaf(raw: string): SpecNode {
  const text = raw.trim();
  if (text === '') throw new SpecLeafError("expected a version constraint such as '>=1.2' or '1.2.*', found nothing");
  const first = text.charCodeAt(0);
  if (first === 94 /* ^ */ || text.endsWith('$')) return regexLeaf(text);
  if (first === 61 || first === 60 || first === 62 || first === 33 || first === 126 /* = < > ! ~ */) {
    return operatorLeaf(text);
  }
  if (text === '*') return ANY_NODE;
  const lastNonStar = rstripLength(text, '*');
  if (lastNonStar > 0 && text.lastIndexOf('*', lastNonStar - 1) >= 0) return globLeaf(text);
  if (lastNonStar < text.length) return startsWithLeaf(text);
  if (!text.includes('@')) {
    const version = leafVersion(text, text);
    return { text, exact: text, any: false, test: (v) => v.compare(version) === 0 };
  }
  return { text, exact: text, any: false, test: (v) => v.source === text };
}

function regexLeaf(text: string): SpecNode {
  if (!text.startsWith('^') || !text.endsWith('$')) {
    throw new SpecLeafError(`'${text}' looks like a regex; expected it to start with '^' and end with '$'`);
  }
  let re: RegExp;
  try {
    re = new RegExp(text);
  } catch {
    throw new SpecLeafError(`'${text}' is not a valid regular expression`);
  }
  return { text, exact: null, any: false, test: (v) => re.test(v.source) };
}

function globLeaf(text: string): SpecNode {
  // conda escapes only '.' and '+'; other characters keep their regex meaning.
  const body = text.replaceAll('.', '\\.').replaceAll('+', '\\+').replaceAll('*', '.*');
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${body})$`);
  } catch {
    throw new SpecLeafError(`'${text}' is not a valid version pattern`);
  }
  return { text, exact: null, any: false, test: (v) => re.test(v.source) };
}

function startsWithLeaf(given: string): SpecNode {
  const text = given.endsWith('.*') ? given : `${given.slice(0, -1)}.*`;
  const stripped = text.slice(0, rstripLength(text, '*'));
  const prefix = leafVersion(stripped.slice(0, rstripLength(stripped, '.')), given);
  return { text, exact: null, any: false, test: (v) => v.startsWith(prefix) };
}

type Operator = '==' | '!=' | '<=' | '>=' | '<' | '>' | '=' | '~=';

function operatorLength(text: string): number {
  const c0 = text[0];
  const c1 = text[1];
  if (c1 === '=' && (c0 === '=' || c0 === '!' || c0 === '<' || c0 === '>' || c0 === '~')) return 2;
  if (c0 === '=' || c0 === '<' || c0 === '>') return 1;
  return 0;
}

function operatorLeaf(text: string): SpecNode {
  const opLen = operatorLength(text);
  const next = text[opLen];
  let rest = text.slice(opLen);
  if (opLen === 0 || rest === '' || next === '=' || next === '<' || next === '>' || next === '!' || next === '~' || HAS_SPACE.test(rest)) {
    throw new SpecLeafError(
      `'${text}' has an invalid operator; expected one of ==, !=, <, <=, >, >=, =, ~= directly followed by a version`,
    );
  }
  let op = text.slice(0, opLen) as Operator;
  let notStartsWith = false;
  if (rest.endsWith('.*')) {
    if (op === '~=') throw new SpecLeafError(`'${text}': the operator '~=' cannot be combined with '.*'`);
    rest = rest.slice(0, -2);
    // '=1.2.*' and '>=1.2.*' mean what they say without '.*'; '!=1.2.*' is "not 1.2.*";
    // conda ignores the '.*' (with a deprecation warning) after the other operators.
    if (op === '!=') notStartsWith = true;
  }
  const version = leafVersion(rest, text);
  const exact = op === '==' ? rest : null;
  let test: (v: Version) => boolean;
  if (notStartsWith) {
    test = (v) => !v.startsWith(version);
  } else {
    switch (op) {
      case '==':
        test = (v) => v.compare(version) === 0;
        break;
      case '!=':
        test = (v) => v.compare(version) !== 0;
        break;
      case '<':
        test = (v) => v.compare(version) < 0;
        break;
      case '<=':
        test = (v) => v.compare(version) <= 0;
        break;
      case '>':
        test = (v) => v.compare(version) > 0;
        break;
      case '>=':
        test = (v) => v.compare(version) >= 0;
        break;
      case '=':
        test = (v) => v.startsWith(version);
        break;
      case '~=':
        test = compatibleRelease(version, text);
        break;
    }
  }
  return { text, exact, any: false, test };
}

/**
 * `~=X.Y.Z` means `>=X.Y.Z` and starts with `X.Y` (the normalized text up to its last '.').
 * Like conda, a one-component `~=1` is only found wrong when a version reaches the
 * starts-with test: versions below it simply do not match, the others raise.
 */
function compatibleRelease(version: Version, text: string): (v: Version) => boolean {
  const normalized = version.toString();
  const dot = normalized.lastIndexOf('.');
  const prefix = dot < 0 ? null : Version.tryParse(normalized.slice(0, dot));
  if (prefix !== null) return (v) => v.compare(version) >= 0 && v.startsWith(prefix);
  return (v) => {
    if (v.compare(version) < 0) return false;
    throw new TaipanError(
      'INVALID_VERSION_SPEC',
      `invalid version spec '${text}': '~=' needs a version of at least two components, such as '~=1.2'`,
    );
  };
}

function leafVersion(versionText: string, leafText: string): Version {
  try {
    return Version.parse(versionText);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^invalid version /, '') : String(error);
    throw new SpecLeafError(`'${leafText}' has an invalid version ${reason}`);
  }
}

/** Length of `s` without trailing `ch` characters (Python's `rstrip(ch)`). */
function rstripLength(s: string, ch: string): number {
  let end = s.length;
  while (end > 0 && s[end - 1] === ch) end--;
  return end;
}

/**
 * Parsing of MatchSpec strings with the rules of conda's `_parse_spec_str`:
 *
 *   (channel(/subdir):(namespace):)name(version(build))[key1=value1,key2=value2]
 *
 * plus package URLs / paths (`https://host/chan/linux-64/pkg-1.0-0.conda`), `#` comments,
 * the legacy `feature@` form, conda's `=1.2` → `1.2*` rule, and `(...)` option groups.
 * The result is raw text per field; {@link MatchSpec} compiles it.
 */
import { TaipanError, isTaipanError } from '../errors.js';
import { isPlatform } from '../platform.js';
import { parseBracketContent, parseListValue, splitBracketSection } from './brackets.js';
import { canonicalChannelOfUrl, isUrl, parseChannelPart, pathToFileUrl } from './channel-part.js';

/** Options of {@link MatchSpec.parse}. */
export interface MatchSpecParseOptions {
  /**
   * Reject what the lenient parser repairs or ignores: a field given both outside and
   * inside the brackets, and `md5` / `sha256` values that are not hex digests of the
   * right length. Default false.
   */
  readonly strict?: boolean;
  /**
   * conda's newer (v3) grammar: the `when`, `extras` and `flags` bracket keys and the
   * `[version<2]` shorthand. Default false: those are errors, as in conda's classic parser.
   */
  readonly v3?: boolean;
}

/** The fields of a spec as text, before compilation. Absent means unconstrained. */
export interface MatchSpecFields {
  /** Lower-cased name, a glob, or `*`. */
  readonly name?: string;
  /** Version spec text as conda's parser leaves it (`numpy=1.7` gives `1.7*`). */
  readonly version?: string;
  readonly build?: string;
  readonly build_number?: string;
  readonly channel?: string;
  readonly subdir?: string;
  readonly namespace?: string;
  readonly md5?: string;
  readonly sha256?: string;
  readonly license?: string;
  readonly license_family?: string;
  readonly url?: string;
  readonly fn?: string;
  readonly track_features?: string;
  readonly features?: string;
  readonly when?: string;
  readonly extras?: readonly string[];
  readonly flags?: readonly string[];
  readonly optional?: boolean;
  readonly target?: string;
}

type MutableFields = { -readonly [K in keyof MatchSpecFields]: MatchSpecFields[K] };

/** Bracket keys that are record fields, in conda's `FIELD_NAMES` order after name/version/build. */
const FIELD_KEYS: ReadonlySet<string> = new Set([
  'channel',
  'subdir',
  'name',
  'version',
  'build',
  'build_number',
  'track_features',
  'features',
  'url',
  'md5',
  'sha256',
  'license',
  'license_family',
  'fn',
  'namespace',
  'optional',
]);
const V3_KEYS: ReadonlySet<string> = new Set(['when', 'extras', 'flags']);

const PACKAGE_FILE = /\.(tar\.bz2|conda)$/;
/** CEP-26 names: letters, digits and single separators; virtual packages start with `__`. */
const DISTRIBUTABLE_NAME = /^(?:[a-z0-9]|[a-z0-9_](?!_))[._-]?(?:[a-z0-9]+(?:[._-]|$))*$/;
const INVALID_NAME_CHARS = /[^a-z0-9._-]/g;
/** Name, then the version/build remainder that starts at an operator or a space. */
const NAME_AND_REST = /^([^ =<>!~]+)?([><!=~ ].+)?/s;
/**
 * conda's split of `version[ build]`: the build is the last run after a space or `=` that
 * does not follow an operator character and holds no operator characters itself.
 */
const VERSION_AND_BUILD = /((?:.+?)[^><!,|]?)(?:(?<![=!|,<>~])[ =]([^-=,|<>~]+?))?$/s;

/**
 * Parses a spec string into raw fields (conda `_parse_spec_str`).
 * @throws TaipanError `INVALID_MATCH_SPEC` quoting `spec` and saying what was expected.
 */
export function parseSpecFields(spec: string, options: MatchSpecParseOptions = {}, inWhen = false): MatchSpecFields {
  if (spec === '') return {};
  let text = spec;

  // The legacy `feature@` form asks for a track_feature.
  if (text.endsWith('@')) {
    const feature = text.slice(0, -1).trim();
    if (feature === '') throw invalid(spec, "'@' without a feature name", "'<feature>@'");
    return { name: '*', track_features: feature };
  }

  const hash = text.indexOf('#');
  if (hash >= 0) text = text.slice(0, hash);
  // conda ignores a trailing ` if <condition>` (a selector-like suffix).
  const ifAt = text.indexOf(' if ');
  if (ifAt >= 0) text = text.slice(0, ifAt);
  text = text.trim();
  if (text === '') throw invalid(spec, 'no package name found', 'a package name such as numpy');

  if (PACKAGE_FILE.test(text)) return parsePackageLocation(text, spec);

  const fields: MutableFields = {};

  const split = splitBracketSection(text, spec);
  text = split.rest;
  const brackets = new Map<string, string>();
  if (split.content !== undefined) {
    for (const { key, value } of parseBracketContent(
      split.content,
      spec,
      options.v3 === true,
      options.v3 !== true && options.strict !== true ? (key) => !FIELD_KEYS.has(key) : undefined,
    )) {
      if (!FIELD_KEYS.has(key) && !(options.v3 === true && V3_KEYS.has(key))) {
        throw invalid(
          spec,
          `unknown bracket key '${key}'`,
          `one of ${[...FIELD_KEYS].filter((k) => k !== 'optional').join(', ')}`,
          V3_KEYS.has(key) ? `'${key}' belongs to conda's newer spec grammar; parse with { v3: true }` : undefined,
        );
      }
      if (brackets.has(key)) throw invalid(spec, `'${key}' given twice in brackets`, 'each key at most once');
      brackets.set(key, value);
    }
  }

  // `(key=value, optional)` groups: conda reads and drops them; keep optional/target.
  const paren = /^(.*)(\(.*\))(.*)$/s.exec(text);
  if (paren !== null) {
    const group = (paren[2] as string).slice(1, -1);
    text = (paren[1] as string) + (paren[3] as string);
    if (/(^|[\s,])optional([\s,]|$)/.test(group)) fields.optional = true;
    const target = /(?:^|[\s,])target=(["']?)([^'",\s]+)\1/.exec(group);
    if (target !== null) fields.target = target[2];
  }

  // channel(/subdir):namespace:name — split at the last two colons.
  const parts = rsplit(text, ':', 2);
  let channelText: string | undefined;
  let namespace: string | undefined;
  if (parts.length === 3) [channelText, namespace, text] = parts as [string, string, string];
  else if (parts.length === 2) [namespace, text] = parts as [string, string];
  const channelPart = parseChannelPart(channelText, spec);
  if (channelPart !== undefined) {
    fields.channel = channelPart.channel;
    if (channelPart.subdir !== undefined) fields.subdir = channelPart.subdir;
  }
  if (namespace !== undefined && namespace !== '') fields.namespace = namespace;
  const bracketChannel = brackets.get('channel');
  if (bracketChannel !== undefined) {
    const b = parseChannelPart(bracketChannel, spec);
    if (b?.channel !== undefined) fields.channel = b.channel;
    if (b?.subdir !== undefined) fields.subdir = b.subdir;
  }

  const m = NAME_AND_REST.exec(text.trim());
  const rawName = m?.[1];
  if (rawName === undefined) {
    throw invalid(spec, `no package name found in '${text.trim()}'`, 'a package name such as numpy first');
  }
  fields.name = validateName(rawName, spec);

  const rest = (m?.[2] ?? '').trim();
  if (rest !== '') {
    if (rest.includes('[')) throw invalid(spec, 'more than one bracket section', 'a single [key=value, ...] section');
    let [version, build] = splitVersionBuild(rest);
    // `pkg >=   1.0` (several spaces) leaves conda with the bare operator `>=` as version
    // and `1.0` as build, which it then rejects; the lenient parser joins them instead.
    if (options.strict !== true && build !== undefined && /^[<>=!~]+$/.test(version)) {
      version += build;
      build = undefined;
    }
    const sanitized = sanitizeVersion(version, build);
    if (sanitized !== '') fields.version = sanitized;
    if (build !== undefined) fields.build = build;
  }

  // Bracket values override the text outside the brackets, except the name (a bracket
  // name could make `tensorflow[name=pytorch]` install something else than it reads).
  for (const [key, value] of brackets) {
    if (key === 'name' || key === 'channel') continue;
    if (options.strict === true && fields[key as keyof MatchSpecFields] !== undefined && key !== 'subdir') {
      throw invalid(spec, `more than one value for '${key}'`, `'${key}' either outside or inside the brackets`);
    }
    switch (key) {
      case 'version':
        fields.version = sanitizeVersion(value, undefined);
        break;
      case 'optional':
        fields.optional = true;
        break;
      case 'extras':
      case 'flags':
        fields[key] = parseListValue(value, spec, key);
        break;
      case 'when':
        if (inWhen) throw invalid(spec, "a 'when' inside a 'when' condition", 'a condition without its own when');
        validateWhen(value, spec, options);
        fields.when = value;
        break;
      default:
        (fields as Record<string, string>)[key] = value;
    }
  }

  if (options.strict === true) checkDigests(fields, spec);
  return fields;
}

/** conda's version/build split of the text after the name (spaces inside the version dropped). */
export function splitVersionBuild(text: string): [string, string | undefined] {
  const m = VERSION_AND_BUILD.exec(text);
  if (m === null) return [text.replace(/ /g, ''), undefined];
  const version = (m[1] ?? '').replace(/ /g, '');
  const build = m[2]?.trim();
  return [version, build === undefined || build === '' ? undefined : build];
}

/**
 * conda's `_sanitize_version_str`: `==1.2` (no build) is `1.2`; `=1.2` is `1.2*` when no
 * build follows (starts-with), `1.2` when one does; bare `=` / `==` stay to be rejected.
 */
export function sanitizeVersion(version: string, build: string | undefined): string {
  if (version === '=' || version === '==') return version;
  if (!version.startsWith('=')) return version;
  const bare = version.replace(/^=+/, '');
  if (version.startsWith('==') && build === undefined) return bare;
  if (!/[=,|]/.test(bare)) {
    return build === undefined && !bare.endsWith('*') ? `${bare}*` : bare;
  }
  return version;
}

/** A spec that is a package file: URL or local path of a `.conda` / `.tar.bz2`. */
function parsePackageLocation(text: string, spec: string): MatchSpecFields {
  const url = isUrl(text) ? text : pathToFileUrl(text);
  const slash = url.lastIndexOf('/');
  const fn = url.slice(slash + 1);
  const dir = url.slice(0, slash);
  const platform = dir.slice(dir.lastIndexOf('/') + 1);
  if (!isPlatform(platform)) {
    // Not inside a channel subdir: only the location itself can be matched.
    const base = url.startsWith('file://') ? safeDecode(fn) : fn;
    return { name: '*', fn: base, url };
  }
  const stem = fn.replace(PACKAGE_FILE, '');
  const pieces = rsplit(stem, '-', 2);
  if (pieces.length !== 3 || pieces.some((p) => p === '')) {
    throw invalid(spec, `'${fn}' is not a package file name`, '<name>-<version>-<build>.conda or .tar.bz2');
  }
  const [name, version, build] = pieces as [string, string, string];
  return {
    channel: canonicalChannelOfUrl(dir.slice(0, dir.lastIndexOf('/'))),
    subdir: platform,
    name: name.toLowerCase(),
    version,
    build,
    fn,
    url,
  };
}

/** Validates a package name (CEP-26) unless it is a glob; returns it lower-cased. */
function validateName(raw: string, spec: string): string {
  const name = raw.toLowerCase();
  if (name.includes('*')) return name;
  if (name.startsWith('__') ? DISTRIBUTABLE_NAME.test(name.slice(2)) : DISTRIBUTABLE_NAME.test(name)) return name;
  const bad = [...new Set(name.match(INVALID_NAME_CHARS) ?? [])];
  const found =
    bad.length > 0
      ? `package name '${raw}' contains invalid characters (${bad.map((c) => `'${c}'`).join(' ')})`
      : `package name '${raw}' is not valid`;
  throw invalid(
    spec,
    found,
    'a name of lower-case letters, digits and single . _ - separators, not starting with . or -',
  );
}

/**
 * Checks a `when` condition: specs joined by `and` / `or`, with parentheses. Each spec
 * must parse on its own and may not carry a `when` itself.
 */
function validateWhen(value: string, spec: string, options: MatchSpecParseOptions): void {
  const text = value.trim();
  if (text === '') throw invalid(spec, "an empty 'when' condition", "a condition such as when='__win'");
  for (const term of whenTerms(text, spec)) {
    try {
      parseSpecFields(term, { ...options, v3: true }, true);
    } catch (error) {
      if (!isTaipanError(error)) throw error;
      throw invalid(spec, `the 'when' condition '${text}' is invalid (${error.message})`, 'a condition made of valid specs');
    }
  }
}

/** The spec texts of a boolean condition, outside brackets and quotes. */
function whenTerms(text: string, spec: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let parens = 0;
  let quote: string | null = null;
  let current = '';
  const flush = (): void => {
    const t = current.trim();
    if (t !== '') terms.push(t);
    else throw invalid(spec, `an incomplete 'when' condition '${text}'`, 'specs joined by and / or');
    current = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== null) {
      current += c;
      if (c === quote) quote = null;
      continue;
    }
    if (depth > 0 && (c === "'" || c === '"')) quote = c;
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (depth === 0 && (c === '(' || c === ')')) {
      if (c === '(') parens++;
      else parens--;
      if (parens < 0) throw invalid(spec, `unbalanced parentheses in 'when' condition '${text}'`, 'balanced ( )');
      if (current.trim() !== '') flush();
      current = '';
      continue;
    }
    if (depth === 0 && /\s/.test(c)) {
      const word = /^\s+(and|or)\s+/.exec(text.slice(i));
      if (word !== null) {
        flush();
        i += word[0].length - 1;
        continue;
      }
    }
    current += c;
  }
  if (parens !== 0) throw invalid(spec, `unbalanced parentheses in 'when' condition '${text}'`, 'balanced ( )');
  if (current.trim() !== '') terms.push(current.trim());
  if (terms.length === 0) throw invalid(spec, "an empty 'when' condition", "a condition such as when='__win'");
  return terms;
}

function checkDigests(fields: MatchSpecFields, spec: string): void {
  if (fields.md5 !== undefined && !/^[0-9a-fA-F]{32}$/.test(fields.md5)) {
    throw invalid(spec, `md5 '${fields.md5}' is not a digest`, '32 hexadecimal digits');
  }
  if (fields.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(fields.sha256)) {
    throw invalid(spec, `sha256 '${fields.sha256}' is not a digest`, '64 hexadecimal digits');
  }
}

/** Python's `str.rsplit(sep, max)`. */
function rsplit(text: string, sep: string, max: number): string[] {
  const out: string[] = [];
  let end = text.length;
  while (out.length < max) {
    const at = text.lastIndexOf(sep, end - 1);
    if (at < 0 || end === 0) break;
    out.unshift(text.slice(at + sep.length, end));
    end = at;
  }
  out.unshift(text.slice(0, end));
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The error for a spec that cannot be parsed: quotes the spec, says what was expected. */
export function invalid(spec: string, found: string, expected: string, hint?: string): TaipanError {
  return new TaipanError(
    'INVALID_MATCH_SPEC',
    `invalid match spec '${spec}': ${found}; expected ${expected}`,
    hint === undefined ? {} : { hint },
  );
}


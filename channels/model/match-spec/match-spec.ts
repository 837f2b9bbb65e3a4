/**
 * conda's MatchSpec: a query over package records (`numpy >=1.20`, `conda-forge::numpy`,
 * `numpy[version='>=1.20',build=py39*]`, a package URL). Immutable; parse once, match
 * many times.
 */
import { TaipanError, isTaipanError } from '../errors.js';
import type { PackageRecord } from '../package-record.js';
import { VersionSpec } from '../version-spec.js';
import { BuildNumberSpec } from './build-number.js';
import { channelIdentity } from './channel-part.js';
import { formatCondaBuildForm, formatCondaEnvForm, formatMatchSpec } from './format.js';
import { isPattern } from './glob.js';
import { compileMatcher, splitFeatures, type RecordPredicate } from './matcher.js';
import { parseSpecFields, type MatchSpecFields, type MatchSpecParseOptions } from './parse.js';

/** Field names as conda spells them (`get_exact_value`, `in`). */
export type MatchSpecFieldName = Exclude<keyof MatchSpecFields, 'optional' | 'target'>;

const CACHE_LIMIT = 16384;
const parseCache = new Map<string, MatchSpec>();

/** An immutable, compiled conda MatchSpec. Create with {@link MatchSpec.parse} or {@link MatchSpec.fromFields}. */
export class MatchSpec {
  /** Package name, lower-cased; may be a glob (`py*`) or `*` for any package. */
  readonly name: string;
  /** The version constraint, compiled; undefined when the spec has none. */
  readonly version: VersionSpec | undefined;
  /** The version text as conda's parser leaves it (`numpy=1.7` gives `1.7*`). */
  readonly rawVersion: string | undefined;
  /** Build string: a literal, a `*` glob, or a `^...$` regex. */
  readonly build: string | undefined;
  readonly buildNumber: BuildNumberSpec | undefined;
  /**
   * The channel: a name (`conda-forge`, `defaults`; `pkgs/main` and `pkgs/r` become
   * `defaults` as in conda), a glob such as `*`, or a URL (without platform or credential;
   * local paths become `file://` URLs).
   */
  readonly channel: string | undefined;
  readonly subdir: string | undefined;
  /** The namespace of `channel:namespace:name` (conda parses it and ignores it). */
  readonly namespace: string | undefined;
  readonly md5: string | undefined;
  readonly sha256: string | undefined;
  /** License pattern, lower-cased (matched case-insensitively). */
  readonly license: string | undefined;
  readonly licenseFamily: string | undefined;
  readonly url: string | undefined;
  readonly fn: string | undefined;
  /** Track features, sorted and unique; the record's set must be the same. */
  readonly trackFeatures: readonly string[] | undefined;
  readonly features: readonly string[] | undefined;
  /** v3 grammar: the condition under which the dependency applies (text as written). */
  readonly when: string | undefined;
  /** v3 grammar: requested extras, in the order written. */
  readonly extras: readonly string[] | undefined;
  /** v3 grammar: requested flags, in the order written. */
  readonly flags: readonly string[] | undefined;
  /** `(optional)` / `[optional]`: the dependency is optional. */
  readonly optional: boolean;
  /** `(target=...)`, kept for libmamba compatibility. */
  readonly target: string | undefined;
  /** The string this spec was parsed from, if any. */
  readonly original: string | undefined;

  readonly #fields: MatchSpecFields;
  readonly #predicate: RecordPredicate;
  readonly #text: string;

  private constructor(fields: MatchSpecFields, original: string | undefined) {
    const context = original ?? JSON.stringify(fields);
    this.#fields = Object.freeze({
      ...fields,
      ...(fields.extras === undefined ? {} : { extras: Object.freeze([...fields.extras]) }),
      ...(fields.flags === undefined ? {} : { flags: Object.freeze([...fields.flags]) }),
    });
    this.name = fields.name ?? '*';
    this.rawVersion = fields.version;
    this.version = fields.version === undefined ? undefined : compileVersion(fields.version, context);
    this.build = fields.build;
    this.buildNumber = fields.build_number === undefined ? undefined : BuildNumberSpec.parse(fields.build_number, context);
    this.channel = fields.channel;
    this.subdir = fields.subdir;
    this.namespace = fields.namespace;
    this.md5 = fields.md5;
    this.sha256 = fields.sha256;
    this.license = fields.license?.toLowerCase();
    this.licenseFamily = fields.license_family?.toLowerCase();
    this.url = fields.url;
    this.fn = fields.fn;
    this.trackFeatures = featureList(fields.track_features);
    this.features = featureList(fields.features);
    this.when = fields.when;
    this.extras = fields.extras === undefined ? undefined : Object.freeze([...fields.extras]);
    this.flags = fields.flags === undefined ? undefined : Object.freeze([...fields.flags]);
    this.optional = fields.optional === true;
    this.target = fields.target;
    this.original = original;
    this.#predicate = compileMatcher(this, context);
    this.#text = formatMatchSpec(this);
    Object.freeze(this);
  }

  /**
   * Parses a spec string with conda's rules (lenient by default). An empty string is the
   * spec that matches every package.
   * @throws TaipanError `INVALID_MATCH_SPEC` quoting the spec and saying what was expected.
   */
  static parse(spec: string, options: MatchSpecParseOptions = {}): MatchSpec {
    const key = options.strict === true || options.v3 === true ? `${options.strict === true ? 's' : ''}${options.v3 === true ? '3' : ''}\u0000${spec}` : spec;
    const cached = parseCache.get(key);
    if (cached !== undefined) return cached;
    const parsed = new MatchSpec(parseSpecFields(spec, options), spec);
    if (parseCache.size >= CACHE_LIMIT) parseCache.clear();
    parseCache.set(key, parsed);
    return parsed;
  }

  /**
   * A spec from field values (conda `MatchSpec(name=..., version=...)`). Text fields use
   * the same notation as inside brackets.
   * @throws TaipanError `INVALID_MATCH_SPEC` when a value cannot be compiled.
   */
  static fromFields(fields: MatchSpecFields): MatchSpec {
    return new MatchSpec({ ...fields, name: fields.name?.toLowerCase() }, undefined);
  }

  /** The raw field texts (conda's `_parse_spec_str` result). */
  get fields(): MatchSpecFields {
    return this.#fields;
  }

  /** conda `str(VersionSpec)` of the version, or undefined. */
  get versionText(): string | undefined {
    return this.version?.toString();
  }

  /** True when the record satisfies every field of the spec. */
  matches(record: PackageRecord): boolean {
    return this.#predicate(record);
  }

  /** conda's `is_name_only_spec`: only an exact or glob name (not `*`), nothing else. */
  isNameOnly(): boolean {
    if (this.name === '*') return false;
    for (const [key, value] of Object.entries(this.#fields)) {
      if (key !== 'name' && key !== 'namespace' && key !== 'optional' && key !== 'target' && value !== undefined) return false;
    }
    return true;
  }

  /** conda `field in spec`: the field is constrained (name counts when parsed from text). */
  has(field: MatchSpecFieldName): boolean {
    return this.#fields[field] !== undefined;
  }

  /** The name when it is a literal (not a glob), else null (conda `get_exact_value('name')`). */
  get exactName(): string | null {
    return isPattern(this.name) ? null : this.name;
  }

  /** The version when the spec pins exactly one, else null. */
  get exactVersion(): string | null {
    return this.version?.exactVersion() ?? null;
  }

  /** The build when it is a literal, else null. */
  get exactBuild(): string | null {
    return this.build === undefined || isPattern(this.build) ? null : this.build;
  }

  /**
   * conda's `strictness` (conda-build): 1 for a name, 2 for name and version, 3 when a
   * build or any other field is constrained, or the name is not exact.
   */
  get strictness(): 1 | 2 | 3 {
    const present = Object.entries(this.#fields).filter(
      ([k, v]) => v !== undefined && k !== 'namespace' && k !== 'optional' && k !== 'target',
    );
    const core = present.filter(([k]) => k === 'name' || k === 'version' || k === 'build').length;
    if (core < present.length) return 3;
    if (this.exactName === null || this.build !== undefined) return 3;
    return this.version !== undefined ? 2 : 1;
  }

  /** The channel name used for matching (`conda-forge` for its URL under the alias, `pkgs/main` for its URL). */
  get channelName(): string | undefined {
    return this.channel === undefined ? undefined : channelIdentity(this.channel).name;
  }

  /**
   * conda's `conda_build_form()`: `name version build`.
   * @throws TaipanError `INVALID_MATCH_SPEC` when the name is not exact.
   */
  condaBuildForm(): string {
    if (this.exactName === null) {
      throw new TaipanError('INVALID_MATCH_SPEC', `match spec '${this.#text}' has no exact name; expected one for the conda-build form`);
    }
    return formatCondaBuildForm(this);
  }

  /** conda's `conda_env_form()`: `name=version=build`, without channel. */
  condaEnvForm(): string {
    return formatCondaEnvForm(this.#text);
  }

  /** Same constraints (canonical strings and raw fields compare equal). */
  equals(other: MatchSpec): boolean {
    return this === other || (this.#text === other.#text && this.optional === other.optional && sameWhen(this, other));
  }

  /** conda's canonical `str(MatchSpec)`. */
  toString(): string {
    return this.#text;
  }

  toJSON(): string {
    return this.#text;
  }
}

function sameWhen(a: MatchSpec, b: MatchSpec): boolean {
  return a.when === b.when && a.namespace === b.namespace;
}

function featureList(text: string | undefined): readonly string[] | undefined {
  if (text === undefined) return undefined;
  return Object.freeze([...new Set(splitFeatures(text))].sort());
}

/** Compiles the version, turning a version-spec error into a MatchSpec error that quotes the spec. */
function compileVersion(text: string, spec: string): VersionSpec {
  try {
    return VersionSpec.parse(text);
  } catch (error) {
    if (isTaipanError(error)) {
      throw new TaipanError('INVALID_MATCH_SPEC', `invalid match spec '${spec}': ${error.message}`, { cause: error });
    }
    throw error;
  }
}

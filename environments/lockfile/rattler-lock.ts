/**
 * pixi's lock format as rattler_lock writes it, versions 4 to 7: `environments` name,
 * per platform, references into one deduplicated `packages` list.
 * - v4/v5: references `{conda|pypi: url}`; packages carry `kind: conda|pypi` and `url`.
 * - v6: packages are keyed by location (`conda: url-or-path`, `pypi: url-or-path`), and a
 *   conda entry may leave name/version/build to the URL's file name.
 * - v7: a top-level `platforms` list (`name`, optional `subdir`, virtual packages) names
 *   the platforms environments use; `conda_source: "name[hash] @ path"` marks packages
 *   built from source.
 * A reference that matches no package, an undeclared or malformed platform, or a
 * duplicated key (the YAML reader refuses those) fails with the reason.
 */
import { isPlatform } from '../../channels/model/platform.js';
import { type LockedPackage, type LockEnvironment, type LockFile } from './model.js';
import { condaRecord, isMapping, lockError, specList, str } from './record.js';

const RECORD_KEYS = ['subdir', 'build_number', 'license', 'license_family', 'size', 'timestamp', 'noarch', 'arch', 'track_features', 'features', 'purls'];
/** Keys a reference may add to pick one of several packages at one location. */
const SELECTOR_KEYS = ['name', 'version', 'build', 'subdir'];

interface Candidate {
  readonly key: string;
  readonly raw: Record<string, unknown>;
  readonly locked: LockedPackage;
}

export function parseRattlerLock(document: Record<string, unknown>, source: string, version: number): LockFile {
  const platforms = version >= 7 ? readPlatforms(document.platforms, source) : undefined;
  const rawPackages = document.packages ?? [];
  if (!Array.isArray(rawPackages)) throw lockError(source, "'packages' must be a list");
  const candidates = rawPackages.map((raw, index) => readPackage(raw, index, source, version));
  const byKey = new Map<string, Candidate[]>();
  for (const candidate of candidates) byKey.set(candidate.key, [...(byKey.get(candidate.key) ?? []), candidate]);

  const environments = new Map<string, LockEnvironment>();
  const usedPlatforms = new Map<string, string>();
  if (!isMapping(document.environments)) throw lockError(source, "it has no 'environments' mapping");
  for (const [envName, rawEnv] of Object.entries(document.environments)) {
    if (!isMapping(rawEnv)) throw lockError(source, `environment '${envName}' is not a mapping`);
    const channels = Array.isArray(rawEnv.channels) ? rawEnv.channels.map((c) => (isMapping(c) ? str(c.url) : str(c)) ?? '').filter((c) => c !== '') : [];
    const packages = new Map<string, LockedPackage[]>();
    const rawByPlatform = rawEnv.packages ?? {};
    if (!isMapping(rawByPlatform)) throw lockError(source, `the packages of environment '${envName}' must be a mapping of platforms`);
    for (const [platformName, refs] of Object.entries(rawByPlatform)) {
      const subdir = platforms ? platforms.get(platformName) : platformName;
      if (subdir === undefined) throw lockError(source, `environment '${envName}' uses the platform '${platformName}', which the 'platforms' list does not declare`);
      if (!isPlatform(subdir)) throw lockError(source, `environment '${envName}' uses the unknown platform '${platformName}'`);
      usedPlatforms.set(platformName, subdir);
      if (!Array.isArray(refs)) throw lockError(source, `environment '${envName}', platform '${platformName}': the packages must be a list`);
      packages.set(
        platformName,
        refs.map((ref) => resolveReference(ref, byKey, source, `environment '${envName}', platform '${platformName}'`)),
      );
    }
    environments.set(envName, { name: envName, channels, packages });
  }
  return { format: 'rattler-lock', version: String(version), platforms: platforms ?? usedPlatforms, environments, source };
}

function readPlatforms(value: unknown, source: string): Map<string, string> {
  if (!Array.isArray(value)) throw lockError(source, "version 7 needs a top-level 'platforms' list");
  const platforms = new Map<string, string>();
  for (const entry of value) {
    const name = isMapping(entry) ? str(entry.name) : str(entry);
    if (name === undefined) throw lockError(source, "a 'platforms' entry has no name");
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw lockError(source, `the platform name '${name}' may hold only letters, digits, '_', '.' and '-'`);
    const subdir = (isMapping(entry) ? str(entry.subdir) : undefined) ?? name;
    if (!isPlatform(subdir)) {
      throw lockError(source, `the platform '${name}' has the unknown subdir '${subdir}'`, 'a subdir is a conda platform such as linux-64, osx-arm64, win-64 or noarch');
    }
    if (platforms.has(name)) throw lockError(source, `the platform '${name}' is declared twice`);
    platforms.set(name, subdir);
  }
  return platforms;
}

function readPackage(raw: unknown, index: number, source: string, version: number): Candidate {
  const where = `package ${index + 1}`;
  if (!isMapping(raw)) throw lockError(source, `${where} is not a mapping`);
  const extra = Object.fromEntries(RECORD_KEYS.filter((k) => raw[k] !== undefined && raw[k] !== null).map((k) => [k, raw[k]]));
  const kind = version <= 5 ? str(raw.kind) : raw.conda !== undefined ? 'conda' : raw.conda_source !== undefined ? 'source' : raw.pypi !== undefined ? 'pypi' : undefined;
  const location = version <= 5 ? str(raw.url ?? raw.path) : str(raw.conda ?? raw.conda_source ?? raw.pypi);
  if (kind === undefined || location === undefined) throw lockError(source, `${where} is neither a conda nor a pypi package (no location)`);
  if (kind === 'pypi') {
    const name = str(raw.name);
    if (!name) throw lockError(source, `${where} ('${location}') is a pypi package without a name`);
    return { key: `pypi:${location}`, raw, locked: { kind: 'pypi', name, version: str(raw.version), url: location, ...(str(raw.sha256) ? { sha256: str(raw.sha256) } : {}) } };
  }
  if (kind !== 'conda' && kind !== 'source') throw lockError(source, `${where} has the unknown kind '${kind}'`);
  const isBinary = kind === 'conda' && /\.(conda|tar\.bz2)(?:[?#].*)?$/.test(location) && /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
  if (!isBinary) {
    // A source package (a path or conda_source): built at install time by pixi-build.
    const name = str(raw.name) ?? /^([^[\s@]+)/.exec(location)?.[1] ?? location;
    return { key: `conda:${location}`, raw, locked: { kind: 'source', name, location } };
  }
  const record = condaRecord(source, {
    url: location,
    name: raw.name,
    version: raw.version,
    build: raw.build,
    md5: raw.md5,
    sha256: raw.sha256,
    depends: specList(source, `depends of '${location}'`, raw.depends),
    constrains: specList(source, `constrains of '${location}'`, raw.constrains),
    extra,
  });
  return { key: `conda:${location}`, raw, locked: { kind: 'conda', record, category: 'main', optional: false } };
}

function resolveReference(ref: unknown, byKey: ReadonlyMap<string, Candidate[]>, source: string, where: string): LockedPackage {
  if (!isMapping(ref)) throw lockError(source, `${where}: a package reference is not a mapping`);
  const kind = ref.conda !== undefined || ref.conda_source !== undefined ? 'conda' : ref.pypi !== undefined ? 'pypi' : undefined;
  const location = str(ref.conda ?? ref.conda_source ?? ref.pypi);
  if (kind === undefined || location === undefined) throw lockError(source, `${where}: a reference names neither a conda nor a pypi package`);
  // v4 references carry `#sha256=` on pypi URLs that the package entry stores apart.
  const keys = [`${kind}:${location}`, `${kind}:${location.replace(/#.*$/, '')}`];
  const found = keys.map((k) => byKey.get(k)).find((list) => list !== undefined) ?? [];
  const selectors = SELECTOR_KEYS.filter((k) => ref[k] !== undefined);
  const matching = found.filter((c) => selectors.every((k) => str(c.raw[k]) === str(ref[k]) || selectorFromRecord(c, k) === str(ref[k])));
  const chosen = matching[0];
  if (chosen === undefined) throw lockError(source, `${where}: '${location}' is not in the 'packages' list`);
  return chosen.locked;
}

function selectorFromRecord(candidate: Candidate, key: string): string | undefined {
  return candidate.locked.kind === 'conda' ? str(candidate.locked.record[key]) : undefined;
}

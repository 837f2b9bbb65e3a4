/**
 * conda-lock's unified lock format (`conda-lock.yml`, `version: 1`; rattler's old v2/v3
 * files share the shape): `metadata` (channels, platforms, content hashes, sources) and
 * one flat `package` list whose entries carry their `platform`, `manager` (conda or pip),
 * `url`, `hash` and `dependencies` (a `{name: spec}` map, or a list in rattler's v3).
 * It is read here as conda-lock reads it: a conda entry without a hash is an error, as is
 * a missing name, version, url, platform or manager.
 */
import { isPlatform } from '../../channels/model/platform.js';
import { DEFAULT_ENVIRONMENT, type LockedPackage, type LockFile } from './model.js';
import { condaRecord, isMapping, lockError, specList, str } from './record.js';

const RECORD_KEYS = ['subdir', 'build_number', 'license', 'license_family', 'size', 'timestamp', 'noarch', 'arch', 'track_features', 'features'];

export function parseCondaLockV1(document: Record<string, unknown>, source: string): LockFile {
  const version = str(document.version) ?? '1';
  const metadata = isMapping(document.metadata) ? document.metadata : undefined;
  if (metadata === undefined) throw lockError(source, "it has no 'metadata' section (channels, platforms)");
  const rawPackages = document.package ?? [];
  if (!Array.isArray(rawPackages)) throw lockError(source, "'package' must be a list");
  const channels = Array.isArray(metadata.channels)
    ? metadata.channels.map((c) => (isMapping(c) ? str(c.url) : str(c))).filter((c): c is string => c !== undefined)
    : [];
  const declared = Array.isArray(metadata.platforms) ? metadata.platforms.map((p) => String(p)) : [];
  const byPlatform = new Map<string, LockedPackage[]>(declared.map((p) => [p, []]));
  rawPackages.forEach((raw, index) => {
    const where = `package ${index + 1}`;
    if (!isMapping(raw)) throw lockError(source, `${where} is not a mapping`);
    const name = str(raw.name);
    for (const key of ['name', 'version', 'manager', 'platform', 'url'] as const) {
      if (str(raw[key]) === undefined) throw lockError(source, `${where}${name ? ` ('${name}')` : ''} has no '${key}'`);
    }
    const platform = str(raw.platform) as string;
    if (!isPlatform(platform)) throw lockError(source, `${where} ('${name}') is for the unknown platform '${platform}'`);
    const hash = isMapping(raw.hash) ? raw.hash : {};
    const category = str(raw.category) ?? 'main';
    const optional = typeof raw.optional === 'boolean' ? raw.optional : category !== 'main';
    const manager = str(raw.manager);
    const url = str(raw.url) as string;
    let locked: LockedPackage;
    if (manager === 'conda') {
      if (str(hash.md5) === undefined && str(hash.sha256) === undefined) {
        throw lockError(source, `${where} ('${name}') has no hash (md5 or sha256)`, 'a lock file pins every package by its hash; regenerate it');
      }
      const extra = Object.fromEntries(RECORD_KEYS.filter((k) => raw[k] !== undefined && raw[k] !== null).map((k) => [k, raw[k]]));
      const record = condaRecord(source, {
        url,
        name: raw.name,
        version: raw.version,
        build: raw.build,
        md5: hash.md5,
        sha256: hash.sha256,
        depends: specList(source, `dependencies of '${name}'`, raw.dependencies),
        constrains: specList(source, `constrains of '${name}'`, raw.constrains),
        extra,
      });
      locked = { kind: 'conda', record, category, optional };
    } else if (manager === 'pip') {
      locked = { kind: 'pypi', name: name as string, version: str(raw.version), url, ...(str(hash.sha256) ? { sha256: str(hash.sha256) } : {}) };
    } else {
      throw lockError(source, `${where} ('${name}') has the unknown manager '${manager}' (conda or pip)`);
    }
    const list = byPlatform.get(platform) ?? [];
    list.push(locked);
    byPlatform.set(platform, list);
  });
  return {
    format: 'conda-lock-v1',
    version,
    platforms: new Map([...byPlatform.keys()].map((p) => [p, p])),
    environments: new Map([[DEFAULT_ENVIRONMENT, { name: DEFAULT_ENVIRONMENT, channels, packages: byPlatform }]]),
    source,
  };
}

/** conda-lock v1 JSON (`conda-lock.json`) has the same shape as the YAML. */
export function isCondaLockDocument(document: Record<string, unknown>): boolean {
  return 'package' in document || ('metadata' in document && !('environments' in document));
}

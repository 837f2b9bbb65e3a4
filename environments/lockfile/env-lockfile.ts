/**
 * micromamba's JSON environment lockfiles (mambajs / emscripten-forge, `lockVersion`
 * 1.0.x): one platform per file, `packages` keyed by archive file name with `name`,
 * `version`, `build`, `subdir`, `channel` and an optional `hash`; `channelInfo` maps a
 * channel name to its mirror URLs (the first one is used), and `pipPackages` holds wheels.
 */
import { isPlatform } from '../../channels/model/platform.js';
import { DEFAULT_ENVIRONMENT, type LockedPackage, type LockFile } from './model.js';
import { condaRecord, isMapping, lockError, str } from './record.js';

/** The lockVersion majors this reader knows. */
const SUPPORTED_MAJOR = 1;

export function parseEnvLockfile(document: Record<string, unknown>, source: string): LockFile {
  const version = str(document.lockVersion) ?? '';
  const major = Number(/^(\d+)\./.exec(version)?.[1] ?? NaN);
  if (major !== SUPPORTED_MAJOR) {
    throw lockError(source, `lockVersion '${version}' is not supported (taipan reads ${SUPPORTED_MAJOR}.x)`);
  }
  const platform = str(document.platform);
  if (platform === undefined || !isPlatform(platform)) throw lockError(source, `'platform' ('${platform ?? ''}') is not a conda platform`);
  const channelInfo = isMapping(document.channelInfo) ? document.channelInfo : {};
  const channelUrl = (channel: string): string => {
    const mirrors = channelInfo[channel];
    const first = Array.isArray(mirrors) && isMapping(mirrors[0]) ? str(mirrors[0].url) : undefined;
    if (first) return first.replace(/\/+$/, '');
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(channel)) return channel.replace(/\/+$/, '');
    return `https://conda.anaconda.org/${channel}`;
  };
  const packages: LockedPackage[] = [];
  const rawPackages = isMapping(document.packages) ? document.packages : {};
  for (const [fn, raw] of Object.entries(rawPackages)) {
    if (!isMapping(raw)) throw lockError(source, `package '${fn}' is not a mapping`);
    for (const key of ['name', 'version', 'build', 'subdir', 'channel'] as const) {
      if (str(raw[key]) === undefined) throw lockError(source, `package '${fn}' has no '${key}'`);
    }
    const hash = isMapping(raw.hash) ? raw.hash : {};
    const url = `${channelUrl(str(raw.channel) as string)}/${str(raw.subdir)}/${fn}`;
    const record = condaRecord(source, { url, name: raw.name, version: raw.version, build: raw.build, md5: hash.md5, sha256: hash.sha256, extra: { subdir: raw.subdir } });
    packages.push({ kind: 'conda', record, category: 'main', optional: false });
  }
  const pip = isMapping(document.pipPackages) ? document.pipPackages : {};
  for (const [fn, raw] of Object.entries(pip)) {
    if (!isMapping(raw) || str(raw.name) === undefined || str(raw.url) === undefined) throw lockError(source, `pip package '${fn}' needs a name and a url`);
    packages.push({ kind: 'pypi', name: str(raw.name) as string, version: str(raw.version), url: str(raw.url) as string });
  }
  const channels = Array.isArray(document.channels) ? document.channels.map((c) => channelUrl(String(c))) : [];
  return {
    format: 'env-lockfile',
    version,
    platforms: new Map([[platform, platform]]),
    environments: new Map([[DEFAULT_ENVIRONMENT, { name: DEFAULT_ENVIRONMENT, channels, packages: new Map([[platform, packages]]) }]]),
    source,
  };
}

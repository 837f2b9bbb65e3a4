/**
 * Indexing a channel folder: read `info/index.json` from every archive in each subdir
 * (only the metadata, never the payload), hash the archive, and write that subdir's
 * repodata.json, as `conda index` and `rattler-index` do. Any static web server can then
 * host the folder.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KNOWN_PLATFORMS } from './model/platform.js';
import type { PackageRecord } from './model/package-record.js';
import { hashFile, readArchiveIndexJson } from './archive/index.js';
import type { RepodataJson } from './repodata/records.js';

/** Write `<subdir>/repodata.json` for every subdir of `channelDir` that holds packages (noarch always). */
export async function indexChannel(channelDir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const entries = await readdir(channelDir, { withFileTypes: true });
  const subdirs = new Set(entries.filter((e) => e.isDirectory() && (KNOWN_PLATFORMS as readonly string[]).includes(e.name)).map((e) => e.name));
  subdirs.add('noarch');
  for (const subdir of [...subdirs].sort()) {
    const dir = path.join(channelDir, subdir);
    await mkdir(dir, { recursive: true });
    const repodata = await indexSubdir(dir, subdir);
    await writeFile(path.join(dir, 'repodata.json'), `${JSON.stringify(repodata, null, 2)}\n`);
    counts.set(subdir, Object.keys(repodata.packages ?? {}).length + Object.keys(repodata['packages.conda'] ?? {}).length);
  }
  return counts;
}

async function indexSubdir(dir: string, subdir: string): Promise<RepodataJson> {
  const packages: Record<string, PackageRecord> = {};
  const condaPackages: Record<string, PackageRecord> = {};
  const files = (await readdir(dir)).filter((f) => f.endsWith('.conda') || f.endsWith('.tar.bz2')).sort();
  for (const fn of files) {
    const archive = path.join(dir, fn);
    const [index, hashes] = await Promise.all([readArchiveIndexJson(archive), hashFile(archive)]);
    const record: PackageRecord = { ...index, md5: hashes.md5, sha256: hashes.sha256, size: hashes.size };
    (fn.endsWith('.conda') ? condaPackages : packages)[fn] = record;
  }
  return { info: { subdir }, packages, 'packages.conda': condaPackages, removed: [], repodata_version: 1 };
}

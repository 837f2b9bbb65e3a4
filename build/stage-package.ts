/**
 * Turning a folder of files plus package metadata into the tree a conda archive holds:
 * the files, and `info/` with index.json, paths.json, files, has_prefix and about.json,
 * as conda-build and rattler-build write them. Text files that contain the build prefix
 * placeholder are marked for replacement at install time.
 */
import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PackageRecord } from '../channels/model/package-record.js';

/** conda-build's classic placeholder; 33 characters, as in the wild. */
export const PREFIX_PLACEHOLDER = '/opt/anaconda1anaconda2anaconda3';

export interface PackageMetadata {
  name: string;
  version: string;
  build: string;
  build_number: number;
  depends: string[];
  constrains?: string[];
  noarch?: 'generic' | 'python';
  license?: string;
  summary?: string;
  /** Subdir the package is for; `noarch` for noarch packages. */
  subdir: string;
  timestamp?: number;
}

interface StagedPath {
  _path: string;
  path_type: 'hardlink' | 'softlink';
  sha256: string;
  size_in_bytes: number;
  file_mode?: 'text' | 'binary';
  prefix_placeholder?: string;
}

/** Copy `filesDir` into `stagingDir` and write its info/ folder. */
export async function stagePackage(filesDir: string, stagingDir: string, meta: PackageMetadata): Promise<void> {
  await mkdir(stagingDir, { recursive: true });
  await cp(filesDir, stagingDir, { recursive: true, verbatimSymlinks: true });
  const relativePaths = (await listFiles(stagingDir)).sort();
  const paths: StagedPath[] = [];
  for (const relative of relativePaths) paths.push(await describePath(stagingDir, relative));

  const info = path.join(stagingDir, 'info');
  await mkdir(info, { recursive: true });
  const index: PackageRecord = {
    name: meta.name,
    version: meta.version,
    build: meta.build,
    build_number: meta.build_number,
    depends: meta.depends,
    ...(meta.constrains && meta.constrains.length > 0 ? { constrains: meta.constrains } : {}),
    ...(meta.license ? { license: meta.license } : {}),
    ...(meta.noarch ? { noarch: meta.noarch } : {}),
    subdir: meta.subdir,
    platform: meta.subdir === 'noarch' ? null : meta.subdir.split('-')[0] ?? null,
    arch: meta.subdir === 'noarch' ? null : meta.subdir.split('-')[1] ?? null,
    timestamp: meta.timestamp ?? 0,
  };
  await writeJson(path.join(info, 'index.json'), index);
  await writeJson(path.join(info, 'paths.json'), { paths, paths_version: 1 });
  await writeJson(path.join(info, 'about.json'), { summary: meta.summary ?? '', license: meta.license ?? '' });
  await writeFile(path.join(info, 'files'), relativePaths.map((p) => `${p}\n`).join(''));
  const hasPrefix = paths.filter((p) => p.prefix_placeholder).map((p) => `${p.prefix_placeholder} ${p.file_mode} ${p._path}\n`);
  if (hasPrefix.length > 0) await writeFile(path.join(info, 'has_prefix'), hasPrefix.join(''));
}

async function listFiles(root: string, relative = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (child === 'info') continue;
    if (entry.isDirectory()) out.push(...(await listFiles(root, child)));
    else out.push(child);
  }
  return out;
}

async function describePath(root: string, relative: string): Promise<StagedPath> {
  const full = path.join(root, relative);
  const info = await lstat(full);
  if (info.isSymbolicLink()) {
    const target = Buffer.from(await readlink(full));
    return { _path: relative, path_type: 'softlink', sha256: sha256(target), size_in_bytes: target.length };
  }
  const data = await readFile(full);
  const described: StagedPath = { _path: relative, path_type: 'hardlink', sha256: sha256(data), size_in_bytes: data.length };
  if (data.includes(PREFIX_PLACEHOLDER)) {
    described.prefix_placeholder = PREFIX_PLACEHOLDER;
    described.file_mode = data.includes(0) ? 'binary' : 'text';
  }
  return described;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

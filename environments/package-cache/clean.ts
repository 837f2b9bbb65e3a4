/**
 * `clean`: what in the package cache can go. An extracted package is unused when no known
 * environment records it as its source (conda-meta `extracted_package_dir`) and none of
 * its files is hard-linked anywhere else (link count 1), conda's own test for it.
 */
import { lstat, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Prefix } from '../prefix/prefix.js';

export interface CleanPlan {
  readonly tarballs: string[];
  readonly packages: string[];
  readonly indexCache: string[];
  readonly bytes: number;
}

export interface CleanRequest {
  readonly pkgsDir: string;
  readonly environments: readonly string[];
  readonly tarballs: boolean;
  readonly packages: boolean;
  readonly indexCache: boolean;
}

async function sizeOf(target: string): Promise<number> {
  const info = await lstat(target).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(target)) total += await sizeOf(path.join(target, name));
  return total;
}

async function hasOutsideLinks(dir: string): Promise<boolean> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (await hasOutsideLinks(full)) return true;
    } else if (entry.isFile() && (await stat(full)).nlink > 1) return true;
  }
  return false;
}

export async function planClean(request: CleanRequest): Promise<CleanPlan> {
  const entries = await readdir(request.pkgsDir, { withFileTypes: true }).catch(() => []);
  const inUse = new Set<string>();
  for (const prefix of request.environments) {
    for (const record of await Prefix.open(prefix).then((p) => p.records()).catch(() => [])) {
      if (record.extracted_package_dir) inUse.add(path.resolve(record.extracted_package_dir));
    }
  }
  const tarballs: string[] = [];
  const packages: string[] = [];
  const indexCache: string[] = [];
  for (const entry of entries) {
    const full = path.join(request.pkgsDir, entry.name);
    if (entry.isFile() && /\.(conda|tar\.bz2)$/.test(entry.name) && request.tarballs) tarballs.push(full);
    else if (entry.isDirectory() && entry.name === 'cache' && request.indexCache) indexCache.push(full);
    else if (entry.isDirectory() && request.packages && entry.name !== 'cache') {
      const isPackage = await stat(path.join(full, 'info', 'index.json')).then(() => true, () => false);
      if (isPackage && !inUse.has(full) && !(await hasOutsideLinks(full))) packages.push(full);
    }
  }
  let bytes = 0;
  for (const target of [...tarballs, ...packages, ...indexCache]) bytes += await sizeOf(target);
  return { tarballs: tarballs.sort(), packages: packages.sort(), indexCache, bytes };
}

export async function executeClean(plan: CleanPlan): Promise<void> {
  for (const target of [...plan.tarballs, ...plan.packages, ...plan.indexCache]) await rm(target, { recursive: true, force: true });
}

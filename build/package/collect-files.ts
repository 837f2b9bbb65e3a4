/**
 * Which files the build added to PREFIX: the host environment's files are listed before
 * the script runs and again after it; the new ones are the package (conda-build's rule).
 * conda-meta/ and taipan's own bookkeeping files never belong to a package.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Every file and symlink under `prefix`, as `/`-separated relative paths. */
export async function listPrefixFiles(prefix: string): Promise<Set<string>> {
  const out = new Set<string>();
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(prefix, relative), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else out.add(child);
    }
  };
  await walk('');
  return out;
}

/** The files in `prefix` now that were not in `before`, sorted. */
export async function newPrefixFiles(prefix: string, before: ReadonlySet<string>): Promise<string[]> {
  const after = await listPrefixFiles(prefix);
  return [...after].filter((p) => !before.has(p) && !isBookkeeping(p)).sort();
}

function isBookkeeping(relative: string): boolean {
  return relative.startsWith('conda-meta/') || relative.split('/').some((part) => part.startsWith('.taipan'));
}

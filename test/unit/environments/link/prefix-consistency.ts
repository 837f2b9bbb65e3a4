/**
 * The invariant every transaction keeps, checked on a real prefix: every file in it
 * (outside conda-meta) is listed by exactly one conda-meta record, every listed file
 * exists, and no transaction leftovers (journal, trash, temp files, lock) remain.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface ConsistencyReport {
  /** Files in the prefix that no record lists. */
  readonly orphans: string[];
  /** Files records list that are not in the prefix (as `record: path`). */
  readonly missing: string[];
  /** Paths listed by more than one record. */
  readonly shared: string[];
  /** Journal, trash, lock or temp files left behind. */
  readonly leftovers: string[];
  /** The records, by file name. */
  readonly records: string[];
}

async function walk(root: string, relative = ''): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(path.join(root, relative), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(root, child)));
    else out.push(child);
  }
  return out;
}

/** Check `prefix`; `ignore` lists prefix-relative files that link scripts made on purpose. */
export async function checkPrefixConsistency(prefix: string, ignore: readonly string[] = []): Promise<ConsistencyReport> {
  const metaDir = path.join(prefix, 'conda-meta');
  const metaNames = await readdir(metaDir).catch(() => [] as string[]);
  const recordNames = metaNames.filter((n) => n.endsWith('.json')).sort();
  const leftovers = metaNames.filter((n) => n !== 'history' && !n.endsWith('.json')).map((n) => `conda-meta/${n}`);
  const owners = new Map<string, string[]>();
  const missing: string[] = [];
  for (const name of recordNames) {
    const record = JSON.parse(await readFile(path.join(metaDir, name), 'utf8')) as { files: string[] };
    for (const file of record.files) {
      owners.set(file, [...(owners.get(file) ?? []), name]);
      try {
        await lstat(path.join(prefix, file));
      } catch {
        missing.push(`${name}: ${file}`);
      }
    }
  }
  const orphans: string[] = [];
  for (const file of await walk(prefix)) {
    if (file.startsWith('conda-meta/')) continue;
    if (file.startsWith('.taipan-trash/')) {
      leftovers.push(file);
      continue;
    }
    if (!owners.has(file) && !ignore.includes(file)) orphans.push(file);
  }
  const shared = [...owners].filter(([, list]) => list.length > 1).map(([file]) => file);
  return { orphans, missing, shared, leftovers, records: recordNames };
}

/** Every folder under `prefix` that is empty (a removal should leave none). */
export async function emptyFolders(prefix: string, relative = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(path.join(prefix, relative), { withFileTypes: true });
  if (entries.length === 0 && relative !== '') return [relative];
  for (const entry of entries) {
    if (entry.isDirectory()) out.push(...(await emptyFolders(prefix, relative ? `${relative}/${entry.name}` : entry.name)));
  }
  return out;
}

/** Whether `file` exists (without following a symlink). */
export async function present(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

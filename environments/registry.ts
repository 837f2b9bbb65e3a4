/**
 * Which environments exist: every folder with conda-meta/ under the envs dirs, plus the
 * prefixes created elsewhere with -p, which are remembered in `~/.taipan/environments.txt`
 * as conda remembers them in `~/.conda/environments.txt`.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isEnvironment } from './prefix/prefix-record.js';

export function registryFile(home: string = os.homedir()): string {
  return path.join(home, '.taipan', 'environments.txt');
}

async function readRegistry(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  } catch {
    return [];
  }
}

export async function registerEnvironment(prefix: string, file: string = registryFile()): Promise<void> {
  const entries = await readRegistry(file);
  if (entries.includes(prefix)) return;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, [...entries, prefix].map((e) => `${e}\n`).join(''));
}

export async function unregisterEnvironment(prefix: string, file: string = registryFile()): Promise<void> {
  const entries = await readRegistry(file);
  if (!entries.includes(prefix)) return;
  await writeFile(file, entries.filter((e) => e !== prefix).map((e) => `${e}\n`).join(''));
}

export interface KnownEnvironment {
  readonly prefix: string;
  /** The name when the prefix sits in an envs dir. */
  readonly name?: string;
}

/** Every environment that still exists, envs-dir ones first, sorted. */
export async function listEnvironments(envsDirs: readonly string[], file: string = registryFile()): Promise<KnownEnvironment[]> {
  const found = new Map<string, KnownEnvironment>();
  for (const dir of envsDirs) {
    for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
      const prefix = path.join(dir, name);
      if (await isEnvironment(prefix)) found.set(prefix, { prefix, name });
    }
  }
  for (const prefix of await readRegistry(file)) {
    if (!found.has(prefix) && (await isEnvironment(prefix))) found.set(prefix, { prefix });
  }
  return [...found.values()];
}

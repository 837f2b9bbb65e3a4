/**
 * Copying the new files of PREFIX into the folder that becomes the package, in the layout
 * the package type asks for. A `noarch: python` package holds `site-packages/...` and
 * `python-scripts/...` instead of `lib/pythonX.Y/site-packages/...` and `bin/...`, without
 * bytecode (the installer compiles for the environment's python) and without the console
 * scripts of its entry points (the installer writes those). Absolute symlinks that point
 * into PREFIX are made relative, so they still point into the environment once installed.
 */
import { chmod, copyFile, lstat, mkdir, readlink, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { PythonInfo } from '../../environments/link/noarch-python.js';

export interface PayloadOptions {
  readonly prefix: string;
  /** Prefix-relative files to take. */
  readonly files: readonly string[];
  readonly dest: string;
  /** For noarch: python, the host python (where site-packages and scripts were installed). */
  readonly noarchPython?: PythonInfo;
  /** Names of console scripts that the installer generates (noarch: python). */
  readonly entryPointNames?: readonly string[];
}

/** Copy the files; returns the package-relative paths written. */
export async function copyPayload(options: PayloadOptions): Promise<string[]> {
  // A metapackage has no files, but still a (then empty) payload folder.
  await mkdir(options.dest, { recursive: true });
  const written: string[] = [];
  for (const relative of options.files) {
    const target = packagePath(relative, options);
    if (target === undefined) continue;
    const from = path.join(options.prefix, relative);
    const to = path.join(options.dest, target);
    await mkdir(path.dirname(to), { recursive: true });
    const info = await lstat(from);
    if (info.isSymbolicLink()) {
      await symlink(relativeLink(await readlink(from), from, options.prefix), to);
    } else {
      await copyFile(from, to);
      await chmod(to, info.mode & 0o7777);
    }
    written.push(target);
  }
  return written.sort();
}

/** Where a prefix file goes in the package; undefined when it is left out. */
export function packagePath(relative: string, options: Pick<PayloadOptions, 'noarchPython' | 'entryPointNames'>): string | undefined {
  const python = options.noarchPython;
  if (!python) return relative;
  if (relative.endsWith('.pyc') || relative.split('/').includes('__pycache__')) return undefined;
  const sitePackages = `${python.sitePackages}/`;
  if (relative.startsWith(sitePackages)) return `site-packages/${relative.slice(sitePackages.length)}`;
  const scripts = `${python.scriptsDir}/`;
  if (relative.startsWith(scripts)) {
    const name = relative.slice(scripts.length);
    const stem = name.replace(/(-script\.py|\.exe)$/, '');
    if (options.entryPointNames?.includes(stem)) return undefined;
    return `python-scripts/${name}`;
  }
  return relative;
}

function relativeLink(target: string, linkPath: string, prefix: string): string {
  if (!path.isAbsolute(target)) return target;
  const inside = path.relative(prefix, target);
  if (inside.startsWith('..') || path.isAbsolute(inside)) return target;
  return path.relative(path.dirname(linkPath), target) || '.';
}

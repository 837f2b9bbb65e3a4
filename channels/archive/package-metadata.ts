/** Read the `info/` metadata of an extracted package folder. */
import { lstatSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { badMetadata } from './errors.js';
import {
  legacyPathsJson,
  parseAboutJson,
  parseIndexJson,
  parseLinkJson,
  parsePathsJson,
  parseRunExportsJson,
} from './metadata-parse.js';
import type { AboutJson, IndexJson, LinkJson, PackageMetadata, PathsJson, RunExportsJson } from './metadata-types.js';

/** Text of `info/<name>` in `packageDir`, or undefined when the file does not exist. */
async function readInfoFile(packageDir: string, name: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(packageDir, 'info', name), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** `info/index.json` of an extracted package (PACKAGE_METADATA when absent or malformed). */
export async function readIndexJson(packageDir: string): Promise<IndexJson> {
  const text = await readInfoFile(packageDir, 'index.json');
  if (text === undefined) throw badMetadata(packageDir, 'info/index.json', 'the file is missing');
  return parseIndexJson(text, packageDir);
}

/**
 * `info/paths.json` of an extracted package; for packages older than paths.json, the same
 * shape built from `info/files`, `info/has_prefix` and `info/no_link`/`no_softlink`, with
 * symlinks recognised on disk (conda's fallback; with neither file, no paths, as conda).
 */
export async function readPathsJson(packageDir: string): Promise<PathsJson> {
  const text = await readInfoFile(packageDir, 'paths.json');
  if (text !== undefined) return parsePathsJson(text, packageDir);
  // Like conda, a missing info/files reads as empty: the package installs nothing.
  const files = (await readInfoFile(packageDir, 'files')) ?? '';
  const [hasPrefix, noLink, noSoftlink] = await Promise.all([
    readInfoFile(packageDir, 'has_prefix'),
    readInfoFile(packageDir, 'no_link'),
    readInfoFile(packageDir, 'no_softlink'),
  ]);
  return legacyPathsJson(
    {
      files,
      hasPrefix,
      noLink: `${noLink ?? ''}\n${noSoftlink ?? ''}`,
      isSymlink: (relative) => isSymlinkSync(path.join(packageDir, relative)),
    },
    packageDir,
  );
}

/** `info/link.json`, or undefined when the package has none. */
export async function readLinkJson(packageDir: string): Promise<LinkJson | undefined> {
  const text = await readInfoFile(packageDir, 'link.json');
  return text === undefined ? undefined : parseLinkJson(text, packageDir);
}

/** `info/run_exports.json`, or undefined when the package has none. */
export async function readRunExportsJson(packageDir: string): Promise<RunExportsJson | undefined> {
  const text = await readInfoFile(packageDir, 'run_exports.json');
  return text === undefined ? undefined : parseRunExportsJson(text, packageDir);
}

/** `info/about.json`, or undefined when the package has none. */
export async function readAboutJson(packageDir: string): Promise<AboutJson | undefined> {
  const text = await readInfoFile(packageDir, 'about.json');
  return text === undefined ? undefined : parseAboutJson(text, packageDir);
}

/** All of the above at once. */
export async function readPackageMetadata(packageDir: string): Promise<PackageMetadata> {
  const [index, paths, link, runExports, about] = await Promise.all([
    readIndexJson(packageDir),
    readPathsJson(packageDir),
    readLinkJson(packageDir),
    readRunExportsJson(packageDir),
    readAboutJson(packageDir),
  ]);
  return {
    index,
    paths,
    ...(link === undefined ? {} : { link }),
    ...(runExports === undefined ? {} : { runExports }),
    ...(about === undefined ? {} : { about }),
  };
}

function isSymlinkSync(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Read `info/` metadata straight from a package archive, without extracting it. For a
 * `.conda` only the info tarball is decompressed; a `.tar.bz2` is read until every wanted
 * file was seen (conda puts `info/` first, so usually only its start).
 */
import type { ReadEntry } from 'tar';
import { normalizeEntryPath } from './entry-path.js';
import { badMetadata } from './errors.js';
import { archiveFormat } from './format.js';
import {
  legacyPathsJson,
  parseAboutJson,
  parseIndexJson,
  parseLinkJson,
  parsePathsJson,
  parseRunExportsJson,
} from './metadata-parse.js';
import type { IndexJson, PackageMetadata, PathsJson } from './metadata-types.js';
import { forEachPackageEntry } from './package-entries.js';

const FILE_TYPES: ReadonlySet<string> = new Set(['File', 'OldFile', 'ContiguousFile']);

/** Files read and symlinks seen by {@link scanArchive}. */
interface ScanResult {
  files: Map<string, Buffer>;
  symlinks: Set<string>;
}

/**
 * Collect the regular files named in `wanted` (paths like `info/index.json`). Stops as soon
 * as all were found unless `symlinks` is set, in which case the whole archive is scanned
 * to list its symlink entries (needed to rebuild paths.json for legacy packages).
 */
async function scanArchive(
  archivePath: string,
  wanted: readonly string[],
  options: { components: readonly ('info' | 'pkg')[]; symlinks: boolean; enough?: (files: Map<string, Buffer>) => boolean },
): Promise<ScanResult> {
  const files = new Map<string, Buffer>();
  const symlinks = new Set<string>();
  const pending = new Set(wanted);
  await forEachPackageEntry(
    archivePath,
    async (entry: ReadEntry) => {
      const checked = normalizeEntryPath(entry.path);
      if (!checked.ok) return undefined; // nothing is written here; extraction refuses it
      if (options.enough !== undefined && !checked.path.startsWith('info/') && options.enough(files)) return 'stop';
      if (entry.type === 'SymbolicLink') symlinks.add(checked.path);
      if (pending.has(checked.path) && FILE_TYPES.has(entry.type)) {
        files.set(checked.path, await entry.concat());
        pending.delete(checked.path);
        if (pending.size === 0 && !options.symlinks) return 'stop';
      }
      return undefined;
    },
    { components: options.components },
  );
  return { files, symlinks };
}

/**
 * The contents of the given `info/` files (e.g. `['info/index.json']`) from an archive;
 * absent files are absent from the map.
 */
export async function readArchiveInfoFiles(archivePath: string, names: readonly string[]): Promise<Map<string, Buffer>> {
  return (await scanArchive(archivePath, names, { components: ['info'], symlinks: false })).files;
}

/** `info/index.json` of an archive (PACKAGE_METADATA when absent or malformed). */
export async function readArchiveIndexJson(archivePath: string): Promise<IndexJson> {
  const text = (await readArchiveInfoFiles(archivePath, ['info/index.json'])).get('info/index.json');
  if (text === undefined) throw badMetadata(archivePath, 'info/index.json', 'the archive has no such file');
  return parseIndexJson(text.toString('utf8'), archivePath);
}

const LEGACY_PATHS_FILES = ['info/files', 'info/has_prefix', 'info/no_link', 'info/no_softlink'];

/** `info/paths.json` of an archive, or conda's fallback from `info/files` (see readPathsJson). */
export async function readArchivePathsJson(archivePath: string): Promise<PathsJson> {
  return (await readArchiveMetadata(archivePath)).paths;
}

/** index, paths, link, run_exports and about of an archive, in one read. */
export async function readArchiveMetadata(archivePath: string): Promise<PackageMetadata> {
  const isTarBz2 = archiveFormat(archivePath) === 'tar.bz2';
  const wanted = ['info/index.json', 'info/paths.json', 'info/link.json', 'info/run_exports.json', 'info/about.json'];
  // Optional files may be absent, so "all found" rarely stops a .tar.bz2 scan. Builders
  // (conda-build, rattler) write info/ first, so once the payload starts and index.json +
  // paths.json were seen, the rest of info/ was too. Without paths.json (legacy package)
  // the .tar.bz2 is read whole, which also lists its symlinks for the fallback.
  const scan = await scanArchive(archivePath, [...wanted, ...LEGACY_PATHS_FILES], {
    components: ['info'],
    symlinks: false,
    enough: (files) => files.has('info/index.json') && files.has('info/paths.json'),
  });
  const text = (name: string): string | undefined => scan.files.get(name)?.toString('utf8');

  const indexText = text('info/index.json');
  if (indexText === undefined) throw badMetadata(archivePath, 'info/index.json', 'the archive has no such file');
  const index = parseIndexJson(indexText, archivePath);

  let paths: PathsJson;
  const pathsText = text('info/paths.json');
  if (pathsText !== undefined) {
    paths = parsePathsJson(pathsText, archivePath);
  } else {
    // Like conda, a missing info/files reads as empty: the package installs nothing.
    const files = text('info/files') ?? '';
    // Which payload paths are symlinks: a .tar.bz2 was scanned whole (paths.json missing
    // means no early stop); a .conda needs a header pass over its pkg tarball.
    const symlinks = isTarBz2 || files === ''
      ? scan.symlinks
      : (await scanArchive(archivePath, [], { components: ['pkg'], symlinks: true })).symlinks;
    paths = legacyPathsJson(
      {
        files,
        hasPrefix: text('info/has_prefix'),
        noLink: `${text('info/no_link') ?? ''}\n${text('info/no_softlink') ?? ''}`,
        isSymlink: (relative) => symlinks.has(relative),
      },
      archivePath,
    );
  }
  const link = text('info/link.json');
  const runExports = text('info/run_exports.json');
  const about = text('info/about.json');
  return {
    index,
    paths,
    ...(link === undefined ? {} : { link: parseLinkJson(link, archivePath) }),
    ...(runExports === undefined ? {} : { runExports: parseRunExportsJson(runExports, archivePath) }),
    ...(about === undefined ? {} : { about: parseAboutJson(about, archivePath) }),
  };
}

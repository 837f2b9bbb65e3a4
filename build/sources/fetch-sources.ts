/**
 * All sources of a rendered output into the work folder (SRC_DIR): url downloads (checked
 * and cached, archives unpacked), local paths (copied, so the build never writes into
 * the recipe's tree), git checkouts; each into its `target_directory` when it has one,
 * then with its patches applied, in the order the recipe lists them.
 */
import { cp, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { HttpClient } from '../../channels/fetch/http-client.js';
import { TaipanError } from '../../channels/model/errors.js';
import type { SourceSpec } from '../../recipes/stage1.js';
import { applyPatches } from './apply-patches.js';
import { archiveKind, extractArchive } from './extract-archive.js';
import { checkoutGitSource } from './git-source.js';
import { fetchUrlSource, sourceFileName } from './url-source.js';

export interface FetchSourcesOptions {
  /** The recipe folder: patches are relative to it. */
  readonly recipeDir: string;
  /** The source cache folder for url downloads. */
  readonly cacheDir: string;
  readonly client?: HttpClient;
  /** Told about each source as it is fetched (for a progress line). */
  /** Told of each source before it is fetched; awaited, so a log stays in order. */
  readonly onSource?: (description: string) => void | Promise<void>;
}

/** Fetch every source into `srcDir` (created if missing). */
export async function fetchSources(sources: readonly SourceSpec[], srcDir: string, options: FetchSourcesOptions): Promise<void> {
  await mkdir(srcDir, { recursive: true });
  for (const source of sources) {
    const dest = source.targetDirectory ? path.resolve(srcDir, source.targetDirectory) : srcDir;
    if (path.relative(srcDir, dest).startsWith('..')) {
      throw new TaipanError('INVALID_ARGUMENT', `the source target_directory '${source.targetDirectory}' leaves the work folder`, {
        hint: 'use a relative folder inside the work folder',
      });
    }
    await mkdir(dest, { recursive: true });
    switch (source.kind) {
      case 'url': {
        await options.onSource?.(`url ${source.url[0] ?? ''}`);
        const file = await fetchUrlSource(source, { cacheDir: options.cacheDir, client: options.client });
        if (archiveKind(file)) await extractArchive(file, dest);
        else await cp(file, path.join(dest, sourceFileName(source)));
        break;
      }
      case 'path':
        await options.onSource?.(`path ${source.path}`);
        await copyPathSource(source.path, dest);
        break;
      case 'git':
        await options.onSource?.(`git ${source.git}${source.rev ? ` at ${source.rev}` : ''}`);
        await checkoutGitSource(source, dest);
        break;
    }
    await applyPatches(
      source.patches.map((p) => path.resolve(options.recipeDir, p)),
      dest,
    );
  }
}

async function copyPathSource(from: string, dest: string): Promise<void> {
  let info;
  try {
    info = await stat(from);
  } catch (error) {
    throw new TaipanError('INVALID_ARGUMENT', `the path source '${from}' does not exist`, { cause: error, hint: 'a path source is relative to the recipe folder' });
  }
  if (info.isDirectory()) await cp(from, dest, { recursive: true, verbatimSymlinks: true, force: true });
  else if (archiveKind(from)) await extractArchive(from, dest);
  else await cp(from, path.join(dest, path.basename(from)));
}

/**
 * Turning a folder of files plus package metadata into the tree a conda archive holds:
 * the files, and `info/` with index.json, paths.json, files, has_prefix and about.json,
 * as conda-build and rattler-build write them; for real builds also run_exports.json,
 * link.json (noarch: python with its entry points), hash_input.json, recipe/ and
 * tests/. Files that contain the build prefix (or conda-build's classic placeholder) are
 * marked for replacement at install time, as text or, when they hold NUL bytes, binary.
 */
import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { RunExportsJson } from '../channels/archive/index.js';
import type { PackageRecord } from '../channels/model/package-record.js';
import { detectPrefix } from './package/prefix-detect.js';

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

/** What a real build adds to the metadata of a plain folder. */
export interface StageOptions {
  /**
   * Prefixes whose occurrence in a file marks it for replacement at install time (the host
   * environment of the build), most specific first. The classic placeholder is always looked for.
   */
  prefixes?: readonly string[];
  /** The recipe's own run_exports (written to info/run_exports.json when not empty). */
  runExports?: { readonly [K in keyof RunExportsJson]?: readonly string[] };
  /** `name = module:function` console scripts of a noarch: python package (info/link.json). */
  entryPoints?: readonly string[];
  /** Extra about.json fields (home, dev_url, description, ...). */
  about?: Readonly<Record<string, unknown>>;
  /** The variant the package was built with (info/hash_input.json). */
  hashInput?: Readonly<Record<string, string>>;
  /** The recipe folder (copied to info/recipe/) and the rendered recipe (info/recipe/rendered_recipe.yaml). */
  recipe?: { dir: string; rendered: unknown; exclude?: readonly string[] };
  /** The package's tests (info/tests/tests.yaml), so they can be run again later. */
  tests?: readonly unknown[];
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
export async function stagePackage(filesDir: string, stagingDir: string, meta: PackageMetadata, options: StageOptions = {}): Promise<void> {
  await mkdir(stagingDir, { recursive: true });
  await cp(filesDir, stagingDir, { recursive: true, verbatimSymlinks: true });
  const relativePaths = (await listFiles(stagingDir)).sort();
  const prefixes = [...(options.prefixes ?? []), PREFIX_PLACEHOLDER];
  const paths: StagedPath[] = [];
  for (const relative of relativePaths) paths.push(await describePath(stagingDir, relative, prefixes));

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
  await writeJson(path.join(info, 'about.json'), { summary: meta.summary ?? '', license: meta.license ?? '', ...aboutJson(options.about ?? {}) });
  await writeFile(path.join(info, 'files'), relativePaths.map((p) => `${p}\n`).join(''));
  const hasPrefix = paths.filter((p) => p.prefix_placeholder).map((p) => `${p.prefix_placeholder} ${p.file_mode} ${p._path}\n`);
  if (hasPrefix.length > 0) await writeFile(path.join(info, 'has_prefix'), hasPrefix.join(''));
  await writeBuildInfo(info, meta, options);
}

async function writeBuildInfo(info: string, meta: PackageMetadata, options: StageOptions): Promise<void> {
  const runExports = Object.fromEntries(Object.entries(options.runExports ?? {}).filter(([, specs]) => Array.isArray(specs) && specs.length > 0));
  if (Object.keys(runExports).length > 0) await writeJson(path.join(info, 'run_exports.json'), runExports);
  if (meta.noarch === 'python') {
    await writeJson(path.join(info, 'link.json'), { noarch: { type: 'python', entry_points: [...(options.entryPoints ?? [])] }, package_metadata_version: 1 });
  }
  if (options.hashInput) await writeJson(path.join(info, 'hash_input.json'), options.hashInput);
  if (options.recipe) {
    const target = path.join(info, 'recipe');
    const exclude = (options.recipe.exclude ?? []).map((p) => path.resolve(p));
    await cp(options.recipe.dir, target, {
      recursive: true,
      verbatimSymlinks: true,
      // Never copy a work or output folder that happens to live inside the recipe folder.
      filter: (source) => !exclude.some((e) => source === e || source.startsWith(`${e}${path.sep}`)) && path.basename(source) !== '.git',
    });
    await writeFile(path.join(target, 'rendered_recipe.yaml'), YAML.stringify(options.recipe.rendered));
  }
  if (options.tests && options.tests.length > 0) {
    await mkdir(path.join(info, 'tests'), { recursive: true });
    await writeFile(path.join(info, 'tests', 'tests.yaml'), YAML.stringify(options.tests));
  }
}

/** v1 recipes name some about fields differently from about.json (rattler-build maps them the same way). */
function aboutJson(about: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const renamed: Record<string, string> = { homepage: 'home', repository: 'dev_url', documentation: 'doc_url' };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(about)) if (value !== undefined && value !== null) out[renamed[key] ?? key] = value;
  return out;
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

async function describePath(root: string, relative: string, prefixes: readonly string[]): Promise<StagedPath> {
  const full = path.join(root, relative);
  const info = await lstat(full);
  if (info.isSymbolicLink()) {
    const target = Buffer.from(await readlink(full));
    return { _path: relative, path_type: 'softlink', sha256: sha256(target), size_in_bytes: target.length };
  }
  const data = await readFile(full);
  const described: StagedPath = { _path: relative, path_type: 'hardlink', sha256: sha256(data), size_in_bytes: data.length };
  const found = detectPrefix(data, prefixes);
  if (found) {
    described.prefix_placeholder = found.placeholder;
    described.file_mode = found.fileMode;
  }
  return described;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

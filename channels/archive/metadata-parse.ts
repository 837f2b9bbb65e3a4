/**
 * Parsers for the `info/` files, shared by the folder and the archive readers. Each takes
 * the file's text and a `source` (folder or archive path) used in PACKAGE_METADATA errors.
 */
import { badMetadata } from './errors.js';
import type {
  AboutJson,
  FileMode,
  HasPrefixEntry,
  IndexJson,
  LinkJson,
  PathsEntry,
  PathsJson,
  PathType,
  RunExportsJson,
} from './metadata-types.js';

/** conda's historical placeholder, used when a has_prefix line names only a path. */
export const LEGACY_PREFIX_PLACEHOLDER = '/opt/anaconda1anaconda2anaconda3';

const PATH_TYPES: ReadonlySet<string> = new Set<PathType>(['hardlink', 'softlink', 'directory']);
const FILE_MODES: ReadonlySet<string> = new Set<FileMode>(['text', 'binary']);

function parseJsonObject(text: string, source: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badMetadata(source, file, `not valid JSON (${(err as Error).message})`, err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badMetadata(source, file, 'expected a JSON object');
  return value as Record<string, unknown>;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** `info/index.json`: name, version and build are required; `depends` defaults to []. */
export function parseIndexJson(text: string, source: string): IndexJson {
  const file = 'info/index.json';
  const raw = parseJsonObject(text, source, file);
  for (const key of ['name', 'version', 'build'] as const) {
    if (typeof raw[key] !== 'string' || raw[key] === '') throw badMetadata(source, file, `'${key}' must be a non-empty string`);
  }
  if (raw.build_number !== undefined && !Number.isInteger(raw.build_number)) {
    throw badMetadata(source, file, `'build_number' must be an integer, got ${JSON.stringify(raw.build_number)}`);
  }
  if (raw.depends !== undefined && !isStringArray(raw.depends)) throw badMetadata(source, file, "'depends' must be a list of strings");
  if (raw.constrains !== undefined && !isStringArray(raw.constrains)) {
    throw badMetadata(source, file, "'constrains' must be a list of strings");
  }
  return { ...raw, build_number: raw.build_number ?? 0, depends: raw.depends ?? [] } as unknown as IndexJson;
}

/** `info/paths.json`, validated entry by entry. */
export function parsePathsJson(text: string, source: string): PathsJson {
  const file = 'info/paths.json';
  const raw = parseJsonObject(text, source, file);
  if (!Array.isArray(raw.paths)) throw badMetadata(source, file, "'paths' must be a list");
  const paths = raw.paths.map((item: unknown, index): PathsEntry => {
    const entry = item as Record<string, unknown>;
    if (typeof item !== 'object' || item === null || typeof entry._path !== 'string') {
      throw badMetadata(source, file, `paths[${index}] has no '_path'`);
    }
    if (typeof entry.path_type !== 'string' || !PATH_TYPES.has(entry.path_type)) {
      throw badMetadata(source, file, `paths[${index}] ('${entry._path}') has path_type ${JSON.stringify(entry.path_type)}`);
    }
    if (entry.file_mode !== undefined && !FILE_MODES.has(entry.file_mode as string)) {
      throw badMetadata(source, file, `paths[${index}] ('${entry._path}') has file_mode ${JSON.stringify(entry.file_mode)}`);
    }
    return entry as unknown as PathsEntry;
  });
  return { paths_version: typeof raw.paths_version === 'number' ? raw.paths_version : 1, paths };
}

/** Non-empty, non-comment lines, trimmed (conda's `yield_lines`). */
export function contentLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * `info/has_prefix`: `<placeholder> <text|binary> <path>` per line, or a bare `<path>`
 * meaning the legacy placeholder in text mode. Fields may be quoted (win-64 packages quote
 * `"C:/ci/.../_h_env"`); quotes are removed as conda does.
 */
export function parseHasPrefix(text: string, source: string): HasPrefixEntry[] {
  return contentLines(text).map((line) => {
    const fields = (line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((field) => field.replace(/^["']+|["']+$/g, ''));
    if (fields.length === 1) {
      return { path: fields[0] as string, prefix_placeholder: LEGACY_PREFIX_PLACEHOLDER, file_mode: 'text' };
    }
    const [placeholder, mode, filePath] = fields;
    if (fields.length !== 3 || !FILE_MODES.has(mode as string)) {
      throw badMetadata(source, 'info/has_prefix', `cannot read the line '${line}'`);
    }
    return { path: filePath as string, prefix_placeholder: placeholder as string, file_mode: mode as FileMode };
  });
}

/** The legacy files conda builds `paths.json` from when a package predates it. */
export interface LegacyPathsInput {
  files: string;
  hasPrefix?: string;
  /** `info/no_link` and `info/no_softlink`, concatenated. */
  noLink?: string;
  /** Whether the payload path is a symlink (conda looks at the extracted file). */
  isSymlink: (relativePath: string) => boolean;
}

/** Build the {@link PathsJson} of a package without `paths.json`, the way conda does. */
export function legacyPathsJson(input: LegacyPathsInput, source: string): PathsJson {
  const prefixes = new Map(parseHasPrefix(input.hasPrefix ?? '', source).map((entry) => [entry.path, entry]));
  const noLink = new Set(contentLines(input.noLink ?? ''));
  const paths = contentLines(input.files).map((file): PathsEntry => {
    const entry: PathsEntry = { _path: file, path_type: input.isSymlink(file) ? 'softlink' : 'hardlink' };
    const prefix = prefixes.get(file);
    if (prefix !== undefined) {
      entry.prefix_placeholder = prefix.prefix_placeholder;
      entry.file_mode = prefix.file_mode;
    }
    if (noLink.has(file)) entry.no_link = true;
    return entry;
  });
  return { paths_version: 0, paths };
}

/** `info/link.json`. */
export function parseLinkJson(text: string, source: string): LinkJson {
  const file = 'info/link.json';
  const raw = parseJsonObject(text, source, file) as LinkJson;
  if (raw.noarch !== undefined) {
    if (typeof raw.noarch !== 'object' || raw.noarch === null || typeof raw.noarch.type !== 'string') {
      throw badMetadata(source, file, "'noarch' must be an object with a 'type'");
    }
    if (raw.noarch.entry_points !== undefined && !isStringArray(raw.noarch.entry_points)) {
      throw badMetadata(source, file, "'noarch.entry_points' must be a list of strings");
    }
  }
  return raw;
}

/** `info/run_exports.json`. */
export function parseRunExportsJson(text: string, source: string): RunExportsJson {
  const file = 'info/run_exports.json';
  const raw = parseJsonObject(text, source, file);
  for (const [key, value] of Object.entries(raw)) {
    if (!isStringArray(value)) throw badMetadata(source, file, `'${key}' must be a list of strings`);
  }
  return raw as RunExportsJson;
}

/** `info/about.json` (free form: only checked to be an object). */
export function parseAboutJson(text: string, source: string): AboutJson {
  return parseJsonObject(text, source, 'info/about.json') as AboutJson;
}

/**
 * Reading conda-build meta.yaml sections (parsed with every scalar a string, as conda-build's
 * StringifyNumbersLoader keeps numbers) into the pieces of an output draft.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { recipeError, type SourceLocation } from '../errors.js';
import { emptyRunExports } from '../draft.js';
import type { RecipeTest, RunExports, SourceSpec } from '../stage1.js';

export type Plain = string | Plain[] | { [key: string]: Plain } | null;
export type PlainMap = { [key: string]: Plain };

export function isMapValue(v: Plain | undefined): v is PlainMap {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

export function asMap(v: Plain | undefined): PlainMap {
  return isMapValue(v) ? v : {};
}

/** A list of strings: a scalar is a one-item list; empty items and conda-build's "None" are dropped. */
export function asStrings(v: Plain | undefined): string[] {
  if (v === null || v === undefined) return [];
  const items = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const item of items) {
    if (item === null || typeof item === 'object') continue;
    const s = item.trim();
    if (s === '' || s === 'None') continue;
    out.push(s);
  }
  return out;
}

export function asString(v: Plain | undefined): string | undefined {
  if (v === null || v === undefined || typeof v === 'object') return undefined;
  return v;
}

const TRUE = new Set(['true', 'yes', 'on', 'y', '1']);

/** YAML 1.1 booleans, as PyYAML reads them. */
export function asBool(v: Plain | undefined): boolean {
  if (typeof v !== 'string') return false;
  return TRUE.has(v.trim().toLowerCase());
}

export function asInt(v: Plain | undefined, loc: SourceLocation, field: string, fallback = 0): number {
  const s = asString(v);
  if (s === undefined || s.trim() === '') return fallback;
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n < 0) throw recipeError(loc, `${field} must be a non-negative integer, not '${s}'`);
  return n;
}

export function sourcesOf(v: Plain | undefined, recipeDir: string): SourceSpec[] {
  const items = Array.isArray(v) ? v : isMapValue(v) ? [v] : [];
  const out: SourceSpec[] = [];
  for (const item of items) {
    if (!isMapValue(item)) continue;
    const patches = asStrings(item.patches);
    const targetDirectory = asString(item.folder);
    const common = { ...(targetDirectory ? { targetDirectory } : {}), patches };
    if (item.url !== undefined) {
      const sha256 = asString(item.sha256);
      const md5 = asString(item.md5);
      const fileName = asString(item.fn);
      out.push({ kind: 'url', url: asStrings(item.url), ...(sha256 ? { sha256 } : {}), ...(md5 ? { md5 } : {}), ...(fileName ? { fileName } : {}), ...common });
    } else if (item.git_url !== undefined) {
      const rev = asString(item.git_rev) ?? asString(item.git_tag) ?? asString(item.git_branch);
      const depth = asString(item.git_depth);
      out.push({ kind: 'git', git: asString(item.git_url) ?? '', ...(rev ? { rev } : {}), ...(depth && Number(depth) > 0 ? { depth: Number(depth) } : {}), ...common });
    } else if (item.path !== undefined) {
      out.push({ kind: 'path', path: path.resolve(recipeDir, asString(item.path) ?? '.'), ...common });
    }
  }
  return out;
}

/** `run_exports` as a list (weak) or a map of the five kinds. */
export function runExportsOf(v: Plain | undefined): RunExports {
  if (isMapValue(v)) {
    return {
      weak: asStrings(v.weak),
      strong: asStrings(v.strong),
      noarch: asStrings(v.noarch),
      weak_constrains: asStrings(v.weak_constrains),
      strong_constrains: asStrings(v.strong_constrains),
    };
  }
  return { ...emptyRunExports(), weak: asStrings(v) };
}

/** conda-build `test:` → the builder's tests (script commands, python imports). */
export function testsOf(v: Plain | undefined): RecipeTest[] {
  const test = asMap(v);
  const tests: RecipeTest[] = [];
  const imports = asStrings(test.imports);
  if (imports.length > 0) tests.push({ kind: 'python', imports, pipCheck: false });
  const commands = asStrings(test.commands);
  const requires = asStrings(test.requires);
  const files = [...asStrings(test.files), ...asStrings(test.source_files)];
  if (commands.length > 0 || (imports.length === 0 && (requires.length > 0 || files.length > 0))) {
    tests.push({ kind: 'script', script: commands, requirements: { run: requires, build: [] }, files });
  } else if (requires.length > 0 || files.length > 0) {
    // imports run in an environment with the test requirements too
    tests.push({ kind: 'script', script: [], requirements: { run: requires, build: [] }, files });
  }
  return tests;
}

/** The build script: inline `build/script`, or build.sh / bld.bat beside the recipe. */
export function scriptOf(buildScript: Plain | undefined, outputScript: Plain | undefined, recipeDir: string, targetPlatform: string, topLevel: boolean): string[] | { file: string } {
  const file = asString(outputScript);
  if (file !== undefined && file.trim() !== '') return { file: file.trim() };
  const inline = asStrings(buildScript);
  if (inline.length > 0) return inline;
  if (!topLevel) return [];
  const name = targetPlatform.startsWith('win-') ? 'bld.bat' : 'build.sh';
  return existsSync(path.join(recipeDir, name)) ? { file: name } : [];
}

/** `script_env`: `NAME=value` entries, or names passed through from the environment. */
export function scriptEnvOf(v: Plain | undefined, env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of asStrings(v)) {
    const eq = item.indexOf('=');
    if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    else if (env[item] !== undefined) out[item] = env[item]!;
  }
  return out;
}

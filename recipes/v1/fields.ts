/** Reading evaluated recipe.yaml sections into the pieces of an output draft. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { recipeError, type SourceLocation } from '../errors.js';
import { emptyRunExports } from '../draft.js';
import type { FileSelection, RecipeTest, RunExports, SourceSpec } from '../stage1.js';
import type { Json } from './template.js';

export type JsonMap = { [k: string]: Json };

export function isJsonMap(v: Json | undefined): v is JsonMap {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

export function mapOf(v: Json | undefined): JsonMap {
  return isJsonMap(v) ? v : {};
}

/** Strings of a list (or one scalar), rendered values stringified, nulls and empties dropped. */
export function strings(v: Json | undefined): string[] {
  if (v === null || v === undefined) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.filter((x): x is string | number | boolean => x !== null && typeof x !== 'object').map((x) => String(x).trim()).filter((x) => x !== '');
}

export function str(v: Json | undefined): string | undefined {
  return v === null || v === undefined || typeof v === 'object' ? undefined : String(v);
}

export function intOf(v: Json | undefined, loc: SourceLocation, field: string, fallback: number): number {
  if (v === null || v === undefined || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < 0) throw recipeError(loc, `${field} must be a non-negative integer, not '${String(v)}'`);
  return n;
}

export function sourcesOf(v: Json | undefined, recipeDir: string): SourceSpec[] {
  const items = Array.isArray(v) ? v : isJsonMap(v) ? [v] : [];
  const out: SourceSpec[] = [];
  for (const item of items) {
    if (!isJsonMap(item)) continue;
    const targetDirectory = str(item.target_directory);
    const common = { ...(targetDirectory ? { targetDirectory } : {}), patches: strings(item.patches) };
    if (item.url !== undefined) {
      const sha256 = str(item.sha256);
      const md5 = str(item.md5);
      const fileName = str(item.file_name);
      out.push({ kind: 'url', url: strings(item.url), ...(sha256 ? { sha256 } : {}), ...(md5 ? { md5 } : {}), ...(fileName ? { fileName } : {}), ...common });
    } else if (item.git !== undefined) {
      const rev = str(item.rev) ?? str(item.tag) ?? str(item.branch);
      const depth = item.depth;
      out.push({ kind: 'git', git: str(item.git) ?? '', ...(rev ? { rev } : {}), ...(typeof depth === 'number' && depth > 0 ? { depth } : {}), ...common });
    } else if (item.path !== undefined) {
      out.push({ kind: 'path', path: path.resolve(recipeDir, str(item.path) ?? '.'), ...common });
    }
  }
  return out;
}

export function runExportsOf(v: Json | undefined): RunExports {
  if (isJsonMap(v)) {
    return {
      weak: strings(v.weak),
      strong: strings(v.strong),
      noarch: strings(v.noarch),
      weak_constrains: strings(v.weak_constraints ?? v.weak_constrains),
      strong_constrains: strings(v.strong_constraints ?? v.strong_constrains),
    };
  }
  return { ...emptyRunExports(), weak: strings(v) };
}

const SCRIPT_EXTENSIONS = /\.(sh|bat|ps1|py|nu|pl|rb|cmd)$/;

/**
 * build.script in rattler-build's forms: a string or list of lines, a script file name
 * (`build.sh`, or `build` with the platform's extension added when that file exists), or a
 * map with `file` or `content`, `env` and `interpreter` (run-script.ts knows which
 * program runs each). `secrets` (variables passed from the caller's environment, masked in
 * logs) are not supported and ignored. Absent → build.sh / build.bat beside the recipe.
 */
export function scriptOf(v: Json | undefined, recipeDir: string, targetPlatform: string): { script: string[] | { file: string }; env: Record<string, string>; interpreter?: string } {
  const env: Record<string, string> = {};
  const extension = targetPlatform.startsWith('win-') ? '.bat' : '.sh';
  const fileName = (t: string): string => (!SCRIPT_EXTENSIONS.test(t) && !existsSync(path.join(recipeDir, t)) && existsSync(path.join(recipeDir, `${t}${extension}`)) ? `${t}${extension}` : t);
  const asFileOrLines = (s: string): string[] | { file: string } => {
    const t = s.trim();
    if (!t.includes('\n') && SCRIPT_EXTENSIONS.test(t) && !/\s/.test(t)) return { file: t };
    if (!t.includes('\n') && !/\s/.test(t) && (existsSync(path.join(recipeDir, t)) || existsSync(path.join(recipeDir, `${t}${extension}`)))) return { file: fileName(t) };
    return t.split('\n').filter((l) => l.trim() !== '');
  };
  if (typeof v === 'string') return { script: asFileOrLines(v), env };
  if (Array.isArray(v)) {
    const lines = strings(v);
    return { script: lines.length === 1 ? asFileOrLines(lines[0]!) : lines, env };
  }
  if (isJsonMap(v)) {
    for (const [k, val] of Object.entries(mapOf(v.env))) if (val !== null && typeof val !== 'object') env[k] = String(val);
    const interpreter = str(v.interpreter)?.trim();
    const withInterpreter = interpreter && interpreter !== 'bash' ? { interpreter } : {};
    const file = str(v.file);
    if (file) return { script: { file: fileName(file.trim()) }, env, ...withInterpreter };
    // `content` is always the script's text, even when it looks like a file name; other
    // interpreters keep blank lines and indentation (python).
    const content = v.content;
    const lines = typeof content === 'string' ? content.split('\n') : strings(content).flatMap((l) => l.split('\n'));
    return { script: interpreter && interpreter !== 'bash' ? lines : lines.filter((l) => l.trim() !== ''), env, ...withInterpreter };
  }
  const name = targetPlatform.startsWith('win-') ? 'build.bat' : 'build.sh';
  return { script: existsSync(path.join(recipeDir, name)) ? { file: name } : [], env };
}

/** The `tests:` list: script, python and package_contents tests (others are ignored). */
export function testsOf(v: Json | undefined): RecipeTest[] {
  const out: RecipeTest[] = [];
  for (const t of Array.isArray(v) ? v : []) {
    if (!isJsonMap(t)) continue;
    if (t.script !== undefined) {
      const script = isJsonMap(t.script) ? (typeof t.script.content === 'string' ? t.script.content.split('\n') : strings(t.script.content ?? t.script.file)) : typeof t.script === 'string' ? t.script.split('\n') : strings(t.script);
      const reqs = mapOf(t.requirements);
      const files = mapOf(t.files);
      out.push({ kind: 'script', script: script.filter((l) => l.trim() !== ''), requirements: { run: strings(reqs.run), build: strings(reqs.build) }, files: [...strings(files.source), ...strings(files.recipe)] });
    } else if (t.python !== undefined) {
      const py = mapOf(t.python);
      out.push({ kind: 'python', imports: strings(py.imports), pipCheck: py.pip_check !== false });
    } else if (t.package_contents !== undefined) {
      const pc = mapOf(t.package_contents);
      const files = isJsonMap(pc.files) ? strings(pc.files.exists) : strings(pc.files);
      const list = (x: Json | undefined): string[] => (isJsonMap(x) ? strings(x.exists) : strings(x));
      out.push({ kind: 'package_contents', files, sitePackages: list(pc.site_packages), bin: list(pc.bin), lib: list(pc.lib), include: list(pc.include) });
    }
  }
  return out;
}

/** `build.files`: a list of globs, or `{include, exclude}` (no include list takes every new file). */
export function filesOf(v: Json | undefined): FileSelection | undefined {
  if (v === undefined || v === null) return undefined;
  return isJsonMap(v) ? { include: strings(v.include), exclude: strings(v.exclude) } : { include: strings(v), exclude: [] };
}

/** Output-level keys override top-level ones, maps merged key by key (rattler-build's inheritance). */
export function deepMerge(base: Json | undefined, over: Json | undefined): Json {
  if (isJsonMap(base) && isJsonMap(over)) {
    const out: JsonMap = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
    return out;
  }
  return over === undefined ? (base ?? null) : over;
}

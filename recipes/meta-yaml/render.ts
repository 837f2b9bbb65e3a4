/**
 * conda-build meta.yaml: for each variant, Jinja over the whole file, then `# [selector]`
 * lines, then YAML (conda-build's order), then one draft per output. Used variant keys come
 * from conda-build's text scan of the selected raw recipe (per output section) and scripts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { cleanEngineMessage, recipeError, type SourceLocation } from '../errors.js';
import { finalizeDrafts, specName, type OutputDraft } from '../draft.js';
import type { HashInputValue } from '../hash.js';
import type { FormatContext } from '../format-context.js';
import { envObject } from '../jinja-env.js';
import { rewritePythonJinja } from './python-jinja.js';
import { insertVariantVersions } from './variant-versions.js';
import { buildEnvVars, fillPackageHash, type PackageInfo } from './build-env.js';
import { checkKeys, sectionOf, type KeyProblem, type KeyTable } from '../keys/table.js';
import { unknownNameWarning } from '../keys/unknown-names.js';
import { platformFlags } from '../platform-vars.js';
import { selectLines, selectorNamespace } from '../selectors.js';
import type { RenderedOutput } from '../stage1.js';
import { usedVarsInBatch, usedVarsInMetaText, usedVarsInShell } from '../used-vars.js';
import { explodeVariants, type Variant, type VariantConfig, type VariantValue } from '../variant-config.js';
import { META_BUILD, META_PACKAGE, META_REQUIREMENTS, META_ROOT } from './keys.js';
import { xxKeys, xxToHostPin, xxToVariant } from './xx-pins.js';
import { asBool, asInt, asMap, asString, asStrings, isMapValue, runExportsOf, scriptEnvOf, scriptOf, sourcesOf, testsOf, type Plain, type PlainMap } from './fields.js';

// conda-build's output_re: each `- name:` (or `- type:`) item of the outputs list.
const OUTPUT_RE = /^ +- +(?:name|type):.+?(?=^\w|(?![\s\S])|^ +- +(?:name|type))/gms;
const REQUIREMENTS_BLOCK_RE = /requirements:[\s\S]+?(?=^\w|(?![\s\S])|^\s+-\s(?:name|type))/gm;
const reqNames = (v: Plain | undefined): string[] => asStrings(v).map((r) => (r.split(/\s+/)[0] ?? '').replace(/-/g, '_'));
const PIN_SUBPACKAGE_RE = /\{\{\s*pin_subpackage\(\s*['"]([^'"]+)['"][^}]*\}\}/g;
const OUTPUTS_BLOCK_RE = /^outputs:[\s\S]*?(?=^\w|(?![\s\S]))/m;

function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

export function renderMetaYaml(ctx: FormatContext): RenderedOutput[] {
  const file = ctx.recipePath;
  const raw = readFileSync(file, 'utf8');
  const buildSh = readIfExists(path.join(ctx.recipeDir, 'build.sh'));
  const bldBat = readIfExists(path.join(ctx.recipeDir, 'bld.bat'));
  const keys = [...ctx.config.values.keys(), 'target_platform'];
  const candidates = new Set([...usedVarsInMetaText(keys, raw.replace(PIN_SUBPACKAGE_RE, '$1')), ...xxKeys(keys, raw), ...usedVarsInShell(keys, buildSh), ...usedVarsInBatch(keys, bldBat)]);
  const variants = explodeVariants(ctx.config, candidates);
  const seen = new Set<string>();
  const results: RenderedOutput[] = [];
  for (const variant of variants) {
    const full: Variant = { target_platform: ctx.targetPlatform, ...variant };
    for (const output of renderVariant(ctx, raw, full, { buildSh, bldBat }, candidates)) {
      const id = `${output.name}\u0000${output.build.string}\u0000${JSON.stringify(output.variant)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      results.push(output);
    }
  }
  return results;
}

function stringVariant(variant: Variant): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(variant)) out[k] = String(v);
  return out;
}

function renderVariant(ctx: FormatContext, raw: string, variant: Variant, scripts: { buildSh: string; bldBat: string }, candidates: ReadonlySet<string>): RenderedOutput[] {
  const file = ctx.recipePath;
  const strVariant = stringVariant(variant);
  const ns = selectorNamespace({ targetPlatform: ctx.targetPlatform, buildPlatform: ctx.buildPlatform, variant: strVariant, env: ctx.env });
  // conda-build's FilteredLoader applies the `# [selector]` lines before Jinja sees the text,
  // so a template on a line another platform's selector removes is never evaluated.
  const unknownNames: { name: string; expression: string; loc: SourceLocation }[] = [];
  const template = rewritePythonJinja(selectLines(raw, ns, file, 0, (name, expression, loc) => unknownNames.push({ name, expression, loc })));
  const renderText = (pkg: PackageInfo | undefined): { text: string; context: Record<string, unknown> } => {
    const buildVars = buildEnvVars({ targetPlatform: ctx.targetPlatform, buildPlatform: ctx.buildPlatform, recipeDir: ctx.recipeDir, variant: strVariant, pkg });
    // conda-build's context: the build environment's variables, the selector names, then the
    // variant as strings (overriding the int-converted selector values: `gcc_maj_ver|int`);
    // `environ` is the process environment updated with the build variables, `os.environ`
    // the process environment alone.
    const context: Record<string, unknown> = {
      ...buildVars,
      ...ns,
      ...strVariant,
      environ: envObject({ ...ctx.env, ...buildVars }),
      os: { environ: envObject(ctx.env), sep: ctx.targetPlatform.startsWith('win-') ? '\\' : '/', path: osPath(ctx.targetPlatform) },
    };
    try {
      return { text: ctx.engine.env.renderStr(template, context), context };
    } catch (error) {
      const m = /\(in [^:)]*:(\d+)\)/.exec(error instanceof Error ? error.message : '');
      const line = m ? Number(m[1]) : undefined;
      const text = line !== undefined ? raw.split(/\r?\n/)[line - 1]?.trim() : undefined;
      throw recipeError({ file, ...(line !== undefined ? { line } : {}) }, `Jinja error: ${cleanEngineMessage(error)}${text ? ` in '${text}'` : ''}`, { cause: error });
    }
  };
  ctx.engine.state.variant = variant;
  ctx.engine.state.targetPlatform = ctx.targetPlatform;
  ctx.engine.state.buildPlatform = ctx.buildPlatform;
  // PKG_NAME, PKG_VERSION and PKG_BUILDNUM come from the recipe itself: conda-build renders
  // again once a first pass has given them.
  const needsPkg = /\bPKG_(?:NAME|VERSION|BUILDNUM)\b/.test(raw);
  let pass = renderText(needsPkg ? { name: 'PKG_NAME', version: 'PKG_VERSION', buildNumber: '0' } : undefined);
  if (needsPkg) pass = renderText(packageInfoOf(selectLines(pass.text, ns, file)));
  const { text: rendered, context: jinjaContext } = pass;
  const known = new Set([...Object.keys(jinjaContext), ...ctx.config.values.keys(), ...ctx.config.extras.keys()]);
  const suggestions = [...Object.keys(platformFlags(ctx.targetPlatform)), ...Object.keys(jinjaContext).filter((k) => !(k in ctx.env)), ...ctx.config.values.keys()];
  for (const unknown of unknownNames) {
    const warning = known.has(unknown.name) ? undefined : unknownNameWarning(unknown, 'meta.yaml', suggestions);
    if (warning) ctx.warn(warning);
  }
  // Selectors a template wrote (`{{ x }}  # [linux]` keeps its comment through Jinja).
  const selected = selectLines(rendered, ns, file);
  const doc = parseYaml(selected, raw, file);
  // conda-build renders and builds past an unknown key (only `conda build --check` rejects it).
  doc.checkKeys(META_ROOT, (problem) => ctx.warn(problem));
  const meta = doc.value;
  const selectedRaw = selectLines(raw, ns, file);
  const drafts = draftsOf(ctx, meta, doc.locate, variant, { raw, selectedRaw }, scripts, candidates);
  return finalizeDrafts(drafts, {
    format: 'meta.yaml',
    recipePath: file,
    recipeDir: ctx.recipeDir,
    targetPlatform: ctx.targetPlatform,
    hashInput: (draft) => condaBuildHashInput(draft, ctx.config),
    defaultBuildString: condaBuildString,
    explicitBuildString: (draft, hash) => fillPackageHash(draft.buildString ?? '', hash),
  });
}

/** The name, version and build number a first render gives (conda-build's PKG_* variables). */
function packageInfoOf(selected: string): PackageInfo {
  const doc = parseDocument(selected, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false });
  const meta = (doc.errors.length === 0 ? doc.toJS() : {}) as Plain;
  const pkg = isMapValue(meta) ? asMap(meta.package) : {};
  const build = isMapValue(meta) ? asMap(meta.build) : {};
  return { name: asString(pkg.name) ?? '', version: asString(pkg.version) ?? '', buildNumber: asString(build.number)?.trim() || '0' };
}

/** The `os.path` functions recipes use on paths (POSIX or Windows, after the target). */
function osPath(targetPlatform: string): Record<string, unknown> {
  const p = targetPlatform.startsWith('win-') ? path.win32 : path.posix;
  const s = (v: unknown): string => String(v ?? '');
  return {
    join: (...parts: unknown[]) => p.join(...parts.map(s)),
    basename: (v: unknown) => p.basename(s(v)),
    dirname: (v: unknown) => p.dirname(s(v)),
    sep: p.sep,
  };
}

interface ParsedMeta {
  readonly value: PlainMap;
  /** The location, in the original file, of the rendered node at `pathParts`. */
  readonly locate: (pathParts: (string | number)[]) => SourceLocation;
  /** Reports each key the table does not know, located in the original file. */
  readonly checkKeys: (table: KeyTable, report: (problem: KeyProblem) => void) => void;
}

/** A line of the rendered text mapped back to the original: the same text, else the same number. */
function originalLine(renderedLine: string | undefined, raw: string[], fallback: number): number {
  const needle = renderedLine?.trim();
  if (needle) {
    const hits = raw.map((l, i) => (l.trim().startsWith(needle) ? i + 1 : 0)).filter((n) => n > 0);
    if (hits.length >= 1) return hits.reduce((best, n) => (Math.abs(n - fallback) < Math.abs(best - fallback) ? n : best));
  }
  return fallback;
}

function parseYaml(text: string, raw: string, file: string): ParsedMeta {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: 'failsafe', uniqueKeys: false, prettyErrors: false });
  const renderedLines = text.split('\n');
  const rawLines = raw.split(/\r?\n/);
  const toLoc = (offset: number): SourceLocation => {
    const pos = lineCounter.linePos(offset);
    return { file, line: originalLine(renderedLines[pos.line - 1], rawLines, pos.line), col: pos.col };
  };
  const error = doc.errors[0];
  if (error) throw recipeError(toLoc(error.pos[0]), `invalid YAML after templates and selectors: ${error.message.split('\n')[0]}`);
  let value: Plain;
  try {
    value = (doc.toJS() ?? {}) as Plain;
  } catch (e) {
    throw recipeError({ file }, `invalid YAML after templates and selectors: ${(e as Error).message}`, { cause: e });
  }
  if (!isMapValue(value)) throw recipeError({ file, line: 1 }, 'meta.yaml must be a mapping (package:, source:, build:, ...)');
  const locate = (parts: (string | number)[]): SourceLocation => {
    let node: unknown = doc.contents;
    let last: YamlNode | null = doc.contents as YamlNode | null;
    for (const part of parts) {
      if (isMap(node)) node = node.items.find((p) => String((p.key as { value?: unknown })?.value) === String(part))?.value;
      else if (isSeq(node) && typeof part === 'number') node = node.items[part];
      else break;
      if (node && (node as YamlNode).range) last = node as YamlNode;
    }
    return last?.range ? toLoc(last.range[0]) : { file };
  };
  const at = (node: YamlNode | null | undefined): SourceLocation => (node?.range ? toLoc(node.range[0]) : { file });
  const check = (table: KeyTable, report: (problem: KeyProblem) => void): void => checkKeys(doc.contents as YamlNode | null, table, 'the top level', { at, report });
  return { value, locate, checkKeys: check };
}

function draftsOf(
  ctx: FormatContext,
  meta: PlainMap,
  locate: ParsedMeta['locate'],
  variant: Variant,
  texts: { raw: string; selectedRaw: string },
  scripts: { buildSh: string; bldBat: string },
  candidates: ReadonlySet<string>,
): OutputDraft[] {
  const { raw, selectedRaw } = texts;
  const file = ctx.recipePath;
  const pkg = sectionOf(META_PACKAGE, meta.package);
  const build = sectionOf(META_BUILD, meta.build);
  const name = asString(pkg.name);
  const version = asString(pkg.version);
  const outputs = Array.isArray(meta.outputs) ? meta.outputs.filter(isMapValue) : [];
  if (!name && outputs.length === 0) throw recipeError(locate(['package']), 'package/name is missing');
  if (version === undefined && outputs.every((o) => asString(o.version) === undefined)) throw recipeError(locate(['package']), 'package/version is missing');
  const topSkip = asBool(build.skip);
  const topNumber = asInt(build.number, locate(['build', 'number']), 'build/number');
  const sources = sourcesOf(meta.source, ctx.recipeDir);
  // Only keys the whole recipe uses can be used by one of its outputs.
  const keys = [...candidates];
  const topText = selectedRaw.replace(OUTPUTS_BLOCK_RE, '');
  const outputTexts = selectedRaw.match(OUTPUT_RE) ?? [];
  const rawTopText = raw.replace(OUTPUTS_BLOCK_RE, '');
  const rawOutputTexts = raw.match(OUTPUT_RE) ?? [];

  // Selectors are scanned in the raw text (selection removes them), the rest in the selected text.
  const usedFor = (
    text: string,
    rawText: string,
    script: string | { file: string } | string[] | undefined,
    isTop: boolean,
    reqs: PlainMap,
    noarch: string | undefined,
  ): Record<string, VariantValue> => {
    // conda-build's _get_used_vars_meta_yaml: a key seen only in requirements counts unless
    // it is a bare run requirement that is not also a build/host one.
    const used = usedVarsInMetaText(keys, text.replace(REQUIREMENTS_BLOCK_RE, ''));
    const buildHost = new Set([...reqNames(reqs.build), ...reqNames(reqs.host)]);
    const runOnly = new Set(asStrings(reqs.run).filter((r) => !r.includes(' ')));
    for (const k of usedVarsInMetaText(keys.filter((k) => !used.has(k)), text)) if (!runOnly.has(k) || buildHost.has(k)) used.add(k);
    for (const k of usedVarsInMetaText(keys, rawText, true)) used.add(k);
    for (const k of xxKeys(keys, text)) used.add(k);
    // A noarch: python package is one package for every python (conda-build's regex would
    // count `{{ python_min }}` as a use of python and make one noarch build per python).
    if (noarch === 'python') used.delete('python');
    const scriptTexts: [string, 'sh' | 'bat'][] = [];
    if (isTop) scriptTexts.push([scripts.buildSh, 'sh'], [ctx.targetPlatform.startsWith('win-') ? scripts.bldBat : '', 'bat']);
    if (script && !Array.isArray(script) && typeof script === 'object') {
      const body = readIfExists(path.join(ctx.recipeDir, script.file));
      scriptTexts.push([body, script.file.endsWith('.bat') ? 'bat' : 'sh']);
    }
    for (const [body, kind] of scriptTexts) for (const k of kind === 'sh' ? usedVarsInShell(keys, body) : usedVarsInBatch(keys, body)) used.add(k);
    // conda-build's get_used_vars always adds target_platform (unless noarch) and channel_targets.
    if (noarch === undefined) used.add('target_platform');
    used.add('channel_targets');
    const out: Record<string, VariantValue> = {};
    for (const k of [...used].sort()) if (variant[k] !== undefined) out[k] = variant[k]!;
    return out;
  };

  // conda-build's top-level build: with outputs, the top-level script (build/script or
  // build.sh) runs once with the top-level requirements; its files reach an output only
  // through the output's `files:`, and an output's script packages only what it adds.
  const topReqs = sectionOf(META_REQUIREMENTS, Array.isArray(meta.requirements) ? { run: meta.requirements } : meta.requirements);
  const topScript = outputs.length > 0 ? scriptOf(build.script, undefined, ctx.recipeDir, ctx.targetPlatform, true) : [];
  const topCache: OutputDraft['cache'] =
    outputs.length > 0 && (!Array.isArray(topScript) || topScript.length > 0)
      ? {
          name: name ?? asString(outputs[0]!.name) ?? 'top-level',
          version: version ?? '',
          script: topScript,
          scriptEnv: scriptEnvOf(build.script_env, ctx.env),
          sources,
          requirements: {
            ...withVariantVersions(topReqs, variant),
            ignoreRunExports: { byName: asStrings(build.ignore_run_exports), fromPackage: asStrings(build.ignore_run_exports_from) },
          },
          usedVariant: { ...usedFor(topText, rawTopText, topScript, true, topReqs, undefined), target_platform: ctx.targetPlatform },
          inheritRunExports: false,
          restoredFiles: 'listed',
        }
      : undefined;

  const make = (o: PlainMap, index: number | null): OutputDraft => {
    const isTop = index === null;
    const where = isTop ? ['package'] : ['outputs', index];
    const loc = locate(where);
    const ob = isTop ? build : sectionOf(META_BUILD, o.build);
    const outName = isTop ? name! : asString(o.name);
    if (!outName) throw recipeError(loc, 'an output has no name');
    const outVersion = (isTop ? version : asString(o.version) ?? version) ?? '';
    if (!outVersion) throw recipeError(loc, `output '${outName}' has no version`);
    // An output named like the package (or the package itself) takes the top-level requirements.
    const reqSource = isTop ? meta.requirements : o.requirements ?? (outName === name ? meta.requirements : undefined);
    const reqs = sectionOf(META_REQUIREMENTS, Array.isArray(reqSource) ? { run: reqSource } : reqSource);
    const noarchRaw = asString(ob.noarch);
    const noarch = noarchRaw === 'python' || asBool(ob.noarch_python) ? 'python' : noarchRaw === 'generic' ? 'generic' : undefined;
    if (noarchRaw !== undefined && noarchRaw !== 'python' && noarchRaw !== 'generic' && noarchRaw !== '') throw recipeError(locate([...where.slice(0, isTop ? 0 : 2), 'build', 'noarch']), `invalid noarch value '${noarchRaw}' (expected python or generic)`);
    const script = isTop ? scriptOf(build.script, undefined, ctx.recipeDir, ctx.targetPlatform, true) : scriptOf(ob.script, o.script, ctx.recipeDir, ctx.targetPlatform, false);
    const runExports = runExportsOf(ob.run_exports ?? (isTop ? undefined : o.run_exports));
    const buildString = asString(ob.string);
    const sectioned = outputTexts.length === outputs.length && rawOutputTexts.length === outputs.length;
    // conda-build scans an output's rendered text, where `pin_subpackage('x')` is still the
    // bare name `x` (a requirement line like any other), after the raw top-level text.
    const rendered = (t: string): string => t.replace(PIN_SUBPACKAGE_RE, '$1');
    const text = isTop || !sectioned ? rendered(selectedRaw) : `${topText}\n${rendered(outputTexts[index!]!)}`;
    const rawText = isTop || !sectioned ? raw : `${rawTopText}\n${rawOutputTexts[index!]}`;
    const files = isTop || o.files === undefined ? undefined : isMapValue(o.files) ? { include: asStrings(o.files.include), exclude: asStrings(o.files.exclude) } : { include: asStrings(o.files), exclude: [] };
    return {
      name: outName,
      version: outVersion,
      buildNumber: isTop ? topNumber : asInt(ob.number, loc, 'build/number', topNumber),
      buildString: buildString && buildString.trim() !== '' ? buildString.trim() : undefined,
      script,
      scriptEnv: scriptEnvOf(ob.script_env, ctx.env),
      noarch,
      skip: topSkip || asBool(ob.skip),
      entryPoints: asStrings(ob.entry_points),
      // The top-level build's work folder carries the sources to every output.
      sources: topCache && !isTop ? [] : sources,
      requirements: {
        ...withVariantVersions(reqs, variant),
        runConstraints: asStrings(reqs.run_constrained),
        runExports,
        ignoreRunExports: { byName: asStrings(ob.ignore_run_exports), fromPackage: asStrings(ob.ignore_run_exports_from) },
      },
      tests: testsOf(isTop ? meta.test : o.test),
      about: asMap(isTop ? meta.about : o.about ?? meta.about) as Record<string, unknown>,
      files,
      usedVariant: usedFor(text, rawText, script, isTop, reqs as PlainMap, noarch),
      ...(topCache && !isTop ? { cache: topCache } : {}),
      loc,
    };
  };
  if (outputs.length === 0) return [make({}, null)];
  return outputs.filter((o) => (asString(o.type) ?? 'conda').startsWith('conda')).map((o) => make(o, outputs.indexOf(o)));
}

/** Build, host and run lists with `x.x` and bare variant keys completed as conda-build does. */
function withVariantVersions(reqs: PlainMap, variant: Variant): { build: string[]; host: string[]; run: string[] } {
  const lists = { build: xxToVariant(asStrings(reqs.build), variant), host: xxToVariant(asStrings(reqs.host), variant), run: xxToHostPin(asStrings(reqs.run)) };
  insertVariantVersions(lists, variant);
  return lists;
}

const BUILD_STRING_EXCLUDES = ['python', 'r_base', 'perl', 'lua'];

/**
 * conda-build's `get_hash_contents`: the used keys, minus build-only dependencies listed in
 * `ignore_build_only_deps`, minus python/r_base/perl/lua (already in the build string) unless
 * their value has a space (`3.12.* *_cpython`), nothing when only target_platform is left; plus
 * the virtual packages (`__glibc ...`) of run.
 */
export function condaBuildHashInput(draft: OutputDraft, config: VariantConfig): Record<string, HashInputValue> {
  const names = (specs: readonly string[]): Set<string> => new Set(specs.map(specName));
  const hostRun = new Set([...names(draft.requirements.host), ...names(draft.requirements.run)]);
  const ignoreBuildOnly = (config.extras.get('ignore_build_only_deps') as string[] | undefined) ?? ['python', 'numpy'];
  const ignoreVersion = (config.extras.get('ignore_version') as string[] | undefined) ?? [];
  const excludes = [...BUILD_STRING_EXCLUDES, ...(Array.isArray(ignoreVersion) ? ignoreVersion : [])];
  let keys = Object.keys(draft.usedVariant).filter((k) => !(Array.isArray(ignoreBuildOnly) && ignoreBuildOnly.includes(k) && !hostRun.has(k.replace(/_/g, '-')) && !hostRun.has(k)));
  // conda-build's `re.match(f"{exc}[\\s$]?.*")` matches every key that starts with an excluded word.
  keys = keys.filter((k) => !excludes.some((e) => k.startsWith(e)) || String(draft.usedVariant[k]).includes(' '));
  const out: Record<string, HashInputValue> = {};
  if (!(keys.length === 1 && keys[0] === 'target_platform')) for (const k of keys) out[k] = String(draft.usedVariant[k]);
  for (const spec of draft.requirements.run) if (spec.startsWith('__')) out[spec.split(' ')[0]!] = spec;
  return out;
}

/** conda-build's `build_string_from_metadata` + `build_id`: `py312h1a2b3c4_0`, `h1a2b3c4_0`, or `0` without a hash. */
export function condaBuildString(draft: OutputDraft, hash: string, hashIsEmpty: boolean): string {
  const buildOrHost = draft.requirements.host.length > 0 ? draft.requirements.host : draft.requirements.build;
  const depNames = new Set(buildOrHost.map(specName));
  const runNames = new Set(draft.requirements.run.map(specName));
  const parts: string[] = [];
  for (const [prefix, pkgNames, places] of [
    ['py', ['python'], 2],
    ['pl', ['perl'], 3],
    ['lua', ['lua'], 2],
    ['r', ['r', 'r-base'], 2],
  ] as const) {
    for (const pkg of pkgNames) {
      if (!runNames.has(pkg) || !depNames.has(pkg)) continue;
      if (draft.noarch === 'python' && pkg === 'python') {
        if (!parts.includes(prefix)) parts.push(prefix);
        continue;
      }
      const pinned = buildOrHost.find((s) => specName(s) === pkg && s.trim().split(/\s+/).length > 1)?.trim().split(/\s+/)[1];
      const value = pinned ?? String(draft.usedVariant[pkg.replace(/-/g, '_')] ?? '');
      const entry = `${prefix}${value.split('.').slice(0, places).join('')}`;
      if (value && !parts.includes(entry)) parts.push(entry);
    }
  }
  const prefix = parts.join('');
  const number = String(draft.buildNumber);
  if (hashIsEmpty) return prefix ? `${prefix}_${number}` : number;
  return `${prefix}${hash}_${number}`;
}

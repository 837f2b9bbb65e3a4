/**
 * rattler-build recipe.yaml (v1): parse with spans (stage 0), find the variant keys the
 * recipe reads, and for each variant evaluate context, conditionals and `${{ }}` (stage 1),
 * then one draft per output (a `recipe:` with `outputs:` or a single `package:`).
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { shellQuote } from '../../channels/util/shell-quote.js';
import { recipeError, type SourceLocation } from '../errors.js';
import { finalizeDrafts, specName, type OutputDraft } from '../draft.js';
import { hashPrefix, type HashInputValue } from '../hash.js';
import type { FormatContext } from '../format-context.js';
import { envObject } from '../jinja-env.js';
import { checkKeys, sectionOf } from '../keys/table.js';
import { unknownNameWarning } from '../keys/unknown-names.js';
import { platformFlags } from '../platform-vars.js';
import type { RenderedOutput } from '../stage1.js';
import { namesInExpression } from '../used-vars.js';
import { explodeVariants, type Variant, type VariantValue } from '../variant-config.js';
import { child, evaluate, isConditional, nodeLocation, type EvalScope } from './evaluate.js';
import { V1_IGNORE_RUN_EXPORTS, V1_MULTI_ROOT, V1_OUTPUT_BUILD, V1_PACKAGE, V1_PYTHON, V1_RECIPE, V1_REQUIREMENTS, V1_ROOT, V1_STAGING_NAME } from './keys.js';
import { deepMerge, filesOf, intOf, isJsonMap, mapOf, runExportsOf, scriptOf, sourcesOf, str, strings, testsOf, type JsonMap } from './fields.js';
import { evalCondition, expressionsIn, type Json } from './template.js';

const HASH_MARK = '\u27EAhash\u27EB';

interface Usage {
  /** Free names of every expression and condition. */
  readonly names: Set<string>;
  /** Bare requirement names under build/host (a variant key named like a dependency). */
  readonly reqNames: Set<string>;
}

/** Walks raw nodes collecting expression names (all branches: rattler-build counts every `if:`). */
function collectUsage(node: YamlNode | null | undefined, usage: Usage, inBuildHost = false, depth = 0): void {
  if (!node || depth > 64) return;
  if (isScalar(node)) {
    if (typeof node.value !== 'string') return;
    for (const expr of expressionsIn(node.value)) {
      for (const n of namesInExpression(expr)) usage.names.add(n);
      for (const m of expr.matchAll(/\b(compiler|stdlib)\(\s*['"]([\w-]+)['"]/g)) {
        usage.names.add(`${m[2]}_${m[1]}`);
        usage.names.add(`${m[2]}_${m[1]}_version`);
      }
    }
    if (inBuildHost && !node.value.includes('${{')) {
      const parts = node.value.trim().split(/\s+/);
      if (parts.length === 1 && parts[0]) usage.reqNames.add(parts[0].replace(/-/g, '_'));
    }
    return;
  }
  if (isSeq(node)) {
    for (const item of node.items) collectUsage(item as YamlNode, usage, inBuildHost, depth + 1);
    return;
  }
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const value = pair.value as YamlNode | null;
      if (key === 'if' && isScalar(value) && typeof value.value === 'string') {
        for (const n of namesInExpression(value.value.replace(/^\s*\$\{\{|\}\}\s*$/g, ''))) usage.names.add(n);
        continue;
      }
      if (key === 'skip') {
        const exprs = isSeq(value) ? value.items : [value];
        for (const e of exprs) if (isScalar(e) && typeof e.value === 'string') for (const n of namesInExpression(e.value.replace(/\$\{\{|\}\}/g, ''))) usage.names.add(n);
        continue;
      }
      const buildHost = inBuildHost || key === 'build' || key === 'host';
      collectUsage(value, usage, key === 'requirements' ? false : isConditional(node) ? inBuildHost : buildHost && inRequirements(key, inBuildHost), depth + 1);
    }
  }
}

/** Names every template sees besides the context: taipan's Jinja globals and minijinja's builtins. */
const TEMPLATE_GLOBALS = ['compiler', 'stdlib', 'cdt', 'pin_subpackage', 'pin_compatible', 'match', 'load_setup_py_data', 'load_file_data', 'load_str_data', 'load_file_regex', 'range', 'dict', 'namespace', 'debug'];

/**
 * Warns of each name an `if:` or `skip:` condition reads that is neither a platform name,
 * a variant config key, a context variable nor a template global (rattler-build reads it
 * as false, silently).
 */
function warnUnknownConditionNames(ctx: FormatContext, root: YamlNode, at: (node: YamlNode | null | undefined) => SourceLocation): void {
  const contextNode = child(root, 'context');
  const contextKeys = isMap(contextNode) ? contextNode.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')) : [];
  const candidates = [...Object.keys(platformFlags(ctx.targetPlatform)), 'target_platform', 'host_platform', 'build_platform', ...contextKeys, ...ctx.config.values.keys()];
  const known = new Set([...candidates, ...ctx.config.extras.keys(), ...Object.keys(shellVariables(ctx.targetPlatform)), 'env', 'hash', ...TEMPLATE_GLOBALS]);
  const check = (key: string, node: YamlNode | null | undefined): void => {
    if (!isScalar(node) || typeof node.value !== 'string') return;
    const text = node.value.replace(/^\s*\$\{\{|\}\}\s*$/g, '');
    for (const name of namesInExpression(text)) {
      const warning = known.has(name) ? undefined : unknownNameWarning({ name, expression: `${key}: ${node.value.trim()}`, loc: at(node) }, 'recipe.yaml', candidates);
      if (warning) ctx.warn(warning);
    }
  };
  const walk = (node: YamlNode | null | undefined, depth: number): void => {
    if (!node || depth > 64) return;
    if (isSeq(node)) for (const item of node.items) walk(item as YamlNode, depth + 1);
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const value = pair.value as YamlNode | null;
      if (key === 'context') continue;
      if (key === 'if') check(key, value);
      else if (key === 'skip') for (const item of isSeq(value) ? (value.items as YamlNode[]) : [value]) check(key, item);
      else walk(value, depth + 1);
    }
  };
  walk(root, 0);
}

function inRequirements(key: string, already: boolean): boolean {
  return already || key === 'build' || key === 'host';
}

function newUsage(): Usage {
  return { names: new Set(), reqNames: new Set() };
}

export function renderRecipeYaml(ctx: FormatContext): RenderedOutput[] {
  const file = ctx.recipePath;
  const text = readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const pos = lineCounter.linePos(error.pos[0]);
    throw recipeError({ file, line: pos.line, col: pos.col }, `invalid YAML: ${error.message.split('\n')[0]}`);
  }
  const root = doc.contents as YamlNode | null;
  const at = (node: YamlNode | null | undefined): SourceLocation => nodeLocation({ file, lineCounter }, node);
  if (!isMap(root)) throw recipeError(at(root), 'recipe.yaml must be a mapping (context:, package:, source:, build:, ...)');
  const outputsNode = child(root, 'outputs');
  if (outputsNode !== undefined) {
    if (child(root, 'package') !== undefined) throw recipeError(at(child(root, 'package')), "a recipe with 'outputs' names itself with 'recipe:', not 'package:'");
    if (child(root, 'requirements') !== undefined) throw recipeError(at(child(root, 'requirements')), "top-level 'requirements' are not allowed with 'outputs' (put them in each output)");
    if (!isSeq(outputsNode)) throw recipeError(at(outputsNode), "'outputs' must be a list");
  } else if (!isMap(child(root, 'package'))) {
    throw recipeError(at(root), "the recipe has no 'package:' section (name and version)");
  }
  // rattler-build rejects a key it does not know, in every section.
  checkKeys(root, outputsNode !== undefined ? V1_MULTI_ROOT : V1_ROOT, 'the top level', {
    at,
    conditionals: true,
    report: (problem) => {
      throw recipeError(problem.loc, problem.message, { hint: problem.hint });
    },
  });

  warnUnknownConditionNames(ctx, root, at);

  // Usage of the shared part, then of each output.
  const shared = newUsage();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key !== 'outputs') collectUsage(pair.value as YamlNode, shared, false);
  }
  const outputNodes = isSeq(outputsNode) ? (outputsNode.items as YamlNode[]) : [];
  const perOutput = outputNodes.map((n) => {
    const u = newUsage();
    collectUsage(n, u);
    return u;
  });
  const cacheUsage = newUsage();
  collectUsage(child(root, 'cache') as YamlNode | undefined, cacheUsage);
  const keys = new Set(ctx.config.values.keys());
  const candidates = new Set<string>();
  for (const u of [shared, ...perOutput]) for (const n of [...u.names, ...u.reqNames]) if (keys.has(n)) candidates.add(n);

  const seen = new Set<string>();
  const results: RenderedOutput[] = [];
  for (const variant of explodeVariants(ctx.config, candidates)) {
    for (const output of renderVariant(ctx, root, variant, lineCounter, { shared, perOutput, cache: cacheUsage }, keys)) {
      const id = `${output.name}\u0000${output.build.string}\u0000${JSON.stringify(output.variant)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      results.push(output);
    }
  }
  return results;
}

function renderVariant(
  ctx: FormatContext,
  root: YamlNode & { items: { key: unknown; value: unknown }[] },
  variant: Variant,
  lineCounter: LineCounter,
  usages: { shared: Usage; perOutput: Usage[]; cache: Usage },
  keys: Set<string>,
): RenderedOutput[] {
  const { shared, perOutput } = usages;
  const file = ctx.recipePath;
  ctx.engine.state.variant = variant;
  ctx.engine.state.targetPlatform = ctx.targetPlatform;
  ctx.engine.state.buildPlatform = ctx.buildPlatform;
  const context: Record<string, unknown> = {
    ...platformFlags(ctx.targetPlatform),
    ...variant,
    target_platform: ctx.targetPlatform,
    host_platform: ctx.targetPlatform,
    build_platform: ctx.buildPlatform,
    ...shellVariables(ctx.targetPlatform),
    env: envObject(ctx.env),
    hash: HASH_MARK,
  };
  const scope: EvalScope = { engine: ctx.engine, context, file, lineCounter };
  const contextNode = child(root, 'context');
  if (contextNode !== undefined && contextNode !== null) {
    if (!isMap(contextNode)) throw recipeError(nodeLocation(scope, contextNode), "'context' must be a mapping of names to values");
    for (const pair of contextNode.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      context[key] = evaluate(scope, pair.value as YamlNode | null);
    }
  }
  const top: JsonMap = {};
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String((pair.key as { value: unknown }).value) : '';
    if (key === 'context' || key === 'outputs') continue;
    top[key] = evaluate(scope, pair.value as YamlNode | null);
  }
  const at = (node: YamlNode | null | undefined): SourceLocation => nodeLocation(scope, node);
  const outputsNode = child(root, 'outputs');
  const drafts: OutputDraft[] = [];
  // The variant keys a part of the recipe uses: its expression names and dependency names.
  const usedKeys = (usages_: readonly Usage[], deps: readonly string[]): Record<string, VariantValue> => {
    const used: Record<string, VariantValue> = {};
    const depNames = new Set(deps.filter((s) => !s.trim().includes(' ')).map((s) => specName(s).replace(/-/g, '_')));
    for (const n of [...usages_.flatMap((u) => [...u.names]), ...depNames]) if (keys.has(n) && variant[n] !== undefined) used[n] = variant[n]!;
    return used;
  };
  type CacheDraft = NonNullable<OutputDraft['cache']>;
  const cacheDraftOf = (part: JsonMap, name: string, version: string, usage: Usage, inheritRunExports: boolean, fallbackSource: Json | undefined): CacheDraft => {
    const build = sectionOf(V1_OUTPUT_BUILD, part.build);
    const reqs = sectionOf(V1_REQUIREMENTS, part.requirements);
    const ignore = sectionOf(V1_IGNORE_RUN_EXPORTS, reqs.ignore_run_exports);
    const { script, env, interpreter } = scriptOf(build.script, ctx.recipeDir, ctx.targetPlatform);
    const buildReqs = strings(reqs.build);
    const host = strings(reqs.host);
    const used = usedKeys([shared, usage], [...buildReqs, ...host]);
    used.target_platform = ctx.targetPlatform;
    return {
      name,
      version,
      script,
      scriptEnv: env,
      ...(interpreter ? { scriptInterpreter: interpreter } : {}),
      sources: sourcesOf(part.source ?? fallbackSource, ctx.recipeDir),
      requirements: { build: buildReqs, host, ignoreRunExports: { byName: strings(ignore.by_name), fromPackage: strings(ignore.from_package) } },
      usedVariant: used,
      inheritRunExports,
      restoredFiles: 'new',
    };
  };
  const makeDraft = (out: JsonMap, usage: Usage, loc: SourceLocation, inherited: { recipe: JsonMap; cache?: CacheDraft; cacheUsage?: Usage }): OutputDraft | null => {
    const pkg = sectionOf(V1_PACKAGE, out.package);
    const name = str(pkg.name);
    if (!name) throw recipeError(loc, 'the output has no package name');
    const version = str(pkg.version) ?? str(inherited.recipe.version);
    if (!version) throw recipeError(loc, `output '${name}' has no version (set package.version or recipe.version)`);
    const build = sectionOf(V1_OUTPUT_BUILD, out.build);
    const reqs = sectionOf(V1_REQUIREMENTS, out.requirements);
    const noarchRaw = str(build.noarch);
    if (noarchRaw !== undefined && noarchRaw !== 'python' && noarchRaw !== 'generic') throw recipeError(loc, `invalid noarch '${noarchRaw}' (expected python or generic)`);
    const noarch = noarchRaw as 'python' | 'generic' | undefined;
    // An output built on a cache runs only its own script, if it has one (the cache ran build.sh).
    const { script, env, interpreter } = inherited.cache && build.script === undefined ? { script: [], env: {}, interpreter: undefined } : scriptOf(build.script, ctx.recipeDir, ctx.targetPlatform);
    const ignore = sectionOf(V1_IGNORE_RUN_EXPORTS, reqs.ignore_run_exports);
    const build_ = strings(reqs.build);
    const host = strings(reqs.host);
    // Used keys: expression names of the shared part, this output and its cache (their
    // union, as rattler-build counts them), dependency names, and target_platform for
    // packages that are not noarch (rattler-build's hash input).
    const cache = inherited.cache;
    const used = usedKeys([shared, usage, ...(inherited.cacheUsage ? [inherited.cacheUsage] : [])], [...build_, ...host, ...(cache ? [...cache.requirements.build, ...cache.requirements.host] : [])]);
    if (noarch === 'python') delete used.python;
    if (!noarch) used.target_platform = ctx.targetPlatform;
    const explicit = str(build.string);
    return {
      name,
      version,
      buildNumber: intOf(build.number, loc, 'build.number', 0),
      buildString: explicit && explicit.trim() !== '' ? explicit.trim() : undefined,
      script,
      scriptEnv: env,
      ...(interpreter ? { scriptInterpreter: interpreter } : {}),
      noarch,
      skip: skipOf(build.skip, scope, loc),
      entryPoints: strings(sectionOf(V1_PYTHON, build.python).entry_points),
      sources: sourcesOf(out.source, ctx.recipeDir),
      requirements: {
        build: build_,
        host,
        run: strings(reqs.run),
        runConstraints: strings(reqs.run_constraints),
        runExports: runExportsOf(reqs.run_exports),
        ignoreRunExports: { byName: strings(ignore.by_name), fromPackage: strings(ignore.from_package) },
      },
      tests: testsOf(out.tests),
      about: mapOf(out.about) as Record<string, unknown>,
      files: filesOf(build.files),
      usedVariant: used,
      ...(cache ? { cache } : {}),
      loc,
    };
  };

  if (isSeq(outputsNode)) {
    const recipe = sectionOf(V1_RECIPE, top.recipe);
    const recipeName = str(recipe.name) ?? 'cache';
    const recipeVersion = str(recipe.version) ?? '0';
    const topCache = isJsonMap(top.cache) ? cacheDraftOf(top.cache, recipeName, recipeVersion, usages.cache, true, top.source) : undefined;
    // Staging outputs first, so a package output can inherit one listed after it.
    const staging = new Map<string, { part: JsonMap; usage: Usage }>();
    outputsNode.items.forEach((node, i) => {
      const stagingNode = child(node as YamlNode, 'staging');
      if (stagingNode === undefined) return;
      const part = evaluateStaging(scope, node as YamlNode, ctx.targetPlatform);
      const name = str(sectionOf(V1_STAGING_NAME, part.staging).name);
      if (!name) throw recipeError(at(node as YamlNode), 'a staging output needs a name');
      staging.set(name, { part, usage: perOutput[i] ?? newUsage() });
    });
    outputsNode.items.forEach((node, i) => {
      const loc = at(node as YamlNode);
      if (child(node as YamlNode, 'staging') !== undefined || child(node as YamlNode, 'cache') !== undefined) return;
      const out = evaluate(scope, node as YamlNode);
      if (out === null) return;
      if (!isJsonMap(out)) throw recipeError(loc, 'each output must be a mapping');
      const inherit = inheritOf(out.inherit, loc);
      let from: { part: JsonMap; usage: Usage } | undefined;
      if (inherit) {
        from = staging.get(inherit.from);
        if (!from) {
          throw recipeError(at(child(node as YamlNode, 'inherit') as YamlNode), `the output inherits from '${inherit.from}', which is not a staging output of this recipe`, {
            hint: staging.size > 0 ? `staging outputs: ${[...staging.keys()].join(', ')}` : 'define it with `- staging: {name: ...}` in outputs',
          });
        }
      }
      const version = str(sectionOf(V1_PACKAGE, out.package).version) ?? recipeVersion;
      const cache = from && inherit ? cacheDraftOf(from.part, inherit.from, version, from.usage, inherit.runExports, top.source) : topCache;
      const outSources = Array.isArray(out.source) ? out.source : out.source ? [out.source] : [];
      const withoutScript = (b: Json | undefined): JsonMap => {
        const { script: _script, ...rest } = mapOf(b);
        return rest;
      };
      // Inheriting from a staging output merges its build and about (not its script); the
      // top-level source went into the cache's work folder, so only the output's own follow.
      const merged: JsonMap = {
        ...out,
        build: from
          ? deepMerge(deepMerge(withoutScript(top.build), withoutScript(from.part.build)), out.build)
          : deepMerge(cache ? withoutScript(top.build) : top.build, out.build),
        about: from ? deepMerge(deepMerge(top.about, from.part.about), out.about) : deepMerge(top.about, out.about),
        source: cache ? outSources : [...(Array.isArray(top.source) ? top.source : top.source ? [top.source] : []), ...outSources],
      };
      const draft = makeDraft(merged, perOutput[i] ?? newUsage(), loc, { recipe, ...(cache ? { cache, cacheUsage: from ? from.usage : usages.cache } : {}) });
      if (draft) drafts.push(draft);
    });
  } else {
    const draft = makeDraft(top, newUsage(), at(child(root, 'package')), { recipe: {} });
    if (draft) drafts.push(draft);
  }
  return finalizeDrafts(drafts, {
    format: 'recipe.yaml',
    recipePath: file,
    recipeDir: ctx.recipeDir,
    targetPlatform: ctx.targetPlatform,
    hashInput: (draft) => ({ ...draft.usedVariant }) as Record<string, HashInputValue>,
    defaultBuildString: (draft, hash) => `${hashPrefix(draft.usedVariant, draft.noarch === 'python')}${hash}_${draft.buildNumber}`,
    explicitBuildString: (draft, hash) => draft.buildString!.split(HASH_MARK).join(hash.slice(1)),
  });
}

/**
 * rattler-build's names for build-environment paths in templates (`${{ PYTHON }} -m pip`):
 * they render to the shell's variable reference, resolved when the script runs.
 */
function shellVariables(targetPlatform: string): Record<string, string> {
  const win = targetPlatform.startsWith('win-');
  const names = ['PREFIX', 'BUILD_PREFIX', 'SRC_DIR', 'RECIPE_DIR', 'PYTHON', 'SP_DIR', 'STDLIB_DIR', 'LIBRARY_PREFIX', 'LIBRARY_BIN', 'LIBRARY_LIB', 'LIBRARY_INC', 'SCRIPTS'];
  return Object.fromEntries(names.map((n) => [n, win ? `%${n}%` : `$${n}`]));
}

/**
 * A staging output's values. Its `build.steps` (rattler-build's newer form) become one
 * script: each step whose `if` holds, its `env` set for that step only, and its `run`
 * rendered with that env visible to the templates as well.
 */
function evaluateStaging(scope: EvalScope, node: YamlNode, targetPlatform: string): JsonMap {
  const out: JsonMap = {};
  if (!isMap(node)) return out;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value as YamlNode | null;
    if (key === 'build' && isMap(value)) {
      const build: JsonMap = {};
      for (const p of value.items) {
        const k = isScalar(p.key) ? String(p.key.value) : '';
        if (k === 'steps') build.script = stepsScript(scope, p.value as YamlNode | null, targetPlatform);
        else build[k] = evaluate(scope, p.value as YamlNode | null);
      }
      out.build = build;
    } else {
      out[key] = evaluate(scope, value);
    }
  }
  return out;
}

/** `build.steps` as script lines; on Windows for cmd (setlocal/set), elsewhere for bash (a subshell with exports). */
function stepsScript(scope: EvalScope, node: YamlNode | null, targetPlatform: string): string[] {
  const windows = targetPlatform.startsWith('win-');
  if (!isSeq(node)) throw recipeError(nodeLocation(scope, node), 'build.steps must be a list of steps ({run, env, if})');
  const lines: string[] = [];
  for (const step of node.items as YamlNode[]) {
    if (!isMap(step)) throw recipeError(nodeLocation(scope, step), 'a build step must be a map with `run` (and optionally `env`, `if`)');
    const field = (name: string): YamlNode | null | undefined => step.items.find((p) => isScalar(p.key) && p.key.value === name)?.value as YamlNode | null | undefined;
    const condition = field('if');
    if (condition !== undefined && condition !== null) {
      const text = isScalar(condition) ? condition.value : undefined;
      const holds = typeof text === 'boolean' ? text : typeof text === 'string' ? evalCondition(scope.engine, text, scope.context, nodeLocation(scope, condition)) : false;
      if (!holds) continue;
    }
    const env = mapOf(evaluate(scope, field('env')));
    const stepEnv = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
    const run = evaluate({ ...scope, context: { ...scope.context, ...stepEnv } }, field('run'));
    const runLines = (typeof run === 'string' ? run.split('\n') : strings(run).flatMap((l) => l.split('\n'))).filter((l) => l.trim() !== '');
    if (runLines.length === 0) throw recipeError(nodeLocation(scope, step), 'a build step needs a `run`');
    if (windows) {
      lines.push('setlocal', ...Object.entries(stepEnv).map(([k, v]) => `set "${k}=${v}"`), ...runLines, 'endlocal');
    } else {
      lines.push('(', ...Object.entries(stepEnv).map(([k, v]) => `  export ${k}=${shellQuote(v)}`), ...runLines.map((l) => `  ${l}`), ')');
    }
  }
  return lines;
}

/** `inherit: name` or `inherit: {from: name, run_exports: bool}`; null or absent inherits the top level. */
function inheritOf(value: Json | undefined, loc: SourceLocation): { from: string; runExports: boolean } | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { from: value, runExports: true };
  if (isJsonMap(value) && typeof value.from === 'string') return { from: value.from, runExports: value.run_exports !== false };
  throw recipeError(loc, `inherit must be a staging output's name or {from: name, run_exports: true|false}, not ${JSON.stringify(value)}`);
}

/** build.skip: a boolean, an expression, or a list of them (any true skips). */
function skipOf(value: Json | undefined, scope: EvalScope, loc: SourceLocation): boolean {
  const one = (v: Json): boolean => {
    if (typeof v === 'boolean') return v;
    if (v === null) return false;
    if (typeof v === 'string') {
      const t = v.trim();
      if (t === 'true' || t === 'false') return t === 'true';
      return evalCondition(scope.engine, t, scope.context, loc);
    }
    throw recipeError(loc, `build.skip must be a boolean, an expression or a list of expressions, not ${JSON.stringify(v)}`);
  };
  if (value === undefined) return false;
  return Array.isArray(value) ? value.some(one) : one(value);
}

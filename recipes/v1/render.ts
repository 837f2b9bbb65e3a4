/**
 * rattler-build recipe.yaml (v1): parse with spans (stage 0), find the variant keys the
 * recipe reads, and for each variant evaluate context, conditionals and `${{ }}` (stage 1),
 * then one draft per output (a `recipe:` with `outputs:` or a single `package:`).
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { recipeError, type SourceLocation } from '../errors.js';
import { finalizeDrafts, specName, type OutputDraft } from '../draft.js';
import { hashPrefix, type HashInputValue } from '../hash.js';
import { envObject } from '../jinja-env.js';
import type { FormatContext } from '../meta-yaml/render.js';
import { platformFlags } from '../platform-vars.js';
import type { RenderedOutput } from '../stage1.js';
import { namesInExpression } from '../used-vars.js';
import { explodeVariants, type Variant, type VariantValue } from '../variant-config.js';
import { child, evaluate, isConditional, nodeLocation, type EvalScope } from './evaluate.js';
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
  const keys = new Set(ctx.config.values.keys());
  const candidates = new Set<string>();
  for (const u of [shared, ...perOutput]) for (const n of [...u.names, ...u.reqNames]) if (keys.has(n)) candidates.add(n);

  const seen = new Set<string>();
  const results: RenderedOutput[] = [];
  for (const variant of explodeVariants(ctx.config, candidates)) {
    for (const output of renderVariant(ctx, root, variant, lineCounter, shared, perOutput, keys)) {
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
  shared: Usage,
  perOutput: Usage[],
  keys: Set<string>,
): RenderedOutput[] {
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
  const makeDraft = (out: JsonMap, usage: Usage, loc: SourceLocation, inherited: { recipe: JsonMap }): OutputDraft | null => {
    const pkg = mapOf(out.package);
    const name = str(pkg.name);
    if (!name) throw recipeError(loc, 'the output has no package name');
    const version = str(pkg.version) ?? str(inherited.recipe.version);
    if (!version) throw recipeError(loc, `output '${name}' has no version (set package.version or recipe.version)`);
    const build = mapOf(out.build);
    const reqs = mapOf(out.requirements);
    const noarchRaw = str(build.noarch);
    if (noarchRaw !== undefined && noarchRaw !== 'python' && noarchRaw !== 'generic') throw recipeError(loc, `invalid noarch '${noarchRaw}' (expected python or generic)`);
    const noarch = noarchRaw as 'python' | 'generic' | undefined;
    const { script, env } = scriptOf(build.script, ctx.recipeDir, ctx.targetPlatform);
    const ignore = mapOf(reqs.ignore_run_exports);
    const build_ = strings(reqs.build);
    const host = strings(reqs.host);
    // Used keys: expression names of the shared part and this output, dependency names, and
    // target_platform for packages that are not noarch (rattler-build's hash input).
    const used: Record<string, VariantValue> = {};
    const depNames = new Set([...build_, ...host].filter((s) => !s.trim().includes(' ')).map((s) => specName(s).replace(/-/g, '_')));
    for (const n of [...shared.names, ...usage.names, ...depNames]) if (keys.has(n) && variant[n] !== undefined) used[n] = variant[n]!;
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
      noarch,
      skip: skipOf(build.skip, scope, loc),
      entryPoints: strings(mapOf(build.python).entry_points),
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
      loc,
    };
  };

  if (isSeq(outputsNode)) {
    const recipe = mapOf(top.recipe);
    outputsNode.items.forEach((node, i) => {
      const loc = at(node as YamlNode);
      // staging/cache outputs build once for the package outputs; they are not packages.
      if (child(node as YamlNode, 'staging') !== undefined || child(node as YamlNode, 'cache') !== undefined) return;
      const out = evaluate(scope, node as YamlNode);
      if (out === null) return;
      if (!isJsonMap(out)) throw recipeError(loc, 'each output must be a mapping');
      const merged: JsonMap = {
        ...out,
        build: deepMerge(top.build, out.build),
        about: deepMerge(top.about, out.about),
        source: [...(Array.isArray(top.source) ? top.source : top.source ? [top.source] : []), ...(Array.isArray(out.source) ? out.source : out.source ? [out.source] : [])],
      };
      const draft = makeDraft(merged, perOutput[i] ?? newUsage(), loc, { recipe });
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

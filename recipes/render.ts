/**
 * Rendering a recipe: find the recipe file, load and merge the variant configs, and hand
 * over to the format's renderer (conda-build meta.yaml or rattler-build recipe.yaml). The
 * result is one {@link RenderedOutput} per output per distinct variant, skipped ones
 * included (with `build.skip`) so callers can say why nothing was built.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { isPlatform } from '../channels/model/platform.js';
import { TaipanError } from '../channels/model/errors.js';
import { recipeError } from './errors.js';
import { formatWarning, type RecipeWarning } from './format-context.js';
import { createJinja } from './jinja-env.js';
import { renderMetaYaml } from './meta-yaml/render.js';
import { hostSubdir } from './platform-vars.js';
import type { RecipeFormat, RenderedOutput } from './stage1.js';
import { renderRecipeYaml } from './v1/render.js';
import { loadVariantFile, mergeVariantConfigs, type VariantConfig } from './variant-config.js';

export interface RenderOptions {
  /** The subdir to render for (`--platform`); default the machine's. */
  readonly targetPlatform?: string;
  /** The subdir the build runs on; default the machine's. */
  readonly buildPlatform?: string;
  /**
   * Variant config files (`-m`), e.g. conda-forge's pinning, in order. The recipe's own
   * conda_build_config.yaml / variants.yaml come after them and refine them, as a feedstock's
   * recipe config refines the global pinning in conda-forge.
   */
  readonly variantConfigFiles?: readonly string[];
  /** Environment visible to `environ`/`env.get`/`os.environ` selectors; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Where warnings go (an unknown meta.yaml key, an unknown selector name: things the
   * reference tool lets pass); each distinct warning once per render. Default: stderr.
   */
  readonly onWarning?: (warning: RecipeWarning) => void;
}

function warnToStderr(warning: RecipeWarning): void {
  process.stderr.write(`warning: ${formatWarning(warning)}\n`);
}

const RECIPE_NAMES = ['recipe.yaml', 'meta.yaml'];

/** The recipe file for a path that is a recipe file or a folder holding one. */
export function findRecipeFile(recipe: string): { file: string; format: RecipeFormat } {
  const resolved = path.resolve(recipe);
  if (!existsSync(resolved)) throw new TaipanError('INVALID_ARGUMENT', `recipe '${recipe}' does not exist`);
  if (statSync(resolved).isDirectory()) {
    for (const name of RECIPE_NAMES) {
      const file = path.join(resolved, name);
      if (existsSync(file)) return { file, format: name as RecipeFormat };
    }
    throw new TaipanError('INVALID_ARGUMENT', `'${recipe}' holds no recipe.yaml or meta.yaml`);
  }
  const base = path.basename(resolved);
  return { file: resolved, format: base === 'meta.yaml' || base.endsWith('.meta.yaml') ? 'meta.yaml' : 'recipe.yaml' };
}

function cleanEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Variant files beside the recipe that both tools pick up on their own. */
const LOCAL_VARIANT_FILES = ['conda_build_config.yaml', 'variants.yaml'];

export function loadVariants(recipeDir: string, options: { targetPlatform: string; buildPlatform: string; env: Record<string, string>; files: readonly string[] }): VariantConfig {
  const files = [...options.files.map((f) => path.resolve(f))];
  for (const name of LOCAL_VARIANT_FILES) {
    const file = path.join(recipeDir, name);
    if (existsSync(file) && !files.includes(file)) files.push(file);
  }
  const configs = files.map((f) => {
    if (!existsSync(f)) throw new TaipanError('INVALID_ARGUMENT', `variant config '${f}' does not exist`);
    return loadVariantFile(f, options);
  });
  return mergeVariantConfigs(configs);
}

/** Renders `recipe` (a recipe file or its folder) for one target platform. */
export async function renderRecipe(recipe: string, options: RenderOptions = {}): Promise<RenderedOutput[]> {
  return renderRecipeSync(recipe, options);
}

/** {@link renderRecipe} without the promise (rendering reads a few small files only). */
export function renderRecipeSync(recipe: string, options: RenderOptions = {}): RenderedOutput[] {
  const { file, format } = findRecipeFile(recipe);
  const targetPlatform = options.targetPlatform ?? hostSubdir();
  const buildPlatform = options.buildPlatform ?? hostSubdir();
  for (const p of [targetPlatform, buildPlatform]) {
    if (!isPlatform(p)) throw new TaipanError('INVALID_PLATFORM', `unknown platform '${p}'`);
  }
  const env = cleanEnv(options.env ?? process.env);
  const recipeDir = path.dirname(file);
  const config = loadVariants(recipeDir, { targetPlatform, buildPlatform, env, files: options.variantConfigFiles ?? [] });
  const engine = createJinja(format);
  try {
    const sink = options.onWarning ?? warnToStderr;
    const seen = new Set<string>();
    const warn = (warning: RecipeWarning): void => {
      const text = formatWarning(warning);
      if (seen.has(text)) return;
      seen.add(text);
      sink(warning);
    };
    const ctx = { recipePath: file, recipeDir, targetPlatform, buildPlatform, env, config, engine, warn };
    const outputs = format === 'meta.yaml' ? renderMetaYaml(ctx) : renderRecipeYaml(ctx);
    if (outputs.length === 0) throw recipeError({ file }, 'the recipe has no outputs');
    return outputs;
  } finally {
    engine.env.free();
  }
}

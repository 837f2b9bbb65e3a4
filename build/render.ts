/**
 * The one place the builder meets the renderer (recipes/): a recipe path and options in,
 * rendered outputs out. Everything else in build/ works on `RenderedOutput` alone, so it
 * is tested with hand-made outputs.
 */
import { renderRecipe } from '../recipes/render.js';
import type { RenderedOutput } from '../recipes/stage1.js';

export interface RenderForBuildOptions {
  /** `--platform`: the target subdir; default the machine's. */
  readonly targetPlatform?: string;
  /** `-m` variant config files, in order. */
  readonly variantConfigFiles?: readonly string[];
}

/** Every output of every variant of `recipe` (a recipe file or its folder), skipped ones included. */
export function renderForBuild(recipe: string, options: RenderForBuildOptions = {}): Promise<RenderedOutput[]> {
  return renderRecipe(recipe, { targetPlatform: options.targetPlatform, variantConfigFiles: options.variantConfigFiles });
}

/**
 * What a format's renderer (meta-yaml/render.ts, v1/render.ts) gets from the common
 * front (render.ts): the recipe, the platforms, the environment, the merged variant
 * config, the Jinja engine, and where warnings go.
 */
import { formatLocation, type SourceLocation } from './errors.js';
import type { JinjaEngine } from './jinja-env.js';
import type { VariantConfig } from './variant-config.js';

/**
 * A problem the reference tool itself lets pass (conda-build ignores an unknown meta.yaml key
 * and reads an unknown selector name as False), so taipan says it and goes on.
 */
export interface RecipeWarning {
  readonly loc: SourceLocation;
  readonly message: string;
  readonly hint?: string;
}

/** `file:line:col: message (hint)`, one line, as errors print. */
export function formatWarning(warning: RecipeWarning): string {
  return `${formatLocation(warning.loc)}: ${warning.message}${warning.hint ? ` (${warning.hint})` : ''}`;
}

export interface FormatContext {
  readonly recipePath: string;
  readonly recipeDir: string;
  readonly targetPlatform: string;
  readonly buildPlatform: string;
  readonly env: Readonly<Record<string, string>>;
  readonly config: VariantConfig;
  readonly engine: JinjaEngine;
  /** Reports a warning; the same warning from several variants is reported once. */
  readonly warn: (warning: RecipeWarning) => void;
}

/** `taipan render`: print the final recipe of each variant, as `conda render` / `rattler-build build --render-only` do. */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { parsePlatform } from '../../channels/model/platform.js';
import { formatWarning } from '../../recipes/format-context.js';
import { renderRecipe } from '../../recipes/render.js';
import type { RenderedOutput } from '../../recipes/stage1.js';
import { collect } from '../options.js';
import type { Output } from '../output.js';

interface RenderCliOptions {
  platform?: string;
  variantConfig: string[];
  json?: boolean;
  includeSkipped?: boolean;
}

/** The rendered outputs as plain data (also what --json prints). */
export function renderedAsData(outputs: readonly RenderedOutput[]): unknown[] {
  return outputs.map((o) => ({
    package: { name: o.name, version: o.version },
    build: { number: o.build.number, string: o.build.string, ...(o.build.noarch ? { noarch: o.build.noarch } : {}), skip: o.build.skip, script: o.build.script, script_env: o.build.scriptEnv, entry_points: o.build.entryPoints, ...(o.files ? { files: o.files } : {}) },
    source: o.sources,
    requirements: {
      build: o.requirements.build,
      host: o.requirements.host,
      run: o.requirements.run,
      run_constraints: o.requirements.runConstraints,
      run_exports: o.requirements.runExports,
      ignore_run_exports: { by_name: o.requirements.ignoreRunExports.byName, from_package: o.requirements.ignoreRunExports.fromPackage },
    },
    ...(o.cache
      ? {
          cache: {
            name: o.cache.name,
            build: { script: o.cache.script, script_env: o.cache.scriptEnv },
            source: o.cache.sources,
            requirements: { build: o.cache.requirements.build, host: o.cache.requirements.host },
            inherit_run_exports: o.cache.inheritRunExports,
          },
        }
      : {}),
    tests: o.tests,
    about: o.about,
    build_configuration: { target_platform: o.targetPlatform, variant: o.variant, hash: o.hash },
  }));
}

export function registerRenderCommand(program: Command, output: Output): void {
  program
    .command('render')
    .description('print the final recipe (recipe.yaml or meta.yaml) for each variant')
    .argument('<recipe>', 'a recipe file or the folder holding it')
    .option('--platform <subdir>', 'the target platform (default: this machine)')
    .option('-m, --variant-config <file>', 'a variant config file (conda_build_config.yaml / variants.yaml); repeatable', collect, [])
    .option('--include-skipped', 'also print outputs the recipe skips on this platform')
    .option('--json', 'print JSON')
    .action(async (recipe: string, options: RenderCliOptions) => {
      const targetPlatform = options.platform ? parsePlatform(options.platform) : undefined;
      const outputs = await renderRecipe(recipe, { ...(targetPlatform ? { targetPlatform } : {}), variantConfigFiles: options.variantConfig, onWarning: (w) => output.warn(formatWarning(w)) });
      const shown = options.includeSkipped ? outputs : outputs.filter((o) => !o.build.skip);
      const skipped = outputs.length - shown.length;
      if (options.json) return output.json(renderedAsData(shown));
      if (skipped > 0) output.warn(`${skipped} output(s) skipped on ${outputs[0]!.targetPlatform === 'noarch' ? targetPlatform ?? 'this platform' : outputs[0]!.targetPlatform} (build.skip); --include-skipped shows them`);
      output.text(renderedAsData(shown).map((d) => stringify(d, { lineWidth: 0 })).join('---\n'));
    });
}

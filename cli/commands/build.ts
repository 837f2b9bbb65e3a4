/**
 * `taipan build RECIPE`: render the recipe (every output and variant), build each output
 * in dependency order with the builder, test it, and publish it into the output channel
 * (indexed, so `taipan create -c OUTPUT_DIR` works at once). The build scripts' output
 * goes to stderr as it comes, so stdout carries only the result (text or --json).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { TaipanError } from '../../channels/model/errors.js';
import { buildOutputs, type PackageFormat } from '../../build/index.js';
import { renderForBuild } from '../../build/render.js';
import type { TaipanConfig } from '../config/load.js';
import { packageCache, parseChannels, targetPlatform, TOOL_VERSION } from '../context.js';
import { collect } from '../options.js';
import type { Output } from '../output.js';

interface BuildCommandOptions {
  channel: string[];
  overrideChannels?: boolean;
  outputDir: string;
  variantConfig: string[];
  platform?: string;
  test: boolean;
  packageFormat: string;
  keepWork?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function registerBuildCommand(program: Command, output: Output, config: () => TaipanConfig): void {
  program
    .command('build')
    .description('build conda packages from a recipe (recipe.yaml or meta.yaml) into an output channel')
    .argument('<recipe>', 'a recipe file, or the folder holding recipe.yaml or meta.yaml')
    .option('-c, --channel <channel>', 'a channel for build, host and test dependencies; repeatable', collect, [])
    .option('--override-channels', 'do not read the channels from the config files')
    .option('--output-dir <dir>', 'the output channel folder', 'output')
    .option('-m, --variant-config <file>', 'a variant config file (conda_build_config.yaml); repeatable', collect, [])
    .option('--platform <subdir>', 'the platform to build for (default this machine)')
    .option('--no-test', 'do not run the recipe tests')
    .option('--package-format <format>', 'conda or tar.bz2', 'conda')
    .option('--keep-work', 'keep the work folder (sources, environments, log) after a successful build')
    .option('--json', 'print the built packages as JSON')
    .option('-q, --quiet', 'print nothing but errors (and the build output)')
    .action(async (recipe: string, options: BuildCommandOptions) => {
      const format = packageFormat(options.packageFormat);
      const settings = config();
      const channels = parseChannels(options.channel, settings, options.overrideChannels);
      const platform = targetPlatform(options.platform);
      const outputs = await renderForBuild(recipe, { targetPlatform: platform, variantConfigFiles: options.variantConfig });
      for (const skipped of outputs.filter((o) => o.build.skip)) output.warn(`skipping ${skipped.name}-${skipped.version} (build.skip is true for ${platform})`);
      const log = (text: string): void => void process.stderr.write(text);
      const results = await buildOutputs(outputs, {
        channels,
        outputDir: path.resolve(options.outputDir),
        cache: packageCache(settings),
        packageFormat: format,
        test: options.test,
        keepWorkDir: options.keepWork,
        toolVersion: TOOL_VERSION,
        onOutput: options.quiet || options.json ? undefined : log,
        onStep: options.quiet || options.json ? undefined : (s) => log(`==> ${s}\n`),
      });
      if (options.json) {
        output.json(results.map((r) => ({ package: r.packagePath, name: r.record.name, version: r.record.version, build: r.record.build, subdir: r.record.subdir, depends: r.record.depends })));
        return;
      }
      for (const r of results) output.text(`built ${path.basename(r.packagePath)} into '${path.dirname(r.packagePath)}'\n`);
      if (results.length === 0) output.text('nothing was built (every output is skipped on this platform)\n');
    });
}

function packageFormat(value: string): PackageFormat {
  if (value === 'conda' || value === '.conda') return 'conda';
  if (value === 'tar.bz2' || value === '.tar.bz2') return 'tar.bz2';
  throw new TaipanError('INVALID_ARGUMENT', `unknown package format '${value}'`, { hint: 'use --package-format conda or --package-format tar.bz2' });
}

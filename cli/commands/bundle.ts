/**
 * `taipan bundle environment.yml -o workshop-installer.sh|.zip [--platform P]
 * [--standalone node|sea]`: one file that installs the environment with no network and
 * no taipan (see build/bundle/installer.ts).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { TaipanError } from '../../channels/model/errors.js';
import { parsePlatform } from '../../channels/model/platform.js';
import { readEnvironmentFile } from '../../environments/env-file/environment-yaml.js';
import { buildInstaller } from '../../build/bundle/installer.js';
import type { TaipanConfig } from '../config/load.js';
import { packageCache, parseChannels, targetPlatform } from '../context.js';
import { collect } from '../options.js';
import type { Output } from '../output.js';

interface BundleOptions {
  output: string;
  platform?: string;
  channel: string[];
  overrideChannels?: boolean;
  standalone: string;
  name?: string;
}

export function registerBundleCommand(program: Command, output: Output, config: () => TaipanConfig): void {
  program
    .command('bundle')
    .description('make an offline installer (.sh, or .zip with install.bat) holding the solved packages and a standalone taipan')
    .argument('<environment-file>', 'the environment.yml to install')
    .requiredOption('-o, --output <file>', 'the installer to write: *.sh or *.zip')
    .option('--platform <subdir>', 'the platform the installer is for (default: this machine; win-64 for .zip)')
    .option('-c, --channel <channel>', 'a channel (before the file\'s); repeatable', collect, [])
    .option('--override-channels', 'do not read the channels from the config files')
    .option('--standalone <kind>', 'node: a small bundle run by Node 20+; sea: a native executable (this platform only)', 'node')
    .option('--name <name>', 'the environment name (default: the file\'s `name`)')
    .action(async (file: string, options: BundleOptions) => {
      if (options.standalone !== 'node' && options.standalone !== 'sea') {
        throw new TaipanError('INVALID_ARGUMENT', `--standalone is 'node' or 'sea', not '${options.standalone}'`);
      }
      const settings = config();
      const envFile = await readEnvironmentFile(file);
      if (envFile.pip.length > 0) throw new TaipanError('INVALID_ARGUMENT', `'${file}' has a pip section, which installers cannot carry yet`);
      const platform = options.platform ? parsePlatform(options.platform) : options.output.endsWith('.zip') ? parsePlatform('win-64') : targetPlatform(undefined);
      const envName = options.name ?? envFile.name ?? path.basename(file).replace(/\.ya?ml$/, '');
      const result = await buildInstaller({
        envName,
        specs: envFile.dependencies,
        channels: parseChannels([...options.channel, ...envFile.channels], settings, options.overrideChannels),
        platform,
        output: options.output,
        cache: packageCache(settings),
        standalone: options.standalone,
      });
      output.text(
        `wrote '${result.output}' (${(result.bytes / 1e6).toFixed(1)} MB, ${result.packages} packages for ${platform}, payload sha256 ${result.payloadSha256})\n` +
          (options.output.endsWith('.zip') ? 'attendees unzip it and run install.bat [PREFIX]\n' : `attendees run: sh ${path.basename(result.output)} [-b] [-p PREFIX]\n`),
      );
    });
}

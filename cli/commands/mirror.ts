/**
 * `taipan mirror -c CHANNEL SPEC... --platform P... -o DIR`: copy what the requests need
 * into a new indexed channel (channels/mirror/mirror.ts).
 */
import type { Command } from 'commander';
import { TaipanError } from '../../channels/model/errors.js';
import { parsePlatform } from '../../channels/model/platform.js';
import { mirrorPackages } from '../../channels/mirror/mirror.js';
import { solvePlatforms } from '../../environments/lockfile/solve-platforms.js';
import type { TaipanConfig } from '../config/load.js';
import { packageCache, parseChannels, targetPlatform } from '../context.js';
import { collect } from '../options.js';
import type { Output } from '../output.js';

export function registerMirrorCommand(program: Command, output: Output, config: () => TaipanConfig): void {
  program
    .command('mirror')
    .description('copy the packages some requests need, for some platforms, into a new indexed channel')
    .argument('<specs...>', 'package specs to solve for')
    .requiredOption('-o, --output <dir>', 'the channel folder to write')
    .option('-c, --channel <channel>', 'a channel to copy from; repeatable', collect, [])
    .option('--override-channels', 'do not read the channels from the config files')
    .option('--platform <subdir>', 'a platform to mirror for; repeatable (default: this machine)', collect, [])
    .option('--json', 'print the mirrored packages as JSON')
    .action(async (specs: string[], options: { output: string; channel: string[]; overrideChannels?: boolean; platform: string[]; json?: boolean }) => {
      const settings = config();
      const channels = parseChannels(options.channel, settings, options.overrideChannels);
      if (channels.length === 0) throw new TaipanError('INVALID_ARGUMENT', 'no channel to mirror from', { hint: 'pass -c CHANNEL' });
      const platforms = options.platform.length > 0 ? options.platform.map((p) => parsePlatform(p)) : [targetPlatform(undefined)];
      const cache = packageCache(settings);
      const result = await mirrorPackages({
        channels,
        specs,
        platforms,
        output: options.output,
        solve: (wanted) => solvePlatforms({ channels, specs, platforms: wanted }),
        fetch: async (records) => (await cache.getAll(records)).map((entry) => entry.archive),
      });
      if (options.json) {
        output.json({ success: true, output: result.output, packages: result.packages.map((r) => r.url) });
        return;
      }
      output.text(`mirrored ${result.packages.length} packages for ${platforms.join(', ')} into '${result.output}'\n`);
    });
}

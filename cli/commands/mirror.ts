/**
 * `taipan mirror -c CHANNEL SPEC... --platform P... -o DIR`: copy what the requests need
 * into a new indexed channel (environments/mirror-packages.ts).
 */
import type { Command } from 'commander';
import { TaipanError } from '../../channels/model/errors.js';
import { parsePlatform } from '../../channels/model/platform.js';
import { mirrorPackages, type MirrorEvent } from '../../environments/mirror-packages.js';
import type { TaipanConfig } from '../config/load.js';
import { packageCache, parseChannels, targetPlatform } from '../context.js';
import { collect } from '../options.js';
import type { Output } from '../output.js';
import { DownloadMeter, Progress } from '../progress.js';

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
      const progress = new Progress(options);
      let meter: DownloadMeter | undefined;
      const onEvent = (event: MirrorEvent): void => {
        if (event.kind === 'solving') progress.update('loading channels and solving…');
        else if (event.kind === 'solved') progress.done();
        else if (event.kind === 'packages') meter = new DownloadMeter(progress, event.fetch.length);
        else if (event.kind === 'download') meter?.update(event.progress.record.url, event.progress.bytes, event.progress.total);
      };
      const result = await mirrorPackages({
        channels,
        specs,
        platforms,
        output: options.output,
        packageCache: (onDownload) => packageCache(settings, { onDownload }),
        onEvent,
      }).finally(() => progress.done());
      if (options.json) {
        output.json({ success: true, output: result.output, packages: result.packages.map((r) => r.url) });
        return;
      }
      output.text(`mirrored ${result.packages.length} packages for ${platforms.join(', ')} into '${result.output}'\n`);
    });
}

/** `taipan index DIR` (make a channel from a folder of packages) and `taipan search SPEC`. */
import path from 'node:path';
import type { Command } from 'commander';
import { TaipanError } from '../../channels/model/errors.js';
import { MatchSpec } from '../../channels/model/match-spec/index.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { Version } from '../../channels/model/version.js';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { ChannelIndex } from '../../channels/repodata/channel-index.js';
import type { TaipanConfig } from '../config/load.js';
import { channelIndexOptions, parseChannels, targetPlatform } from '../context.js';
import { collect } from '../options.js';
import type { Output } from '../output.js';
import { Progress } from '../progress.js';
import { channelName } from '../report-plan.js';

export function registerIndexCommand(program: Command, output: Output): void {
  program
    .command('index')
    .description('write repodata (json, .zst, .bz2, CEP-16 shards), run_exports and channeldata for a channel folder')
    .argument('<dir>', 'the channel folder: <dir>/<subdir>/*.conda|*.tar.bz2')
    .option('--no-zst', 'do not write repodata.json.zst')
    .option('--no-bz2', 'do not write repodata.json.bz2')
    .option('--no-shards', 'do not write the sharded repodata')
    .option('--json', 'print JSON')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (dir: string, options: { zst: boolean; bz2: boolean; shards: boolean; json?: boolean; quiet?: boolean }) => {
      const progress = new Progress(options);
      const root = path.resolve(dir);
      const results = await indexChannel(root, {
        zst: options.zst,
        bz2: options.bz2,
        shards: options.shards,
        onRead: (file) => progress.update(`reading ${path.basename(file)}`),
        // As conda-index does: a bad archive is left out with a warning, the others are indexed.
        onSkip: ({ file, reason }) => {
          progress.done();
          output.warn(`skipped '${path.relative(root, file)}': ${reason}`);
        },
      }).finally(() => progress.done());
      const skipped = [...results.values()].reduce((n, r) => n + r.skipped.length, 0);
      if (options.json) output.json(Object.fromEntries(results));
      else for (const [subdir, r] of results) output.text(`${subdir.padEnd(14)} ${r.records} package(s), ${r.read} read, ${r.reused} unchanged${r.skipped.length > 0 ? `, ${r.skipped.length} skipped` : ''}\n`);
      if (skipped > 0) {
        // The channel is written without them; the exit code tells a script that something was left out.
        process.stderr.write(`error: ${skipped} archive(s) could not be indexed and were left out (see the warnings above); the other packages were indexed\n`);
        process.exitCode = 1;
      }
    });
}

export function registerSearchCommand(program: Command, output: Output, config: () => TaipanConfig): void {
  program
    .command('search')
    .description('search the channels for packages matching a spec (globs allowed: "*numpy*")')
    .argument('<spec>', 'a MatchSpec, e.g. numpy ">=1.20" or "py*"')
    .option('-c, --channel <channel>', 'a channel to search; repeatable', collect, [])
    .option('--override-channels', 'do not read the channels from the config files')
    .option('--platform <subdir>', 'search another platform (e.g. osx-arm64)')
    .option('-i, --info', 'print every field of each record')
    .option('--json', 'print JSON')
    .action(async (text: string, options: { channel: string[]; overrideChannels?: boolean; platform?: string; info?: boolean; json?: boolean }) => {
      const spec = MatchSpec.parse(text);
      const settings = config();
      const channels = parseChannels(options.channel, settings, options.overrideChannels);
      if (channels.length === 0) throw new TaipanError('INVALID_ARGUMENT', 'no channels to search', { hint: 'pass -c CHANNEL or configure channels' });
      const platform = targetPlatform(options.platform);
      const index = await ChannelIndex.load(channels, platform, channelIndexOptions(settings));
      const namePattern = globToRegExp(spec.name);
      const found: RepoDataRecord[] = [];
      for (const name of index.names()) {
        if (!namePattern.test(name)) continue;
        for (const record of index.get(name)) if (spec.matches(record)) found.push(record);
      }
      found.sort(
        (a, b) =>
          (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
          Version.parse(a.version).compare(Version.parse(b.version)) ||
          a.build_number - b.build_number,
      );
      if (found.length === 0) {
        throw new TaipanError('PACKAGE_NOT_FOUND', `no package matches '${text}' in ${channels.map((c) => `'${c.name}'`).join(', ')} for ${platform}`, {
          hint: 'check the spelling, try a glob such as "*name*", or another --platform',
        });
      }
      if (options.json) {
        const grouped: Record<string, RepoDataRecord[]> = {};
        for (const r of found) (grouped[r.name] ??= []).push(r);
        return output.json(grouped);
      }
      if (options.info) {
        output.text(found.map((r) => `${r.name} ${r.version} ${r.build}\n${'-'.repeat(40)}\n${JSON.stringify(r, null, 2)}\n`).join('\n'));
        return;
      }
      const rows = [['# Name', 'Version', 'Build', 'Channel', 'Subdir'], ...found.map((r) => [r.name, r.version, r.build, channelName(r), r.subdir ?? ''])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
      output.text(`${rows.map((row) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`);
    });
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/**
 * `taipan lock [-f environment.yml] [--platform P]... [SPEC...] [-o conda-lock.yml]`: solve
 * the request once per platform and write a conda-lock v1 file (URLs, md5, sha256,
 * dependencies per platform) that `create --file` installs with no solve.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { TaipanError } from '../../channels/model/errors.js';
import { parsePlatform, type Platform } from '../../channels/model/platform.js';
import { readEnvironmentFile } from '../../environments/env-file/environment-yaml.js';
import { solvePlatforms } from '../../environments/lockfile/solve-platforms.js';
import { writeCondaLockV1 } from '../../environments/lockfile/write.js';
import type { TaipanConfig } from '../config/load.js';
import { parseChannels, targetPlatform } from '../context.js';
import { collect } from '../options.js';
import type { Output } from '../output.js';

interface LockOptions {
  file?: string;
  platform: string[];
  channel: string[];
  overrideChannels?: boolean;
  output: string;
  json?: boolean;
}

export function registerLockCommand(program: Command, output: Output, config: () => TaipanConfig): void {
  program
    .command('lock')
    .description('solve for each platform and write a conda-lock.yml that installs exactly, with no solve')
    .argument('[specs...]', 'package specs (added to the environment file\'s)')
    .option('-f, --file <file>', 'the environment.yml to lock (default: ./environment.yml when no specs are given)')
    .option('--platform <subdir>', 'a platform to lock for; repeatable (default: the file\'s `platforms`, else this machine\'s)', collect, [])
    .option('-c, --channel <channel>', 'a channel (before the file\'s); repeatable', collect, [])
    .option('--override-channels', 'do not read the channels from the config files')
    .option('-o, --output <file>', 'where to write the lock file', 'conda-lock.yml')
    .option('--json', 'print the locked packages as JSON')
    .action(async (specArgs: string[], options: LockOptions) => {
      const settings = config();
      const file = options.file ?? (specArgs.length === 0 ? 'environment.yml' : undefined);
      const envFile = file ? await readEnvironmentFile(file) : undefined;
      const specs = [...(envFile?.dependencies ?? []), ...specArgs];
      if ((envFile?.pip.length ?? 0) > 0) {
        throw new TaipanError('INVALID_ARGUMENT', `'${file}' has a pip section, which taipan cannot lock yet`, { hint: 'lock the conda dependencies, and pin the pip ones in a requirements file' });
      }
      const channelNames = [...options.channel, ...(envFile?.channels ?? [])];
      const platforms: Platform[] = (options.platform.length > 0 ? options.platform : (envFile?.platforms ?? [])).map((p) => parsePlatform(p));
      if (platforms.length === 0) platforms.push(targetPlatform(undefined));
      const channels = parseChannels(channelNames, settings, options.overrideChannels);
      const solved = await solvePlatforms({ channels, specs, platforms: [...new Set(platforms)] });
      const text = writeCondaLockV1({
        channels: channels.map((c) => c.name),
        specs,
        platforms: solved,
        sources: file ? [path.basename(file)] : [],
      });
      await writeFile(options.output, text);
      if (options.json) {
        output.json({ success: true, lockfile: path.resolve(options.output), platforms: Object.fromEntries([...solved].map(([p, rs]) => [p, rs.map((r) => r.url)])) });
        return;
      }
      const counts = [...solved].map(([p, rs]) => `${p}: ${rs.length} packages`).join(', ');
      output.text(`locked ${counts}\nwrote '${options.output}'\n`);
    });
}

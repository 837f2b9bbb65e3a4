/** `taipan info`: what taipan sees on this machine, as `conda info` shows it. */
import type { Command } from 'commander';
import { currentPlatform } from '../../channels/model/platform.js';
import { listEnvironments } from '../../environments/registry.js';
import { resolvePkgsDirs } from '../../channels/util/pkgs-dirs.js';
import { detectVirtualPackages } from '../../environments/virtual-packages.js';
import type { TaipanConfig } from '../config/load.js';
import { envsDirs, parseChannels, TOOL_VERSION } from '../context.js';
import type { Output } from '../output.js';

export function registerInfoCommand(program: Command, output: Output, config: () => TaipanConfig): void {
  program
    .command('info')
    .description('show the platform, virtual packages, channels, caches and environments')
    .option('-e, --envs', 'list the known environments')
    .option('--json', 'print JSON')
    .action(async (options: { envs?: boolean; json?: boolean }) => {
      const settings = config();
      const platform = currentPlatform();
      const envs = await listEnvironments(envsDirs(settings));
      const info = {
        taipan_version: TOOL_VERSION,
        node_version: process.version,
        platform,
        virtual_pkgs: detectVirtualPackages(platform).map((v) => [v.name, v.version, v.build]),
        channels: parseChannels(undefined, settings).map((c) => c.baseUrl),
        channel_alias: settings.channel_alias ?? 'https://conda.anaconda.org',
        pkgs_dirs: resolvePkgsDirs(process.env, settings.pkgs_dirs),
        envs_dirs: envsDirs(settings),
        envs: envs.map((e) => e.prefix),
        config_files: settings.sources,
        active_prefix: process.env.CONDA_PREFIX || null,
      };
      if (options.json) return output.json(info);
      if (options.envs) {
        output.text(`# taipan environments:\n#\n${envs.map((e) => `${(e.name ?? '').padEnd(16)}  ${e.prefix}`).join('\n')}\n`);
        return;
      }
      const rows: [string, string | string[]][] = [
        ['taipan version', info.taipan_version],
        ['node version', info.node_version],
        ['platform', info.platform],
        ['virtual packages', info.virtual_pkgs.map(([n, v, b]) => `${n}=${v}=${b}`)],
        ['channels', info.channels.length > 0 ? info.channels : ['(none configured; pass -c)']],
        ['channel alias', info.channel_alias],
        ['package cache', info.pkgs_dirs],
        ['envs directories', info.envs_dirs],
        ['config files', info.config_files.length > 0 ? info.config_files : ['(none)']],
        ['active environment', info.active_prefix ?? 'None'],
      ];
      const width = Math.max(...rows.map(([k]) => k.length));
      const text = rows
        .map(([key, value]) => {
          const lines = Array.isArray(value) ? value : [value];
          return lines.map((line, i) => `${(i === 0 ? key : '').padStart(width)} : ${line}`).join('\n');
        })
        .join('\n');
      output.text(`\n${text}\n\n`);
    });
}

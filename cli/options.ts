/** Options that several commands share, spelled as conda spells them. */
import type { Command } from 'commander';
import type { OutputOptions, PrefixOptions } from './context.js';

export interface TransactionOptions extends OutputOptions, PrefixOptions {
  channel?: string[];
  overrideChannels?: boolean;
  platform?: string;
  file?: string[];
  deps?: boolean;
  copy?: boolean;
  forceReinstall?: boolean;
  /** `env update --prune`. */
  prune?: boolean;
  offline?: boolean;
  solver?: string;
  onlyDeps?: boolean;
  freezeInstalled?: boolean;
  updateDeps?: boolean;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function withPrefixOptions(command: Command): Command {
  return command.option('-p, --prefix <path>', 'the environment folder').option('-n, --name <name>', 'the environment name (under the envs folder)');
}

export function withOutputOptions(command: Command): Command {
  return command
    .option('--dry-run', 'only show what would be done')
    .option('--json', "print conda's JSON instead of text")
    .option('-y, --yes', 'do not ask for confirmation')
    .option('-q, --quiet', 'print nothing but errors');
}

export function withChannelOptions(command: Command): Command {
  return command
    .option('-c, --channel <channel>', 'a channel to read (folder, file:// URL or name); repeatable', collect, [])
    .option('--override-channels', 'do not read the channels from the config files')
    .option('--platform <subdir>', 'solve for another platform (e.g. linux-64)')
    .option('--copy', 'copy files into the environment instead of hard-linking them')
    .option('--offline', 'use only cached repodata and packages; never the network')
    .option('--solver <name>', 'cdcl (default) or logic-solver');
}

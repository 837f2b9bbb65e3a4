/** `taipan list`: the packages in an environment, as conda lists them. */
import type { Command } from 'commander';
import { TaipanError } from '../../channels/model/errors.js';
import { currentPlatform } from '../../channels/model/platform.js';
import { Prefix } from '../../environments/prefix/prefix.js';
import { resolvePrefix, type PrefixOptions } from '../context.js';
import { formatRevisions, readRevisions } from '../../environments/revisions.js';
import { announceHistoryWarnings } from '../history-warnings.js';
import { channelName } from '../report-plan.js';
import type { Output } from '../output.js';
import type { TaipanConfig } from '../config/load.js';

interface ListOptions extends PrefixOptions {
  json?: boolean;
  explicit?: boolean;
  md5?: boolean;
  sha256?: boolean;
  revisions?: boolean;
  export?: boolean;
}

export function registerListCommand(program: Command, output: Output, config: () => TaipanConfig): void {
  announceHistoryWarnings(output);
  program
    .command('list')
    .description('list the packages installed in an environment')
    .argument('[regex]', 'only packages whose name matches this regular expression')
    .option('-p, --prefix <path>', 'the environment folder')
    .option('-n, --name <name>', 'the environment name')
    .option('--json', 'print JSON')
    .option('--explicit', 'print an @EXPLICIT file (URLs of the installed archives)')
    .option('--md5', 'with --explicit: add each archive\'s md5')
    .option('--sha256', 'with --explicit: add each archive\'s sha256 (`#sha256:HASH`, as conda writes it)')
    .option('--revisions', 'list the revisions of the environment (from conda-meta/history)')
    .option('-e, --export', 'print name=version=build lines that `create --file` reads back')
    .action(async (regex: string | undefined, options: ListOptions) => {
      const prefix = resolvePrefix(options, config());
      const opened = await Prefix.open(prefix);
      if (!(await opened.isEnvironment())) {
        throw new TaipanError('PREFIX_NOT_FOUND', `'${prefix}' is not an environment (it has no conda-meta folder)`);
      }
      if (options.revisions) {
        const revisions = await readRevisions(prefix);
        if (options.json) output.json(revisions.map((r) => ({ rev: r.number, date: r.date, install: r.packages ?? r.added, remove: r.removed })));
        else output.text(formatRevisions(revisions));
        return;
      }
      let filter: RegExp | undefined;
      try {
        filter = regex ? new RegExp(regex) : undefined;
      } catch (error) {
        throw new TaipanError('INVALID_ARGUMENT', `invalid regular expression '${regex}'`, { cause: error });
      }
      const records = (await opened.records()).filter((r) => !filter || filter.test(r.name));
      if (options.json) {
        output.json(
          records.map((r) => ({
            name: r.name,
            version: r.version,
            build_string: r.build,
            build_number: r.build_number,
            channel: channelName(r),
            platform: r.subdir,
            dist_name: `${r.name}-${r.version}-${r.build}`,
            base_url: r.channel.replace(/\/[^/]+$/, ''),
          })),
        );
        return;
      }
      if (options.export) {
        const lines = ['# This file may be used to create an environment using:', '# $ taipan create --file <this file>', `# platform: ${environmentPlatform(records)}`];
        for (const r of records) lines.push(`${r.name}=${r.version}=${r.build}`);
        output.text(`${lines.join('\n')}\n`);
        return;
      }
      if (options.explicit) {
        const lines = ['# This file may be used to create an environment using:', '# $ taipan create --file <this file>', `# platform: ${environmentPlatform(records)}`, '@EXPLICIT'];
        for (const r of records) lines.push(options.sha256 && r.sha256 ? `${r.url}#sha256:${r.sha256}` : options.md5 && r.md5 ? `${r.url}#${r.md5}` : r.url);
        output.text(`${lines.join('\n')}\n`);
        return;
      }
      const rows = [['# Name', 'Version', 'Build', 'Channel'], ...records.map((r) => [r.name, r.version, r.build, channelName(r)])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
      output.text(`# packages in environment at ${prefix}:\n#\n`);
      output.text(`${rows.map((row) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`);
    });
}

/** The platform an environment is for: its first non-noarch record's subdir, else this machine's. */
function environmentPlatform(records: readonly { subdir?: string }[]): string {
  return records.find((r) => r.subdir && r.subdir !== 'noarch')?.subdir ?? currentPlatform();
}

/**
 * `taipan pack -n ENV | -p PREFIX -o env.tar.gz|.tar.zst|.zip`: a relocatable archive of
 * an environment; `taipan unpack DIR` fixes the paths of one extracted somewhere else
 * (the archive's own `bin/conda-unpack` does the same without taipan).
 */
import type { Command } from 'commander';
import { packEnvironment } from '../../environments/pack/pack.js';
import { unpackEnvironment } from '../../environments/pack/unpack.js';
import type { PackFormat } from '../../environments/pack/archive-writer.js';
import type { TaipanConfig } from '../config/load.js';
import { resolvePrefix, type PrefixOptions } from '../context.js';
import { withPrefixOptions } from '../options.js';
import type { Output } from '../output.js';

export function registerPackCommands(program: Command, output: Output, config: () => TaipanConfig): void {
  withPrefixOptions(program.command('pack'))
    .description('pack an environment into a relocatable archive (.tar.gz, .tar.zst or .zip)')
    .requiredOption('-o, --output <file>', 'the archive to write; its name picks the format')
    .option('--format <format>', 'tar.gz, tar.zst or zip (default: from the output name)')
    .option('--json', 'print the result as JSON')
    .action(async (options: PrefixOptions & { output: string; format?: PackFormat; json?: boolean }) => {
      const prefix = resolvePrefix(options, config());
      const result = await packEnvironment({ prefix, output: options.output, format: options.format });
      if (options.json) {
        output.json({ success: true, ...result });
        return;
      }
      output.text(
        `packed '${prefix}' into '${result.output}' (${result.files} entries; ${result.rewritten.text} text and ${result.rewritten.binary} binary files get the new path on unpack)\n` +
          `to use it elsewhere: mkdir ENV && tar -xf ${result.output} -C ENV && ENV/bin/conda-unpack && . ENV/bin/activate\n`,
      );
    });

  program
    .command('unpack')
    .description('rewrite the paths inside an extracted `taipan pack` archive for where it now is')
    .argument('<dir>', 'the folder the archive was extracted into')
    .action(async (dir: string) => {
      const result = await unpackEnvironment(dir);
      output.text(`unpacked in '${result.prefix}' (${result.files} files rewritten, from '${result.oldPrefix}')\n`);
    });
}

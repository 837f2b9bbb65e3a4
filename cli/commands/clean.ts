/** `taipan clean`: remove what the package cache no longer needs. */
import type { Command } from 'commander';
import { TaipanError } from '../../channels/model/errors.js';
import { rm } from 'node:fs/promises';
import { unusedShards } from '../../channels/repodata/shards/shard-cache.js';
import { executeClean, planClean } from '../../environments/package-cache/clean.js';
import { listEnvironments } from '../../environments/registry.js';
import type { TaipanConfig } from '../config/load.js';
import { confirm } from '../confirm.js';
import { envsDirs, packageCache, repodataCacheDir } from '../context.js';
import type { Output } from '../output.js';

interface CleanOptions {
  all?: boolean;
  packages?: boolean;
  tarballs?: boolean;
  indexCache?: boolean;
  shards?: boolean;
  dryRun?: boolean;
  json?: boolean;
  yes?: boolean;
  quiet?: boolean;
}

export function registerCleanCommand(program: Command, output: Output, config: () => TaipanConfig): void {
  program
    .command('clean')
    .description('remove unused packages, archives and cached repodata from the package cache')
    .option('-a, --all', 'everything below')
    .option('-p, --packages', 'extracted packages no environment uses')
    .option('-t, --tarballs', 'downloaded archives')
    .option('-i, --index-cache', 'cached repodata, CEP-16 shards included')
    .option('-s, --shards', 'cached repodata shards that no cached shard index lists any more')
    .option('--dry-run', 'only show what would be removed')
    .option('--json', 'print JSON')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (options: CleanOptions) => {
      if (!options.all && !options.packages && !options.tarballs && !options.indexCache && !options.shards) {
        throw new TaipanError('INVALID_ARGUMENT', 'say what to clean', { hint: 'use --all, --packages, --tarballs, --index-cache or --shards' });
      }
      const settings = config();
      const environments = (await listEnvironments(envsDirs(settings))).map((e) => e.prefix);
      const plan = await planClean({
        pkgsDir: packageCache(settings).writableDir,
        environments,
        tarballs: Boolean(options.all || options.tarballs),
        packages: Boolean(options.all || options.packages),
        indexCache: Boolean(options.all || options.indexCache),
      });
      // The index cache as a whole takes every shard with it; --shards alone keeps the ones in use.
      const shards =
        options.shards && !plan.indexCache.length ? await unusedShards(repodataCacheDir(settings)) : { files: [], bytes: 0 };
      if (shards.skipped) output.warn(`shards kept: ${shards.skipped}`);
      const count = plan.tarballs.length + plan.packages.length + plan.indexCache.length + shards.files.length;
      const bytes = plan.bytes + shards.bytes;
      const execute = async (): Promise<void> => {
        await executeClean(plan);
        for (const file of shards.files) await rm(file, { force: true });
      };
      if (options.json) {
        if (!options.dryRun && count > 0) await execute();
        return output.json({ success: true, dry_run: Boolean(options.dryRun), ...plan, shards: shards.files, bytes });
      }
      output.text(
        [
          ...plan.tarballs.map((t) => `  archive  ${t}`),
          ...plan.packages.map((p) => `  package  ${p}`),
          ...plan.indexCache.map((c) => `  cache    ${c}`),
          ...shards.files.map((f) => `  shard    ${f}`),
        ].join('\n') + `\n${count} item(s), ${(bytes / 1024 / 1024).toFixed(1)} MiB\n`,
      );
      if (options.dryRun || count === 0) return;
      if (!options.yes && !(await confirm('Remove them ([y]/n)? '))) return;
      await execute();
    });
}

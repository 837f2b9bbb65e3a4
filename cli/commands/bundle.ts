/**
 * `taipan bundle environment.yml|conda-lock.yml|explicit.txt -o workshop-installer.sh|.zip
 * [--platform P] [--standalone node|sea]`: one file that installs the environment with no
 * network and no taipan (see build/bundle/installer.ts). The file is told apart as
 * `create --file` tells it: a lock file by its content, an environment.yml by its name,
 * otherwise a spec list or an @EXPLICIT file. Lock and @EXPLICIT files ship as they are.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Channel } from '../../channels/model/channel.js';
import { TaipanError } from '../../channels/model/errors.js';
import { parsePlatform, type Platform } from '../../channels/model/platform.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { parseEnvironmentYaml } from '../../environments/env-file/environment-yaml.js';
import { isEnvironmentYamlName } from '../../environments/env-file/request-files.js';
import { parseSpecFile } from '../../environments/env-file/spec-file.js';
import { recordFromExplicit } from '../../environments/explicit-install.js';
import { looksLikeLockFile, parseLockFile } from '../../environments/lockfile/read.js';
import { lockedRecords } from '../../environments/lockfile/select.js';
import { buildInstaller, type BundleSource } from '../../build/bundle/installer.js';
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
  json?: boolean;
}

export function registerBundleCommand(program: Command, output: Output, config: () => TaipanConfig): void {
  program
    .command('bundle')
    .description('make an offline installer (.sh, or .zip with install.bat) holding the packages and a standalone taipan')
    .argument('<file>', 'an environment.yml (solved here), or a lock or @EXPLICIT file (shipped as it is, no solve)')
    .requiredOption('-o, --output <file>', 'the installer to write: *.sh or *.zip')
    .option('--platform <subdir>', 'the platform the installer is for (default: this machine; win-64 for .zip)')
    .option('-c, --channel <channel>', 'a channel (before the file\'s); repeatable', collect, [])
    .option('--override-channels', 'do not read the channels from the config files')
    .option('--standalone <kind>', 'node: a small bundle run by Node 20+; sea: a native executable that needs no Node (this platform only)', 'node')
    .option('--name <name>', 'the environment name (default: the file\'s `name`, or its file name)')
    .option('--json', 'print the result (or the error) as JSON')
    .action(async (file: string, options: BundleOptions) => {
      if (options.standalone !== 'node' && options.standalone !== 'sea') {
        throw new TaipanError('INVALID_ARGUMENT', `--standalone is 'node' or 'sea', not '${options.standalone}'`);
      }
      const settings = config();
      const platform = options.platform ? parsePlatform(options.platform) : options.output.endsWith('.zip') ? parsePlatform('win-64') : targetPlatform(undefined);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new TaipanError('INVALID_ARGUMENT', `cannot read '${file}': ${(error as Error).message}`, { cause: error });
      }
      const { source, name } = bundleSource(file, text, platform, (channels) => parseChannels([...options.channel, ...channels], settings, options.overrideChannels));
      const envName = options.name ?? name ?? path.basename(file).replace(/\.(ya?ml|lock|txt|json)$/, '');
      const result = await buildInstaller({ envName, source, platform, output: options.output, cache: packageCache(settings), standalone: options.standalone });
      if (options.json) {
        output.json({ success: true, output: result.output, bytes: result.bytes, packages: result.packages, platform, payload_sha256: result.payloadSha256, solved: source.kind === 'solve' });
        return;
      }
      output.text(
        `wrote '${result.output}' (${(result.bytes / 1e6).toFixed(1)} MB, ${result.packages} packages for ${platform}, ${source.kind === 'file' ? `'${path.basename(file)}' as it is` : 'solved now'}, payload sha256 ${result.payloadSha256})\n` +
          (options.output.endsWith('.zip') ? 'attendees unzip it and run install.bat [PREFIX]\n' : `attendees run: sh ${path.basename(result.output)} [-b] [-p PREFIX]\n`),
      );
    });
}

/** The payload name of each lock format: what its own tools call the file. */
const LOCK_PAYLOAD_NAMES = { 'conda-lock-v1': 'conda-lock.yml', 'rattler-lock': 'pixi.lock', 'env-lockfile': 'env-lockfile.json' } as const;

function bundleSource(file: string, text: string, platform: Platform, channels: (fromFile: readonly string[]) => Channel[]): { source: BundleSource; name?: string } {
  if (looksLikeLockFile(text)) {
    const lock = parseLockFile(text, file);
    return { source: { kind: 'file', text, payloadName: LOCK_PAYLOAD_NAMES[lock.format], records: pinned(file, lockedRecords(lock, platform)) } };
  }
  if (isEnvironmentYamlName(file)) {
    const envFile = parseEnvironmentYaml(text, file, { platform });
    if (envFile.pip.length > 0) throw new TaipanError('INVALID_ARGUMENT', `'${file}' has a pip section, which installers cannot carry yet`);
    return { source: { kind: 'solve', specs: envFile.dependencies, channels: channels(envFile.channels) }, ...(envFile.name ? { name: envFile.name } : {}) };
  }
  const parsed = parseSpecFile(text, file);
  if (parsed.kind !== 'explicit') return { source: { kind: 'solve', specs: parsed.specs, channels: channels([]) } };
  if (parsed.packages.length === 0) throw new TaipanError('INVALID_ARGUMENT', `the @EXPLICIT file '${file}' lists no packages`);
  return { source: { kind: 'file', text, payloadName: 'explicit.txt', records: pinned(file, parsed.packages.map((p) => recordFromExplicit(p))) } };
}

/** A shipped file is installed as it is, so each of its packages must carry a hash the offline install can check. */
function pinned(file: string, records: readonly RepoDataRecord[]): readonly RepoDataRecord[] {
  const loose = records.find((r) => !r.sha256 && !r.md5);
  if (loose !== undefined) {
    throw new TaipanError('INVALID_ARGUMENT', `'${file}' gives no sha256 or md5 for '${loose.url}', so an offline installer could not check it`, {
      hint: 'export the environment with `taipan list --explicit --sha256` (or lock it with `taipan lock`) and bundle that file',
    });
  }
  return records;
}

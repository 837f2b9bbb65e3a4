/** `taipan config`: show, explain and change settings, as `conda config` does. */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { TaipanError } from '../../channels/model/errors.js';
import { editConfigFile, type ConfigEdit } from '../config/edit.js';
import { loadConfig, readConfigFile, userConfigFile } from '../config/load.js';
import { redactSetting } from '../config/redact.js';
import { SETTINGS, isSettingName, type SettingName } from '../config/schema.js';
import { didYouMean } from '../../channels/model/suggest.js';
import type { Output } from '../output.js';

interface ConfigOptions {
  show?: boolean | string[];
  showSources?: boolean;
  get?: string;
  set?: string[];
  add?: string[];
  append?: string[];
  remove?: string[];
  removeKey?: string;
  describe?: boolean | string;
  file?: string;
  json?: boolean;
}

export function registerConfigCommand(program: Command, output: Output): void {
  program
    .command('config')
    .description('show or change settings (~/.taipanrc; ~/.condarc is read too)')
    .option('--show [keys...]', 'print the settings in force')
    .option('--show-sources', 'print each config file and what it sets')
    .option('--get <key>', 'print one setting')
    .option('--set <key_value...>', 'set a setting: --set KEY VALUE')
    .option('--add <key_value...>', 'put a value first in a list: --add channels conda-forge')
    .option('--append <key_value...>', 'put a value last in a list')
    .option('--remove <key_value...>', 'take a value out of a list')
    .option('--remove-key <key>', 'delete a setting')
    .option('--describe [key]', 'explain the settings')
    .option('--file <file>', 'the config file to change (default ~/.taipanrc)')
    .option('--json', 'print JSON')
    .action((options: ConfigOptions) => {
      const edit = editRequested(options);
      if (edit) {
        checkSettingName(edit.key);
        editConfigFile(options.file ?? userConfigFile(), edit);
        return;
      }
      if (options.describe !== undefined) {
        const keys = typeof options.describe === 'string' ? [options.describe] : Object.keys(SETTINGS);
        for (const key of keys) {
          checkSettingName(key);
          output.text(`# ${key} (${SETTINGS[key].kind})\n#   ${SETTINGS[key].description}\n`);
        }
        return;
      }
      const config = loadConfig();
      if (options.showSources) {
        const sources = Object.fromEntries(config.sources.map((file) => [file, redactSetting(readConfigFile(file) ?? {})]));
        return options.json ? output.json(sources) : output.text(Object.entries(sources).map(([f, v]) => `==> ${f} <==\n${stringify(v)}`).join('\n'));
      }
      if (options.get !== undefined) {
        checkSettingName(options.get);
        const entry = config.values[options.get] && { value: redactSetting(config.values[options.get]?.value) };
        if (options.json) return output.json({ get: entry ? { [options.get]: entry.value } : {} });
        if (entry) output.text(stringify({ [options.get]: entry.value }));
        return;
      }
      const wanted = Array.isArray(options.show) ? options.show : Object.keys(SETTINGS);
      const shown: Record<string, unknown> = {};
      for (const key of wanted) {
        checkSettingName(key);
        shown[key] = redactSetting(config.values[key]?.value ?? null);
      }
      if (options.json) output.json(shown);
      else output.text(stringify(shown));
    });
}

function pair(values: string[] | undefined, flag: string): [string, string] | undefined {
  if (values === undefined) return undefined;
  if (values.length !== 2) throw new TaipanError('INVALID_ARGUMENT', `${flag} takes a key and a value`, { hint: `taipan config ${flag} channels conda-forge` });
  return [values[0] as string, values[1] as string];
}

function editRequested(options: ConfigOptions): ConfigEdit | undefined {
  const set = pair(options.set, '--set');
  if (set) return { op: 'set', key: set[0], value: set[1] };
  for (const op of ['add', 'append', 'remove'] as const) {
    const kv = pair(options[op], `--${op}`);
    if (kv) return { op, key: kv[0], value: kv[1] };
  }
  if (options.removeKey) return { op: 'remove-key', key: options.removeKey };
  return undefined;
}

/** An unknown key is an error naming the closest setting (`chanels` → `channels`). */
function checkSettingName(key: string): asserts key is SettingName {
  if (isSettingName(key)) return;
  const suggestion = didYouMean(key, Object.keys(SETTINGS));
  throw new TaipanError('CONFIG', `unknown setting '${key}'${suggestion}`, { hint: 'see the settings with `taipan config --describe`' });
}

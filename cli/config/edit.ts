/**
 * Editing a config file as `conda config` does (--set, --add, --append, --remove,
 * --remove-key), keeping the file's comments and order through yaml's Document API.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSeq, parseDocument, type Document } from 'yaml';
import { TaipanError } from '../../channels/model/errors.js';
import { SETTINGS, isSettingName, type SettingName } from './schema.js';
import { scalarSetting } from './load.js';

export type ConfigEdit =
  | { op: 'set'; key: string; value: string }
  | { op: 'add' | 'append' | 'remove'; key: string; value: string }
  | { op: 'remove-key'; key: string };

function settingName(key: string): SettingName {
  if (!isSettingName(key)) {
    throw new TaipanError('CONFIG', `unknown setting '${key}'`, { hint: `known settings: ${Object.keys(SETTINGS).join(', ')}` });
  }
  return key;
}

function scalarValue(name: SettingName, text: string): string | boolean | number {
  const kind = SETTINGS[name].kind;
  if (kind === 'list') throw new TaipanError('CONFIG', `'${name}' is a list`, { hint: `use --add, --append or --remove for '${name}'` });
  if (kind === 'map' || kind === 'string-map') throw new TaipanError('CONFIG', `'${name}' is a mapping`, { hint: `edit '${name}' in the config file itself` });
  return scalarSetting(name, text, '--set');
}

function loadDocument(file: string): Document {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // a new file
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new TaipanError('CONFIG', `cannot parse the config file '${file}': ${doc.errors[0]?.message}`);
  return doc;
}

export function editConfigFile(file: string, edit: ConfigEdit): void {
  const name = settingName(edit.key);
  const doc = loadDocument(file);
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  switch (edit.op) {
    case 'set':
      doc.set(name, scalarValue(name, edit.value));
      break;
    case 'remove-key':
      if (!doc.has(name)) throw new TaipanError('CONFIG', `'${name}' is not set in '${file}'`);
      doc.delete(name);
      break;
    default: {
      if (SETTINGS[name].kind !== 'list') throw new TaipanError('CONFIG', `'${name}' is not a list`, { hint: `use --set ${name} VALUE` });
      const current = doc.get(name);
      const items: string[] = isSeq(current) ? current.items.map((i) => String((i as { value?: unknown }).value ?? i)) : [];
      let next: string[];
      if (edit.op === 'remove') {
        if (!items.includes(edit.value)) throw new TaipanError('CONFIG', `'${edit.value}' is not in '${name}' in '${file}'`);
        next = items.filter((i) => i !== edit.value);
      } else {
        // conda's --add puts the value first (highest priority), moving it if it was there.
        const rest = items.filter((i) => i !== edit.value);
        next = edit.op === 'add' ? [edit.value, ...rest] : [...rest, edit.value];
      }
      doc.set(name, doc.createNode(next));
    }
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, doc.toString());
  renameSync(temp, file);
}

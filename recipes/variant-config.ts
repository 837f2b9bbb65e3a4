/**
 * Variant configuration: conda_build_config.yaml (conda-build; `# [selector]` comments,
 * every value a string as conda-build's BaseLoader reads it) and variants.yaml
 * (rattler-build; typed YAML). Files are merged in order, later keys replacing earlier ones;
 * `zip_keys` groups are validated (rattler-build#1868, conda-build#3489: a malformed group
 * or zipped lists of unequal length is an error naming the file and line, never a silently
 * collapsed matrix).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { recipeError, type SourceLocation } from './errors.js';
import { selectLines, selectorNamespace } from './selectors.js';

export type VariantValue = string | number | boolean;

/** One file's keys, or several files merged. */
export interface VariantConfig {
  /** Each key's list of values (a scalar in the file is a one-element list). */
  readonly values: Map<string, VariantValue[]>;
  /** Groups of keys whose lists are zipped rather than multiplied. */
  readonly zipKeys: string[][];
  /** Where each key (and `zip_keys`) was last set, for errors. */
  readonly locations: Map<string, SourceLocation>;
  /** Keys whose values are maps or otherwise not variant lists (pin_run_as_build, ...). */
  readonly extras: Map<string, unknown>;
}

/** Keys conda-build carries through without making variants of them. */
const SPECIAL_KEYS = new Set(['zip_keys', 'extend_keys', 'pin_run_as_build', 'ignore_version', 'ignore_build_only_deps', 'replacements']);

export interface LoadVariantOptions {
  readonly targetPlatform: string;
  readonly buildPlatform: string;
  readonly env: Readonly<Record<string, string>>;
}

export function emptyVariantConfig(): VariantConfig {
  return { values: new Map(), zipKeys: [], locations: new Map(), extras: new Map() };
}

/** Reads one variant file. `conda_build_config*.yaml` files get conda-build's line selectors. */
export function loadVariantFile(file: string, options: LoadVariantOptions): VariantConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw recipeError({ file }, `cannot read variant config: ${(error as Error).message}`, { cause: error });
  }
  return parseVariantText(text, file, options);
}

export function parseVariantText(text: string, file: string, options: LoadVariantOptions): VariantConfig {
  const condaBuildStyle = /conda_build_config[^/\\]*\.ya?ml$/.test(path.basename(file)) || !/\.ya?ml$/.test(file);
  const source = condaBuildStyle
    ? selectLines(text, selectorNamespace({ targetPlatform: options.targetPlatform, buildPlatform: options.buildPlatform, variant: {}, env: options.env }), file)
    : text;
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, schema: condaBuildStyle ? 'failsafe' : 'core', uniqueKeys: false, prettyErrors: false });
  const at = (node: YamlNode | null | undefined): SourceLocation => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { file };
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, col: pos.col };
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const pos = lineCounter.linePos(firstError.pos[0]);
    throw recipeError({ file, line: pos.line, col: pos.col }, `invalid YAML: ${firstError.message.split('\n')[0]}`);
  }
  const config = emptyVariantConfig();
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) return config;
  if (!isMap(doc.contents)) throw recipeError(at(doc.contents), 'a variant config must be a mapping of keys to lists of values');
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as YamlNode | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    if (!key) throw recipeError(at(keyNode), 'variant keys must be plain strings');
    const valueNode = pair.value as YamlNode | null;
    config.locations.set(key, at(keyNode));
    if (key === 'zip_keys') {
      config.zipKeys.push(...parseZipKeys(valueNode, at));
      continue;
    }
    if (SPECIAL_KEYS.has(key) || isMap(valueNode)) {
      try {
        config.extras.set(key, valueNode ? valueNode.toJSON() : null);
      } catch (e) {
        throw recipeError(at(valueNode), `invalid value for '${key}': ${(e as Error).message}`, { cause: e });
      }
      continue;
    }
    const list = isSeq(valueNode) ? valueNode.items.map((n) => scalarValue(n as YamlNode, at)) : [scalarValue(valueNode, at)];
    // conda-build's trim_empty_keys: a key whose every entry was removed by selectors is gone.
    if (list.length === 0 || (isSeq(valueNode) && valueNode.items.length === 0)) continue;
    config.values.set(key, list);
  }
  validateZipGroups(config, file);
  return config;
}

function scalarValue(node: YamlNode | null | undefined, at: (n: YamlNode | null | undefined) => SourceLocation): VariantValue {
  if (node === null || node === undefined) return '';
  if (!isScalar(node)) throw recipeError(at(node), 'variant values must be scalars (strings, numbers or booleans)');
  const v = node.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  return String(v);
}

function parseZipKeys(node: YamlNode | null, at: (n: YamlNode | null | undefined) => SourceLocation): string[][] {
  const bad = (n: YamlNode | null | undefined): never => {
    throw recipeError(at(n), 'zip_keys must be a list of lists of variant keys (e.g. [[python, numpy]])', {
      hint: 'write each group as its own list: zip_keys: [[c_compiler_version, cxx_compiler_version]]',
    });
  };
  if (!isSeq(node)) return bad(node);
  const items = node.items.filter((n) => !(isScalar(n) && (n.value === '' || n.value === null))) as YamlNode[];
  if (items.length === 0) return [];
  // conda-build accepts a flat list of names as one group.
  if (items.every((n) => isScalar(n))) return [items.map((n) => String((n as { value: unknown }).value))];
  const groups: string[][] = [];
  for (const item of items) {
    if (!isSeq(item)) return bad(item);
    const names = item.items.filter((n) => !(isScalar(n) && (n.value === '' || n.value === null)));
    if (!names.every((n) => isScalar(n) && typeof n.value === 'string')) return bad(item);
    if (names.length === 0) continue;
    if (names.length === 1) throw recipeError(at(item), `zip_keys group [${names.map((n) => String((n as { value: unknown }).value)).join(', ')}] has one key: a group zips two or more keys`);
    groups.push(names.map((n) => String((n as { value: unknown }).value)));
  }
  return groups;
}

/** Each key in one group at most, and zipped lists of equal length (keys absent are ignored). */
function validateZipGroups(config: VariantConfig, file: string): void {
  const seen = new Map<string, string[]>();
  for (const group of config.zipKeys) {
    for (const key of group) {
      const other = seen.get(key);
      if (other && other !== group) {
        throw recipeError(config.locations.get('zip_keys') ?? { file }, `zip_keys: '${key}' is in two groups ([${other.join(', ')}] and [${group.join(', ')}])`);
      }
      seen.set(key, group);
    }
    const present = group.filter((k) => config.values.has(k));
    const lengths = new Set(present.map((k) => config.values.get(k)!.length));
    if (lengths.size > 1) {
      const detail = present.map((k) => `${k} has ${config.values.get(k)!.length}`).join(', ');
      const longest = present.reduce((a, b) => (config.values.get(b)!.length !== config.values.get(present[0]!)!.length ? b : a), present[0]!);
      throw recipeError(config.locations.get(longest) ?? config.locations.get('zip_keys') ?? { file }, `zipped keys [${group.join(', ')}] have lists of different lengths (${detail})`, {
        hint: 'keys zipped together need one value per variant each',
      });
    }
  }
}

/**
 * Merges configs in order: a later key replaces the earlier list; zip groups are joined.
 * A later file that sets only some keys of a zip group selects a subspace when its values
 * are among the earlier ones (conda-build's filtering) and is an error otherwise.
 */
export function mergeVariantConfigs(configs: readonly VariantConfig[]): VariantConfig {
  const merged = emptyVariantConfig();
  const groupKey = (g: string[]): string => [...g].sort().join('\u0000');
  const groups = new Map<string, string[]>();
  for (const c of configs) for (const g of c.zipKeys) groups.set(groupKey(g), g);
  merged.zipKeys.push(...groups.values());
  const groupOf = (key: string): string[] | undefined => merged.zipKeys.find((g) => g.includes(key));
  for (const config of configs) {
    for (const [key, value] of config.extras) merged.extras.set(key, value);
    for (const [key, loc] of config.locations) merged.locations.set(key, loc);
    const handled = new Set<string>();
    for (const [key, list] of config.values) {
      if (handled.has(key)) continue;
      const group = groupOf(key);
      if (!group) {
        merged.values.set(key, [...list]);
        continue;
      }
      const setHere = group.filter((k) => config.values.has(k));
      setHere.forEach((k) => handled.add(k));
      const others = group.filter((k) => !setHere.includes(k) && merged.values.has(k));
      const newLength = list.length;
      const othersLength = others.length > 0 ? merged.values.get(others[0]!)!.length : undefined;
      if (othersLength === undefined || othersLength === newLength) {
        for (const k of setHere) merged.values.set(k, [...config.values.get(k)!]);
        continue;
      }
      // A subspace: pick the indices of the earlier lists whose values are the new ones.
      const indices: number[] = [];
      for (let i = 0; i < othersLength; i += 1) {
        if (setHere.every((k) => (config.values.get(k) ?? []).some((v) => String(v) === String(merged.values.get(k)?.[i])))) indices.push(i);
      }
      if (indices.length === 0) {
        // Not a subspace: the later file replaces the key outright, and the earlier partners it
        // was zipped with leave the matrix (a recipe's variants.yaml that sets `python` alone
        // over conda-forge's pinning, which zips python with is_python_min). Nothing is
        // multiplied silently: every value the later file gives becomes a variant.
        for (const k of setHere) merged.values.set(k, [...config.values.get(k)!]);
        for (const k of others) merged.values.delete(k);
        continue;
      }
      for (const k of group) {
        const old = merged.values.get(k);
        if (old) merged.values.set(k, indices.map((i) => old[i]!));
      }
    }
  }
  // The merged groups must still zip lists of equal length.
  for (const group of merged.zipKeys) {
    const present = group.filter((k) => merged.values.has(k));
    const lengths = new Set(present.map((k) => merged.values.get(k)!.length));
    if (lengths.size > 1) {
      const detail = present.map((k) => `${k} has ${merged.values.get(k)!.length}`).join(', ');
      throw recipeError(merged.locations.get(present[present.length - 1]!) ?? { file: '<variants>' }, `zipped keys [${group.join(', ')}] have lists of different lengths after merging (${detail})`);
    }
  }
  return merged;
}

export type Variant = Record<string, VariantValue>;

/**
 * The variants: the product over `keys` (zip groups move together), every other key taking
 * its first value. Only keys a recipe uses are passed, so unused multi-valued keys never
 * multiply the matrix.
 */
export function explodeVariants(config: VariantConfig, keys: ReadonlySet<string>): Variant[] {
  const base: Variant = {};
  for (const [key, list] of config.values) if (list.length > 0) base[key] = list[0]!;
  const dims: { keys: string[]; rows: VariantValue[][] }[] = [];
  const done = new Set<string>();
  for (const key of [...keys].sort()) {
    if (done.has(key) || !config.values.has(key)) continue;
    const group = config.zipKeys.find((g) => g.includes(key));
    const members = group ? group.filter((k) => config.values.has(k)) : [key];
    members.forEach((k) => done.add(k));
    const length = config.values.get(members[0]!)!.length;
    const rows: VariantValue[][] = [];
    for (let i = 0; i < length; i += 1) rows.push(members.map((k) => config.values.get(k)![i]!));
    dims.push({ keys: members, rows });
  }
  let variants: Variant[] = [{ ...base }];
  for (const dim of dims) {
    const next: Variant[] = [];
    for (const v of variants) {
      for (const row of dim.rows) {
        const copy = { ...v };
        dim.keys.forEach((k, i) => (copy[k] = row[i]!));
        next.push(copy);
      }
    }
    variants = next;
    if (variants.length > 10_000) throw recipeError({ file: '<variants>' }, `the variant matrix has more than 10000 entries (keys: ${[...keys].join(', ')})`);
  }
  return variants;
}

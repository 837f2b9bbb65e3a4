/**
 * Key tables: every key a recipe section may hold, what it becomes in the draft, and the
 * table of its sub-keys. One table per section and format (shared where conda-build's
 * meta.yaml and rattler-build's recipe.yaml agree) is the single list of keys: the
 * checker below reports any other key with a "did you mean" suggestion, and the draft
 * builders read sections through {@link sectionOf}, typed by the same table, so a key the
 * code reads but the table lacks does not compile.
 */
import { isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import type { SourceLocation } from '../errors.js';
import { didYouMean } from '../../channels/model/suggest.js';

export interface KeySpec {
  /**
   * The draft field (or fields) the key fills, e.g. `requirements.run`; null for a key the
   * reference tool documents that taipan accepts and does not use (yet).
   */
  readonly into: string | null;
  /** Sub-keys when the value is a mapping or a list of mappings; 'any' for free-form maps (extra, env). */
  readonly keys?: KeyTable | 'any';
}

export interface KeyTable {
  /** What the section is called in messages (`build`, `about`, `a git source`). */
  readonly name: string;
  readonly keys: Readonly<Record<string, KeySpec>>;
  /**
   * Keys that belong elsewhere or are the other format's spelling, with what to write
   * instead (`tests` at the top of a recipe with outputs, meta.yaml's `run_constrained` in
   * a recipe.yaml).
   */
  readonly misplaced?: Readonly<Record<string, string>>;
}

/** A table whose key names TypeScript knows (a KeyTable still), so {@link sectionOf} can type its reads. */
export interface TypedKeyTable<K extends string> {
  readonly name: string;
  readonly keys: Readonly<Record<K, KeySpec>>;
  readonly misplaced?: Readonly<Record<string, string>>;
}

export function keyTable<K extends string>(name: string, keys: Record<K, KeySpec>, misplaced?: Record<string, string>): TypedKeyTable<K> {
  return misplaced ? { name, keys, misplaced } : { name, keys };
}

/** The union of tables, for a place that takes any of several shapes (url, git or path sources). */
export function unionTable(name: string, ...tables: KeyTable[]): KeyTable {
  return { name, keys: Object.assign({}, ...tables.map((t) => t.keys)) as Record<string, KeySpec> };
}

export type KeysOf<T extends TypedKeyTable<string>> = Extract<keyof T['keys'], string>;

/**
 * A section's values, readable only by the table's keys (`sectionOf(BUILD, v).numbr` is a
 * type error). Anything that is not a mapping reads as empty.
 */
export function sectionOf<T extends TypedKeyTable<string>, V>(_table: T, value: V | undefined | null): { readonly [K in KeysOf<T>]?: V } {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value) ? (value as { [K in KeysOf<T>]?: V }) : {};
}

export interface KeyProblem {
  readonly loc: SourceLocation;
  readonly message: string;
  readonly hint: string;
}

export interface CheckOptions {
  /** Where a node is in the recipe file. */
  readonly at: (node: YamlNode | null | undefined) => SourceLocation;
  /** rattler-build's `if/then/else` items: their branches are checked against the same table. */
  readonly conditionals?: boolean;
  readonly report: (problem: KeyProblem) => void;
}

const MAX_DEPTH = 64;

function isConditionalMap(node: YamlNode): boolean {
  return isMap(node) && node.items.some((p) => isScalar(p.key) && p.key.value === 'if') && node.items.some((p) => isScalar(p.key) && p.key.value === 'then');
}

/** Reports every key of `node` (a mapping, or a list of mappings) that `table` does not know, at any depth. */
export function checkKeys(node: YamlNode | null | undefined, table: KeyTable, where: string, options: CheckOptions, depth = 0): void {
  if (!node || depth > MAX_DEPTH) return;
  if (isSeq(node)) {
    node.items.forEach((item, i) => checkKeys(item as YamlNode, table, `${where}[${i}]`, options, depth + 1));
    return;
  }
  if (!isMap(node)) return;
  if (options.conditionals && isConditionalMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key === 'then' || key === 'else') checkKeys(pair.value as YamlNode, table, where, options, depth + 1);
    }
    return;
  }
  for (const pair of node.items) {
    const keyNode = pair.key as YamlNode | null;
    // Templated keys (`${{ name }}:`) are known only after rendering.
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string' || keyNode.value.includes('${{')) continue;
    const key = keyNode.value;
    const spec = Object.prototype.hasOwnProperty.call(table.keys, key) ? table.keys[key] : undefined;
    if (!spec) {
      const valid = Object.keys(table.keys);
      const misplaced = table.misplaced?.[key];
      options.report({
        loc: options.at(keyNode),
        message: misplaced ? `unknown key '${key}' in ${where}: ${misplaced}` : `unknown key '${key}' in ${where}${didYouMean(key, valid)}`,
        hint: `${table.name} takes: ${valid.join(', ')}`,
      });
      continue;
    }
    if (spec.keys && spec.keys !== 'any') checkKeys(pair.value as YamlNode, spec.keys, `${where === 'the top level' ? '' : `${where}.`}${key}`, options, depth + 1);
  }
}

/**
 * Stage 0 → plain values: the recipe.yaml node tree (with spans) evaluated for one variant.
 * `if/then/else` items of lists are replaced by the chosen branch (a branch that is a list is
 * spliced in, so conditionals nest), `${{ }}` scalars are rendered, and null items (an
 * expression like `${{ "x" if win }}` on linux) are dropped from lists.
 */
import { isMap, isScalar, isSeq, type LineCounter, type Node as YamlNode, type Pair } from 'yaml';
import { recipeError, type SourceLocation } from '../errors.js';
import type { JinjaEngine } from '../jinja-env.js';
import { evalCondition, renderTemplate, type Json } from './template.js';

export interface EvalScope {
  readonly engine: JinjaEngine;
  readonly context: Record<string, unknown>;
  readonly file: string;
  readonly lineCounter: LineCounter;
}

export function nodeLocation(scope: Pick<EvalScope, 'file' | 'lineCounter'>, node: YamlNode | null | undefined): SourceLocation {
  const offset = node?.range?.[0];
  if (offset === undefined) return { file: scope.file };
  const pos = scope.lineCounter.linePos(offset);
  return { file: scope.file, line: pos.line, col: pos.col };
}

/** A YAML scalar's value; plain numbers whose text is not their canonical form (1.10, 1.0) stay strings. */
export function scalarOf(node: YamlNode): Json {
  if (!isScalar(node)) return null;
  const v = node.value;
  if (typeof v === 'number') {
    const src = node.source ?? String(v);
    return String(v) === src ? v : src;
  }
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  return String(v);
}

/** An `if:`/`then:` item (a map with `if` but no `then` is an ordinary map, e.g. a build step). */
export function isConditional(node: unknown): boolean {
  return isMap(node) && node.items.some((p) => isScalar(p.key) && p.key.value === 'if') && node.items.some((p) => isScalar(p.key) && p.key.value === 'then');
}

function pairValue(node: YamlNode & { items: Pair[] }, key: string): YamlNode | null | undefined {
  const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
  return pair ? (pair.value as YamlNode | null) : undefined;
}

/** The branch an `if/then/else` item selects (undefined when false without else). */
export function chooseBranch(scope: EvalScope, node: YamlNode & { items: Pair[] }): YamlNode | null | undefined {
  const loc = nodeLocation(scope, node);
  const cond = pairValue(node, 'if');
  for (const p of node.items) {
    const key = isScalar(p.key) ? String(p.key.value) : '';
    if (!['if', 'then', 'else'].includes(key)) throw recipeError(nodeLocation(scope, p.key as YamlNode), `unexpected key '${key}' in an if/then/else item (expected if, then, else)`);
  }
  if (!isScalar(cond) || typeof cond.value !== 'string' && typeof cond.value !== 'boolean') throw recipeError(loc, "'if' needs a condition expression");
  const thenNode = pairValue(node, 'then');
  if (thenNode === undefined) throw recipeError(loc, "an 'if' item needs a 'then'");
  const truth = typeof cond.value === 'boolean' ? cond.value : evalCondition(scope.engine, cond.value, scope.context, nodeLocation(scope, cond));
  return truth ? thenNode : pairValue(node, 'else');
}

/** Evaluates a node (and its children) to plain JSON values. */
export function evaluate(scope: EvalScope, node: YamlNode | null | undefined, depth = 0): Json {
  if (depth > 64) throw recipeError(nodeLocation(scope, node), 'the recipe nests too deeply');
  if (node === null || node === undefined) return null;
  if (isScalar(node)) {
    const value = scalarOf(node);
    return typeof value === 'string' ? renderTemplate(scope.engine, value, scope.context, nodeLocation(scope, node)) : value;
  }
  if (isSeq(node)) {
    const out: Json[] = [];
    const push = (child: YamlNode | null | undefined): void => {
      if (isConditional(child)) {
        const branch = chooseBranch(scope, child as YamlNode & { items: Pair[] });
        if (branch === undefined || branch === null) return;
        if (isSeq(branch)) for (const item of branch.items) push(item as YamlNode);
        else push(branch);
        return;
      }
      const value = evaluate(scope, child, depth + 1);
      if (value !== null && value !== '') out.push(value);
    };
    for (const item of node.items) push(item as YamlNode);
    return out;
  }
  if (isMap(node)) {
    if (isConditional(node)) {
      const branch = chooseBranch(scope, node);
      return branch === undefined ? null : evaluate(scope, branch, depth + 1);
    }
    const out: { [k: string]: Json } = {};
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      if (!isScalar(keyNode)) throw recipeError(nodeLocation(scope, keyNode), 'mapping keys must be plain strings');
      const key = String(renderTemplate(scope.engine, String(keyNode.value), scope.context, nodeLocation(scope, keyNode)));
      out[key] = evaluate(scope, pair.value as YamlNode | null, depth + 1);
    }
    return out;
  }
  throw recipeError(nodeLocation(scope, node), 'unsupported YAML node (aliases and tags are not allowed in recipes)');
}

/** The value node under `key` of a mapping node. */
export function child(node: YamlNode | null | undefined, key: string): YamlNode | null | undefined {
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
  return pair ? (pair.value as YamlNode | null) : undefined;
}

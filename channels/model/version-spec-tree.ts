/**
 * conda's `treeify`: turns a version spec expression into a tree of `|` / `,` nodes with
 * constraint strings at the leaves. `,` (and) binds tighter than `|` (or), parentheses
 * group, and nested nodes of the same operator are flattened. Tokenization follows
 * conda's token pattern: a regex `^...$` is one token even if it holds `|`, `,` or
 * parentheses; whitespace before an operator or parenthesis is dropped; anything else
 * up to the next operator or parenthesis is one constraint.
 */

/** A leaf constraint string or an operator node. */
export type SpecTree = string | SpecTreeNode;
export interface SpecTreeNode {
  readonly op: '|' | ',';
  readonly items: readonly SpecTree[];
}

/** Thrown inside the tree builder; the caller adds the spec text. */
export class SpecTreeError extends Error {}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(String.fromCharCode(c)));
}

function isOperatorChar(c: number): boolean {
  // ( ) | ,
  return c === 40 || c === 41 || c === 124 || c === 44;
}

/**
 * True when conda would treeify `spec` (its `.*[()|,^$]` pre-check: one of those
 * characters appears before any line break).
 */
export function needsTree(spec: string): boolean {
  for (let i = 0; i < spec.length; i++) {
    const c = spec.charCodeAt(i);
    if (c === 10) return false;
    if (isOperatorChar(c) || c === 94 || c === 36) return true;
  }
  return false;
}

/** Splits `(spec)` into trimmed tokens as conda's tokenizer does. */
function tokenize(spec: string): string[] {
  const s = `(${spec})`;
  const tokens: string[] = [];
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j < s.length && isSpace(s.charCodeAt(j))) j++;
    const c = s.charCodeAt(j);
    if (c === 94) {
      const end = s.indexOf('$', j + 1);
      if (end >= 0) {
        tokens.push(s.slice(j, end + 1));
        i = end + 1;
        continue;
      }
    } else if (j < s.length && isOperatorChar(c)) {
      tokens.push(s[j] as string);
      i = j + 1;
      continue;
    }
    let k = i;
    while (k < s.length && !isOperatorChar(s.charCodeAt(k))) k++;
    tokens.push(s.slice(i, k).trim());
    i = k;
  }
  return tokens;
}

/**
 * Builds the expression tree of `spec`. A spec without operators yields its single
 * (trimmed) constraint string.
 * @throws SpecTreeError saying what is malformed.
 */
export function treeify(spec: string): SpecTree {
  const output: SpecTree[] = [];
  const stack: string[] = [];

  // Reduce pending operators down to (not including) one of `stops`.
  const applyOps = (stops: string): void => {
    while (stack.length > 0 && !stops.includes(stack[stack.length - 1] as string)) {
      if (output.length < 2) throw new SpecTreeError("an operator '|' or ',' has nothing on one side");
      const op = stack.pop() as '|' | ',';
      const right = output.pop() as SpecTree;
      const left = output.pop() as SpecTree;
      output.push({ op, items: [...flattenInto(op, left), ...flattenInto(op, right)] });
    }
  };

  for (const token of tokenize(spec)) {
    if (token === '|') {
      applyOps('(');
      stack.push('|');
    } else if (token === ',') {
      applyOps('|(');
      stack.push(',');
    } else if (token === '(') {
      stack.push('(');
    } else if (token === ')') {
      applyOps('(');
      if (stack.length === 0) throw new SpecTreeError("a ')' has no matching '('");
      stack.pop();
    } else {
      output.push(token);
    }
  }
  if (stack.length > 0) throw new SpecTreeError("a '(' is never closed");
  if (output.length === 0) throw new SpecTreeError('it has no constraint; expected something like \'>=1.2\'');
  // conda silently keeps only the first of several juxtaposed groups; reject instead.
  if (output.length > 1) throw new SpecTreeError("expected '|' or ',' between constraints");
  return output[0] as SpecTree;
}

function flattenInto(op: '|' | ',', tree: SpecTree): readonly SpecTree[] {
  return typeof tree !== 'string' && tree.op === op ? tree.items : [tree];
}

/**
 * How a packed environment is moved: at pack time each file that holds the environment's
 * path gets a plan of byte operations (copy a range of the old file, write the new
 * prefix, write NULs, copy the rest); at unpack time the plan is replayed with the new
 * prefix. Both the POSIX `bin/conda-unpack` script and `taipan unpack` replay the same
 * plan, so the offsets are found once, in TypeScript, and the script needs nothing but
 * `tail`, `head` and `printf`.
 *
 * Which files get a plan, and in which mode, is rewrite-selection.ts's choice (conda-pack's).
 *
 * Text files: every occurrence becomes the new prefix (any length). Binary files: the
 * NUL-terminated string holding the prefix is rebuilt and padded with NULs so no offset
 * after it moves, as conda does at install. Its room is the package's
 * placeholder length, not the old prefix's: install padded the string with exactly the
 * NULs the placeholder left, and the plan checks they are there. So a binary prefix can
 * grow back up to the placeholder (255 characters for modern packages) where conda-pack
 * only allows the old prefix's length.
 */
import type { RewriteRule } from './rewrite-selection.js';

export type RewriteOp =
  /** Copy `length` bytes of the packed file from `offset`. */
  | { readonly op: 'C'; readonly offset: number; readonly length: number }
  /** Write the new prefix. */
  | { readonly op: 'N' }
  /** Write `count * (room - newLength)` NULs: the padding of `count` replaced prefixes. */
  | { readonly op: 'Z'; readonly count: number }
  /** Copy the rest of the packed file from `offset`. */
  | { readonly op: 'R'; readonly offset: number };

export interface FilePlan {
  /** POSIX path relative to the prefix. */
  readonly path: string;
  readonly mode: 'text' | 'binary';
  /** Binary files: the longest prefix that fits (placeholder length, else the old prefix's). */
  readonly room: number;
  readonly ops: readonly RewriteOp[];
}

/**
 * The plan for one file, or undefined when it does not hold `oldPrefix`. The rule (see
 * rewrite-selection.ts) says whether the file is text or binary and, for a file a package
 * declared, its placeholder's byte length.
 */
export function planFile(relativePath: string, data: Buffer, oldPrefix: string, rule: RewriteRule): FilePlan | undefined {
  const from = Buffer.from(oldPrefix, 'utf8');
  if (data.indexOf(from) === -1) return undefined;
  return rule.mode === 'binary' ? planBinary(relativePath, data, from, rule.placeholderLength) : planText(relativePath, data, from);
}

function planText(relativePath: string, data: Buffer, from: Buffer): FilePlan {
  const ops: RewriteOp[] = [];
  let start = 0;
  for (let at = data.indexOf(from); at !== -1; at = data.indexOf(from, start)) {
    if (at > start) ops.push({ op: 'C', offset: start, length: at - start });
    ops.push({ op: 'N' });
    start = at + from.length;
  }
  ops.push({ op: 'R', offset: start });
  return { path: relativePath, mode: 'text', room: 0, ops };
}

function planBinary(relativePath: string, data: Buffer, from: Buffer, placeholderLength?: number): FilePlan {
  const groups = binaryGroups(data, from);
  // The extra room exists only if every string is followed by the NULs the placeholder left.
  const extra = placeholderLength !== undefined && placeholderLength > from.length ? placeholderLength - from.length : 0;
  const padded = extra > 0 && groups.every((g) => allNul(data, g.end, g.end + g.starts.length * extra));
  const grow = padded ? extra : 0;
  const ops: RewriteOp[] = [];
  let start = 0;
  for (const group of groups) {
    for (const at of group.starts) {
      if (at > start) ops.push({ op: 'C', offset: start, length: at - start });
      ops.push({ op: 'N' });
      start = at + from.length;
    }
    if (group.end > start) ops.push({ op: 'C', offset: start, length: group.end - start });
    ops.push({ op: 'Z', count: group.starts.length });
    start = group.end + group.starts.length * grow;
  }
  ops.push({ op: 'R', offset: start });
  return { path: relativePath, mode: 'binary', room: from.length + grow, ops };
}

/** Occurrences of `from`, grouped by the NUL-terminated string they are in. */
function binaryGroups(data: Buffer, from: Buffer): { starts: number[]; end: number }[] {
  const groups: { starts: number[]; end: number }[] = [];
  let at = data.indexOf(from);
  while (at !== -1) {
    let end = data.indexOf(0, at);
    if (end === -1) end = data.length;
    const starts: number[] = [];
    for (let hit = at; hit !== -1 && hit + from.length <= end; hit = data.indexOf(from, hit + from.length)) starts.push(hit);
    groups.push({ starts, end });
    at = data.indexOf(from, end);
  }
  return groups;
}

function allNul(data: Buffer, from: number, to: number): boolean {
  if (to > data.length) return false;
  for (let i = from; i < to; i++) if (data[i] !== 0) return false;
  return true;
}

/** Replay a plan on the packed bytes; throws when a binary file has no room for `newPrefix`. */
export function applyPlan(plan: FilePlan, data: Buffer, newPrefix: string): Buffer {
  const to = Buffer.from(newPrefix, 'utf8');
  if (plan.mode === 'binary' && to.length > plan.room) {
    throw new RangeError(`'${plan.path}' has room for a prefix of ${plan.room} bytes, '${newPrefix}' has ${to.length}`);
  }
  const parts: Buffer[] = [];
  for (const op of plan.ops) {
    if (op.op === 'C') parts.push(data.subarray(op.offset, op.offset + op.length));
    else if (op.op === 'N') parts.push(to);
    else if (op.op === 'Z') parts.push(Buffer.alloc(op.count * (plan.room - to.length)));
    else parts.push(data.subarray(op.offset));
  }
  return Buffer.concat(parts);
}

/** The plan file: a header, the old prefix, then per file an `F` line and its ops. */
export function formatPlans(oldPrefix: string, plans: readonly FilePlan[]): string {
  const lines = ['# taipan-pack rewrite plan 1', `O ${oldPrefix}`];
  for (const plan of plans) {
    lines.push(`F ${plan.mode === 'binary' ? 'B' : 'T'} ${plan.room} ${plan.path}`);
    for (const op of plan.ops) {
      if (op.op === 'C') lines.push(`C ${op.offset} ${op.length}`);
      else if (op.op === 'N') lines.push('N');
      else if (op.op === 'Z') lines.push(`Z ${op.count}`);
      else lines.push(`R ${op.offset}`);
    }
  }
  lines.push('E');
  return `${lines.join('\n')}\n`;
}

export function parsePlans(text: string): { oldPrefix: string; plans: FilePlan[] } {
  let oldPrefix = '';
  const plans: { path: string; mode: 'text' | 'binary'; room: number; ops: RewriteOp[] }[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line === 'E') continue;
    const [op = '', a = '', ...rest] = line.split(' ');
    const current = plans[plans.length - 1];
    if (op === 'O') oldPrefix = line.slice(2);
    else if (op === 'F') plans.push({ mode: a === 'B' ? 'binary' : 'text', room: Number(rest[0]), path: rest.slice(1).join(' '), ops: [] });
    else if (op === 'C') current?.ops.push({ op: 'C', offset: Number(a), length: Number(rest[0]) });
    else if (op === 'N') current?.ops.push({ op: 'N' });
    else if (op === 'Z') current?.ops.push({ op: 'Z', count: Number(a) });
    else if (op === 'R') current?.ops.push({ op: 'R', offset: Number(a) });
    else throw new Error(`unknown plan line '${line}'`);
  }
  return { oldPrefix, plans };
}

/**
 * Makers of RepoDataRecord objects, one per key sequence ("shape") met in repodata.
 *
 * A record built by adding its keys one by one to `{}` outgrows V8's in-object slots and,
 * past a dozen keys added by name-from-data, drops to dictionary mode: several times the
 * memory of what `JSON.parse` makes. A record literal with its keys written out gets one
 * hidden class and exact in-object slots, so each shape's maker is generated once, as
 * `JSON.parse` itself keeps one map per key sequence. Repodata has a handful of shapes; past
 * MAX_SHAPES (a hostile file with a new key per record) records are built the plain way.
 *
 * Every maker also completes the record as `adoptRecord` does (records.ts), with the same
 * key order: `build_number`, `depends` and `subdir` defaulted in place when present and
 * appended when absent, then `fn`, `url` and `channel`.
 */
/** What a maker needs besides the values: the subdir and channel of the records, and the empty `depends`. */
export interface ShapeContext {
  readonly subdir: string;
  readonly channel: string;
  readonly noDepends: readonly string[];
}

/** Builds one record from the values of its keys, in order. */
export type RecordMaker = (values: readonly unknown[], fn: string, url: string, context: ShapeContext) => Record<string, unknown>;

const MAX_SHAPES = 256;
const COMPLETED = ['build_number', 'depends', 'subdir', 'fn', 'url', 'channel'] as const;

/**
 * One node per key sequence prefix; `maker` once a record ended there. A node knows only its
 * parent and its last key (a record of K keys costs K small nodes, not K copies of a growing
 * key list); the whole sequence is assembled once, when its maker is made.
 */
export class ShapeNode {
  private readonly children = new Map<string, ShapeNode>();
  private madeBy: RecordMaker | undefined;
  /** The child taken last: records of one file mostly share one shape, so usually the next one too. */
  private lastKey: string | undefined;
  private lastChild: ShapeNode | undefined;

  constructor(
    private readonly shapes: RecordShapes,
    private readonly parent: ShapeNode | undefined,
    private readonly key: string | undefined,
  ) {}

  /** The node of this key sequence followed by `key`. */
  next(key: string): ShapeNode {
    if (key === this.lastKey) return this.lastChild as ShapeNode;
    let child = this.children.get(key);
    if (child === undefined) {
      child = new ShapeNode(this.shapes, this, key);
      this.children.set(key, child);
    }
    this.lastKey = key;
    this.lastChild = child;
    return child;
  }

  /** The key sequence from the root to this node. */
  get keys(): readonly string[] {
    const keys: string[] = [];
    for (let node: ShapeNode | undefined = this; node?.key !== undefined; node = node.parent) keys.push(node.key);
    return keys.reverse();
  }

  get maker(): RecordMaker {
    this.madeBy ??= this.shapes.makerFor(this.keys);
    return this.madeBy;
  }
}

export class RecordShapes {
  readonly root = new ShapeNode(this, undefined, undefined);
  private generated = 0;

  makerFor(keys: readonly string[]): RecordMaker {
    if (this.generated >= MAX_SHAPES || keys.includes('__proto__')) return plainMaker(keys);
    this.generated++;
    return generatedMaker(keys);
  }
}

/** The expression for value `i` of `key`, completed as `adoptRecord` completes it. */
function completedValue(key: string, i: number): string {
  switch (key) {
    case 'build_number':
      return `typeof v[${i}] === 'number' ? v[${i}] : 0`;
    case 'depends':
      return `Array.isArray(v[${i}]) ? v[${i}] : c.noDepends`;
    case 'subdir':
      return `v[${i}] ?? c.subdir`;
    case 'fn':
      return 'fn';
    case 'url':
      return 'url';
    case 'channel':
      return 'c.channel';
    default:
      return `v[${i}]`;
  }
}

function absentValue(key: (typeof COMPLETED)[number]): string {
  return { build_number: '0', depends: 'c.noDepends', subdir: 'c.subdir', fn: 'fn', url: 'url', channel: 'c.channel' }[key];
}

function generatedMaker(keys: readonly string[]): RecordMaker {
  // Keys are quoted with JSON.stringify, which always yields a valid JS string literal;
  // `__proto__` (whose literal form would set the prototype) never gets here.
  const members = keys.map((key, i) => `${JSON.stringify(key)}: ${completedValue(key, i)}`);
  for (const key of COMPLETED) if (!keys.includes(key)) members.push(`${JSON.stringify(key)}: ${absentValue(key)}`);
  return new Function('v', 'fn', 'url', 'c', `'use strict'; return {${members.join(', ')}};`) as RecordMaker;
}

/** The same record without generated code: for odd shapes only (it may end in dictionary mode). */
function plainMaker(keys: readonly string[]): RecordMaker {
  return (values, fn, url, context) => {
    const record: Record<string, unknown> = {};
    keys.forEach((key, i) => {
      Object.defineProperty(record, key, { value: values[i], enumerable: true, writable: true, configurable: true });
    });
    const raw = { ...record };
    Object.assign(record, {
      build_number: typeof raw.build_number === 'number' ? raw.build_number : 0,
      depends: Array.isArray(raw.depends) ? raw.depends : context.noDepends,
      subdir: raw.subdir ?? context.subdir,
      fn,
      url,
      channel: context.channel,
    });
    return record;
  };
}

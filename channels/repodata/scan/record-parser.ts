/**
 * Builds RepoDataRecords straight from the bytes of repodata members (`"fn": {record}, ...`,
 * the runs json-scan.ts finds), instead of `JSON.parse` and then completing each record.
 *
 * At conda-forge scale a solve reaches hundreds of thousands of records that repeat the
 * same strings over and over: `depends` and `constrains` lists, licenses, subdirs,
 * versions. Here one string or one frozen list serves every record that has it, and a list
 * seen before costs one lookup of its raw text instead of a string per entry; records get
 * one hidden class per key sequence (record-shapes.ts). Values of other kinds (objects,
 * booleans, fractions) go to `JSON.parse`, so a record keeps every field the file has, in
 * the file's order, exactly as `JSON.parse` + `adoptRecord` would give it.
 */
import { TaipanError } from '../../model/errors.js';
import { invalidRepodataJson, MAX_NESTING } from '../repodata-errors.js';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-bytes.js';
import type { RepoDataRecord } from '../../model/package-record.js';
import { RecordShapes, type ShapeContext, type ShapeNode } from './record-shapes.js';
import { checkRecord, isUnsafeName, type RecordContext } from '../records.js';

const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_N = 0x6e;
const LOWER_T = 0x74;
const LOWER_F = 0x66;
const NULL_BYTES = Buffer.from('null');
const TRUE_BYTES = Buffer.from('true');
const FALSE_BYTES = Buffer.from('false');

/** What a key's value gets: ORDINARY strings are interned. */
const ORDINARY = 0;
/** Lists shared between records (frozen, so no holder can change another's). */
const SHARED_LIST = 1;
/** Replaced by the record's completion (records.ts): the bytes are skipped. */
const REPLACED = 2;
/** Strings unique per record: interning them would only grow the table. */
const UNIQUE_STRING = 3;

/** Repodata's usual keys, matched on the bytes so that no string is made for them. */
const KNOWN_KEYS: readonly (readonly [string, number])[] = [
  ['depends', SHARED_LIST], ['constrains', SHARED_LIST],
  ['fn', REPLACED], ['url', REPLACED], ['channel', REPLACED],
  ['md5', UNIQUE_STRING], ['sha256', UNIQUE_STRING], ['build', UNIQUE_STRING], ['legacy_bz2_md5', UNIQUE_STRING],
  ['arch', ORDINARY], ['build_number', ORDINARY], ['features', ORDINARY], ['license', ORDINARY], ['license_family', ORDINARY],
  ['name', ORDINARY], ['noarch', ORDINARY], ['platform', ORDINARY], ['size', ORDINARY], ['subdir', ORDINARY],
  ['timestamp', ORDINARY], ['track_features', ORDINARY], ['version', ORDINARY], ['python_site_packages_path', ORDINARY],
  ['legacy_bz2_size', ORDINARY],
];

interface KnownKey {
  readonly bytes: Buffer;
  readonly key: string;
  readonly kind: number;
}

const KNOWN_BY_LENGTH: KnownKey[][] = [];
for (const [key, kind] of KNOWN_KEYS) (KNOWN_BY_LENGTH[key.length] ??= []).push({ bytes: Buffer.from(key, 'latin1'), key, kind });

function knownKey(b: Buffer, start: number, end: number): KnownKey | undefined {
  const candidates = KNOWN_BY_LENGTH[end - start];
  if (candidates === undefined) return undefined;
  next: for (const known of candidates) {
    const bytes = known.bytes;
    for (let j = 0; j < bytes.length; j++) if (b[start + j] !== bytes[j]) continue next;
    return known;
  }
  return undefined;
}

function isWhitespace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Bytes a JSON number may hold. */
function isNumberByte(c: number | undefined): boolean {
  return c !== undefined && ((c >= ZERO && c <= NINE) || c === MINUS || c === 0x2b || c === DOT || c === LOWER_E || c === UPPER_E);
}

const NOTHING = Buffer.alloc(0);

/** Bytes inside a JSON string: PLAIN ones need no attention (ASCII, not a quote, backslash or control character). */
const PLAIN = 0;
const STRING_BYTE = new Uint8Array(256).map((_, c) => (c < 0x20 || c === QUOTE || c === BACKSLASH || c >= 0x80 ? 1 : PLAIN));

interface SharedList {
  readonly bytes: Buffer;
  readonly list: readonly string[];
  readonly next: SharedList | undefined;
}

/** FNV-1a over `b[from, to)`, with the length mixed in. */
function hashBytes(b: Buffer, from: number, to: number): number {
  let hash = 0x811c9dc5 ^ (to - from);
  for (let k = from; k < to; k++) hash = Math.imul(hash ^ (b[k] as number), 0x01000193);
  return hash;
}

function sameAscii(text: string, b: Buffer, from: number, to: number): boolean {
  if (text.length !== to - from) return false;
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) !== b[from + k]) return false;
  return true;
}

/** Whether `b[from, to)` holds `bytes`; compared natively (lists run to hundreds of bytes). */
function sameBytes(bytes: Buffer, b: Buffer, from: number, to: number): boolean {
  return bytes.length === to - from && b.compare(bytes, 0, bytes.length, from, to) === 0;
}

/**
 * The records of one section (`packages` or `packages.conda`) of one name, in file order. A
 * repeated file name keeps its first place and its last record, as in `JSON.parse`. File
 * names are told apart by a hash of their characters: a Map keyed by hundreds of thousands
 * of fresh strings costs more than parsing them.
 */
export class ParsedRecords {
  readonly fns: string[] = [];
  readonly records: RepoDataRecord[] = [];
  private readonly byHash = new Map<number, number>();
  /** File names whose hash an earlier, different one took. */
  private collided: Map<string, number> | undefined;

  add(fn: string, record: RepoDataRecord): void {
    const hash = hashText(fn);
    const at = this.byHash.get(hash);
    if (at === undefined) this.byHash.set(hash, this.fns.length);
    else if (this.fns[at] === fn) {
      this.records[at] = record;
      return;
    } else {
      this.collided ??= new Map();
      const other = this.collided.get(fn);
      if (other !== undefined) {
        this.records[other] = record;
        return;
      }
      this.collided.set(fn, this.fns.length);
    }
    this.fns.push(fn);
    this.records.push(record);
  }
}

function hashText(text: string): number {
  let hash = 0x811c9dc5 ^ text.length;
  for (let k = 0; k < text.length; k++) hash = Math.imul(hash ^ text.charCodeAt(k), 0x01000193);
  return hash;
}

/** Parses the records of one subdir; its string and list tables serve all the names built from it. */
export class RecordParser {
  private readonly shapes = new RecordShapes();
  private readonly strings = new Map<string, string>();
  private readonly asciiByHash = new Map<number, string | string[]>();
  /** Shared lists by a hash of their bytes (`[...]` as in the file), colliding ones chained. */
  private readonly lists = new Map<number, SharedList>();
  private readonly keys = new Map<string, string>();
  private readonly shapeContext: ShapeContext;
  private readonly urlPrefix: string;
  /** Scratch: the values of the record being read, and the starts of a list's strings. */
  private readonly values: unknown[] = [];
  private readonly starts: number[] = [];
  private b: Buffer = NOTHING;
  private i = 0;
  private end = 0;
  /** Where `b[0]` lies in the file, for error messages. */
  private base = 0;
  private escaped = false;
  private keyKind = ORDINARY;
  /** Names and versions that passed `checkRecord`. */
  private readonly safeNames = new Set<unknown>();
  /** The next backslash at or after the last string skipped (`end`: none). */
  private backslashAt = -1;
  private nonAscii = false;

  constructor(private readonly context: RecordContext) {
    this.shapeContext = { subdir: context.subdir, channel: context.channelUrl, noDepends: Object.freeze([]) };
    this.urlPrefix = `${context.packageBase}/`;
  }

  /**
   * Every member in `bytes[start, end)` (`"fn": {record}` pairs separated by commas) into
   * `out`. `base` is where `bytes[0]` lies in the file.
   */
  members(bytes: Buffer, start: number, end: number, base: number, out: ParsedRecords): void {
    this.b = bytes;
    this.i = start;
    this.end = end;
    this.base = base;
    this.backslashAt = -1;
    try {
      for (;;) {
        this.skipWhitespace();
        if (this.i >= end) return;
        if (bytes[this.i] !== QUOTE) this.fail('expected a file name');
        const fn = this.string(false);
        this.expectColon();
        if (bytes[this.i] !== OPEN_BRACE) this.fail('a package record must be an object');
        out.add(fn, this.record(fn));
        this.skipWhitespace();
        if (this.i < end) {
          if (bytes[this.i] !== COMMA) this.fail('expected "," between records');
          this.i++;
        }
      }
    } finally {
      this.b = NOTHING;
      this.values.fill(undefined);
    }
  }

  private record(fn: string): RepoDataRecord {
    const b = this.b;
    const values = this.values;
    let node: ShapeNode = this.shapes.root;
    let n = 0;
    this.i++;
    this.skipWhitespace();
    if (b[this.i] === CLOSE_BRACE) this.i++;
    else {
      for (;;) {
        if (b[this.i] !== QUOTE) this.fail('expected a key');
        const key = this.key();
        this.expectColon();
        values[n++] = this.value(this.keyKind);
        node = node.next(key);
        this.skipWhitespace();
        const c = b[this.i];
        if (c === CLOSE_BRACE) {
          this.i++;
          break;
        }
        if (c !== COMMA) this.fail('expected "," or "}" in a record');
        this.i++;
        this.skipWhitespace();
      }
    }
    const record = node.maker(values, fn, this.urlPrefix + fn, this.shapeContext);
    this.check(record, fn);
    return Object.freeze(record) as unknown as RepoDataRecord;
  }

  /** `checkRecord`, with names and versions (repeated, interned) checked once each. */
  private check(record: Record<string, unknown>, fn: string): void {
    const { name, version, build } = record;
    if (this.safeNames.has(name) && this.safeNames.has(version) && typeof build === 'string' && !isUnsafeName(fn) && !isUnsafeName(build)) return;
    checkRecord(record, fn, this.context);
    this.safeNames.add(name).add(version);
  }

  /** The key at the cursor; its value's kind is left in `keyKind`. */
  private key(): string {
    const start = this.i;
    const end = this.stringEnd();
    if (!this.escaped) {
      const known = knownKey(this.b, start + 1, end - 1);
      if (known !== undefined) {
        this.keyKind = known.kind;
        return known.key;
      }
    }
    this.keyKind = ORDINARY;
    const text = this.decode(start, end);
    const key = this.keys.get(text);
    if (key !== undefined) return key;
    this.keys.set(text, text);
    return text;
  }

  private value(kind: number): unknown {
    const c = this.b[this.i] as number;
    if (kind === REPLACED) {
      if (c === QUOTE) this.skipString();
      else this.skipValue();
      return undefined;
    }
    if (c === QUOTE) return this.string(kind !== UNIQUE_STRING);
    if (c === OPEN_BRACKET && kind === SHARED_LIST) return this.sharedList();
    if ((c >= ZERO && c <= NINE) || c === MINUS) return this.number();
    if (c === LOWER_N && this.literal(NULL_BYTES)) return null;
    if (c === LOWER_T && this.literal(TRUE_BYTES)) return true;
    if (c === LOWER_F && this.literal(FALSE_BYTES)) return false;
    return this.anyValue();
  }

  /** Whether `word` (null, true, false) stands at the cursor as a whole token; moves past it if so. */
  private literal(word: Buffer): boolean {
    const b = this.b;
    const i = this.i;
    for (let j = 1; j < word.length; j++) if (b[i + j] !== word[j]) return false;
    const after = b[i + word.length];
    if (after !== COMMA && after !== CLOSE_BRACE && !isWhitespace(after)) return false;
    this.i = i + word.length;
    return true;
  }

  private string(intern: boolean): string {
    const start = this.i;
    const end = this.stringEnd();
    if (!intern) return this.decode(start, end);
    if (this.escaped || this.nonAscii) return this.intern(this.decode(start, end));
    return this.internAscii(start + 1, end - 1);
  }

  private intern(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }

  /** The interned string of the ASCII bytes `[from, to)`, found by a hash of the bytes so that a string seen before is not made again. */
  private internAscii(from: number, to: number): string {
    const b = this.b;
    const hash = hashBytes(b, from, to);
    const found = this.asciiByHash.get(hash);
    if (found !== undefined) {
      if (typeof found === 'string') {
        if (sameAscii(found, b, from, to)) return found;
      } else {
        for (const text of found) if (sameAscii(text, b, from, to)) return text;
      }
    }
    const text = b.toString('latin1', from, to);
    if (found === undefined) this.asciiByHash.set(hash, text);
    else if (typeof found === 'string') this.asciiByHash.set(hash, [found, text]);
    else found.push(text);
    return text;
  }

  /** A list of strings, shared with every record whose list has the same bytes; other lists as JSON.parse makes them. */
  private sharedList(): unknown {
    const b = this.b;
    const start = this.i;
    const starts = this.starts;
    let count = 0;
    this.i++;
    this.skipWhitespace();
    if (b[this.i] !== CLOSE_BRACKET) {
      for (;;) {
        if (b[this.i] !== QUOTE) {
          this.i = start;
          return this.anyValue();
        }
        starts[count++] = this.i;
        this.stringEnd();
        this.skipWhitespace();
        const c = b[this.i];
        if (c === CLOSE_BRACKET) break;
        if (c !== COMMA) this.fail('expected "," or "]" in a list');
        this.i++;
        this.skipWhitespace();
      }
    }
    this.i++;
    const after = this.i;
    const hash = hashBytes(b, start, after);
    let entry = this.lists.get(hash);
    while (entry !== undefined && !sameBytes(entry.bytes, b, start, after)) entry = entry.next;
    if (entry !== undefined) return entry.list;
    const items = new Array<string>(count);
    for (let k = 0; k < count; k++) {
      this.i = starts[k] as number;
      items[k] = this.string(true);
    }
    this.i = after;
    const list = Object.freeze(items);
    this.lists.set(hash, { bytes: Buffer.from(b.subarray(start, after)), list, next: this.lists.get(hash) });
    return list;
  }

  private number(): unknown {
    const b = this.b;
    const start = this.i;
    let i = start;
    if (b[i] === MINUS) i++;
    const digitsStart = i;
    let value = 0;
    for (; i < this.end; i++) {
      const c = b[i] as number;
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
    }
    const digits = i - digitsStart;
    const next = b[i];
    // Fractions, exponents, leading zeros and digits past double precision follow JSON's own rules.
    if (digits === 0 || digits > 15 || (digits > 1 && b[digitsStart] === ZERO) || next === DOT || next === LOWER_E || next === UPPER_E) {
      while (i < this.end && isNumberByte(b[i])) i++;
      const parsed = this.parseJson(start, i);
      this.i = i;
      return parsed;
    }
    this.i = i;
    return b[start] === MINUS ? -value : value;
  }

  /** Any JSON value, as JSON.parse makes it. */
  private anyValue(): unknown {
    const start = this.i;
    this.skipValue();
    return this.parseJson(start, this.i);
  }

  private skipValue(): void {
    const b = this.b;
    let depth = 0;
    for (;;) {
      if (this.i >= this.end) this.fail('the record ends inside a value');
      const c = b[this.i] as number;
      if (c === QUOTE) {
        this.stringEnd();
        if (depth === 0) return;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++depth > MAX_NESTING) this.fail(`arrays and objects are nested more than ${MAX_NESTING} levels deep`);
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) return;
        depth--;
        if (depth === 0) {
          this.i++;
          return;
        }
      } else if (depth === 0 && (c === COMMA || isWhitespace(c))) return;
      this.i++;
    }
  }

  /** Moves past the string opening at the cursor, whose text is not needed: natively, when no backslash comes first. */
  private skipString(): void {
    const b = this.b;
    if (this.backslashAt <= this.i) {
      const at = b.indexOf(BACKSLASH, this.i);
      this.backslashAt = at < 0 || at >= this.end ? this.end : at;
    }
    const quote = b.indexOf(QUOTE, this.i + 1);
    if (quote >= 0 && quote < this.backslashAt) this.i = quote + 1;
    else this.stringEnd();
  }

  /** One past the closing quote of the string opening at the cursor (cursor moved there); notes escapes and non-ASCII bytes. */
  private stringEnd(): number {
    const b = this.b;
    const end = this.end;
    let escaped = false;
    let nonAscii = false;
    let i = this.i + 1;
    for (;;) {
      if (i >= end) this.fail('unterminated string');
      const c = b[i] as number;
      // One table look-up per byte for the common case of a plain ASCII character.
      if (STRING_BYTE[c] === PLAIN) {
        i++;
        continue;
      }
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 0x20) this.fail('a control character inside a string');
      nonAscii = true;
      i++;
    }
    this.i = i + 1;
    this.escaped = escaped;
    this.nonAscii = nonAscii;
    return i + 1;
  }

  /** The string between `start` (its opening quote) and `end` (one past its closing quote), as stringEnd found it. */
  private decode(start: number, end: number): string {
    if (this.escaped) return this.parseJson(start, end) as string;
    return this.b.toString(this.nonAscii ? 'utf8' : 'latin1', start + 1, end - 1);
  }

  private parseJson(start: number, end: number): unknown {
    try {
      return JSON.parse(this.b.toString('utf8', start, end));
    } catch (error) {
      this.i = start;
      return this.fail(`invalid JSON value: ${(error as Error).message}`);
    }
  }

  private expectColon(): void {
    this.skipWhitespace();
    if (this.b[this.i] !== COLON) this.fail('expected ":"');
    this.i++;
    this.skipWhitespace();
  }

  private skipWhitespace(): void {
    const b = this.b;
    let i = this.i;
    let c = b[i];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++i];
    this.i = i;
  }

  private fail(what: string): never {
    throw invalidRepodataJson(this.context.source, this.base + this.i, what);
  }
}

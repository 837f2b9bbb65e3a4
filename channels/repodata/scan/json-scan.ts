/**
 * A byte-level scanner over repodata.json that finds where each record is and which package
 * it belongs to, without building an object per record. conda-forge's linux-64 repodata is
 * hundreds of MB: `JSON.parse` of all of it costs seconds and gigabytes, while a solve
 * touches a fraction of the names. The scanner walks the bytes once and records, per
 * package name, the byte offsets of its records; record-parser.ts later reads only the
 * runs of the names the solver asks for.
 *
 * The scanner takes the bytes in chunks (`feed`) and keeps its state between them, so a
 * file is scanned without ever being in memory whole: records are read back from the file
 * by offset (repodata-bytes.ts), and the OS page cache, not the process, holds the bytes.
 */
import { TaipanError } from '../../model/errors.js';
import { invalidRepodataJson, MAX_NESTING, nestedTooDeep } from '../repodata-errors.js';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, FOUR_SPACES, hasQuoteOrBackslash, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-bytes.js';

/** A run grows up to about this size, so that reading one back needs only a small buffer. */
const MAX_RUN_BYTES = 1 << 20;

/** Byte classes for the record loop (see `inRecord`). */
const PLAIN = 0;
const STRING = 1;
const SEPARATOR = 2;
const KEY_END = 3;
const OPENS = 4;
const CLOSES = 5;
const BYTE_CLASS = new Uint8Array(256);
BYTE_CLASS[QUOTE] = STRING;
BYTE_CLASS[COMMA] = SEPARATOR;
BYTE_CLASS[COLON] = KEY_END;
BYTE_CLASS[OPEN_BRACE] = OPENS;
BYTE_CLASS[OPEN_BRACKET] = OPENS;
BYTE_CLASS[CLOSE_BRACE] = CLOSES;
BYTE_CLASS[CLOSE_BRACKET] = CLOSES;
const NEWLINE = 0x0a;

/**
 * Record runs per package name: a flat list of `[start, end]` pairs. A run is one or more
 * adjacent `"fn": {record}` members of the same name (repodata keys are sorted, so a name's
 * records usually form a single run, split every MAX_RUN_BYTES): `start` is the opening
 * quote of the first key, `end` is one past the last record's closing brace. Flat number
 * arrays keep the index small.
 */
export type SpanIndex = Map<string, number[]>;

export interface ScannedRepodata {
  /** `info` (parsed; small). */
  readonly info: Record<string, unknown> | undefined;
  /** `removed` (parsed; small). */
  readonly removed: readonly string[];
  /** `packages` (.tar.bz2) records by package name. */
  readonly packages: SpanIndex;
  /** `packages.conda` records by package name. */
  readonly condaPackages: SpanIndex;
}

/** Scan a whole repodata.json held in memory. `source` names the file or URL in error messages. */
export function scanRepodata(bytes: Buffer, source: string): ScannedRepodata {
  const scanner = new RepodataScanner(source);
  scanner.feed(bytes);
  return scanner.finish();
}

/** The bytes of a string or value that may span chunks. */
class Capture {
  start = -1;
  private pieces: Buffer[] = [];

  begin(at: number): void {
    this.start = at;
    this.pieces = [];
  }

  get active(): boolean {
    return this.start >= 0;
  }

  /** The chunk ends while capturing: keep its tail. */
  keepTail(chunk: Buffer, base: number): void {
    this.pieces.push(Buffer.from(chunk.subarray(Math.max(0, this.start - base))));
  }

  /** The captured bytes up to `end` (absolute, exclusive). */
  take(chunk: Buffer, base: number, end: number): Buffer {
    const from = Math.max(0, this.start - base);
    const last = chunk.subarray(from, end - base);
    const bytes = this.pieces.length === 0 ? last : Buffer.concat([...this.pieces, last]);
    this.start = -1;
    this.pieces = [];
    return bytes;
  }
}

/**
 * The scan as a state machine over bytes; depths: 1 = the top object, 2 = a records
 * object (`packages`, `packages.conda`), 3 = one record. The byte loop keeps its state in
 * locals (the fields are written back at chunk ends and structural events): it runs once
 * per byte of a file of hundreds of MB.
 */
export class RepodataScanner {
  /** Absolute offset of the next chunk's first byte. */
  private offset = 0;
  private depth = 0;
  /** Open containers: true for an object, false for an array. */
  private readonly objects: boolean[] = [];
  private expectKey = false;
  /** A string runs past the end of the previous chunk (`stringStart` is where it began). */
  private inString = false;
  private escapeNext = false;
  private stringStart = -1;
  /** The bytes of a string cut by a chunk end, when its text is needed. */
  private readonly cutString = new Capture();
  private done = false;
  /** The top-level key whose value is being read, and the value's capture (info, removed). */
  private topKey = '';
  private topValuePending = false;
  private readonly topValue = new Capture();
  /** The records object being read (depth 2), if any. */
  private section: SpanIndex | undefined;
  private recordValuePending = false;
  private recordStart = -1;
  private nameNext = false;
  private name: string | undefined;
  /** The bytes of the last name decoded in a record loop (see `nameAt`). */
  private lastNameBytes: Buffer = Buffer.alloc(0);
  private lastNameText = '';
  /** The previous record of this section, so that a name's adjacent records form one run. */
  private lastName: string | undefined;
  private info: Record<string, unknown> | undefined;
  private removed: string[] = [];
  private readonly packages: SpanIndex = new Map();
  private readonly condaPackages: SpanIndex = new Map();

  constructor(private readonly source: string) {}

  /** The next bytes of the file. */
  feed(chunk: Buffer): void {
    const base = this.offset;
    const n = chunk.length;
    let i = 0;
    const words = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.inString) {
      i = closingQuote(chunk, words, this.escapeNext ? 1 : 0);
      this.escapeNext = i > n;
      if (i >= n) {
        this.chunkEnds(chunk, base);
        return;
      }
      this.inString = false;
      i++;
      this.stringEnded(chunk, base, this.stringStart, base + i);
    }
    while (i < n) {
      if (this.depth >= 3 && this.section !== undefined) {
        i = this.inRecord(chunk, words, base, i);
        continue;
      }
      const c = chunk[i] as number;
      if (c === QUOTE) {
        const start = i;
        i = closingQuote(chunk, words, i + 1);
        if (i >= n) {
          this.inString = true;
          this.escapeNext = i > n;
          this.stringStart = base + start;
          if (this.needsText()) this.cutString.begin(base + start);
          break;
        }
        i++;
        this.stringEnded(chunk, base, base + start, base + i);
        continue;
      }
      i++;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      this.token(c, chunk, base, base + i - 1);
    }
    this.chunkEnds(chunk, base);
  }

  /**
   * The bytes of one record from `i` on, until it ends (or the chunk does): only its `name`
   * and its end matter, so this loop just counts brackets, skips strings and looks at keys of
   * the record itself. Nested values are not checked here; the record parser checks the
   * records that are read. Most of a repodata file is read by this loop, so it classifies a
   * byte with one table load (most bytes are whitespace or digits: class 0) and steps over a
   * string's bytes four at a time (`closingQuote`).
   */
  private inRecord(chunk: Buffer, words: DataView, base: number, i: number): number {
    const n = chunk.length;
    let depth = this.depth;
    let expectKey = this.expectKey;
    let nameNext = this.nameNext;
    const lastWord = n - 4;
    while (i < n) {
      const c = chunk[i] as number;
      const kind = BYTE_CLASS[c] as number;
      if (kind === PLAIN) {
        i++;
        // Indented files put a run of spaces after every newline: skipped four at a time.
        if (c === NEWLINE) while (i <= lastWord && words.getUint32(i) === FOUR_SPACES) i += 4;
        continue;
      }
      if (kind === STRING) {
        const start = i;
        i = closingQuote(chunk, words, i + 1);
        if (i >= n) {
          this.inString = true;
          this.escapeNext = i > n;
          this.stringStart = base + start;
          if (depth === 3 && (expectKey || nameNext)) this.cutString.begin(base + start);
          i = n;
          break;
        }
        i++;
        if (depth === 3) {
          if (expectKey) nameNext = i - start === 6 && chunk[start + 1] === 0x6e && chunk[start + 2] === 0x61 && chunk[start + 3] === 0x6d && chunk[start + 4] === 0x65;
          else if (nameNext) {
            this.name = this.nameAt(chunk, start, i, base);
            nameNext = false;
          }
        }
        continue;
      }
      i++;
      if (kind === SEPARATOR) {
        if (depth === 3) {
          expectKey = true;
          nameNext = false;
        }
      } else if (kind === KEY_END) {
        if (depth === 3) expectKey = false;
      } else if (kind === OPENS) {
        if (++depth > MAX_NESTING) throw nestedTooDeep(this.source, base + i - 1);
      } else {
        depth--;
        if (depth === 2) {
          if (c !== CLOSE_BRACE) this.fail('unexpected "]"', base + i - 1);
          this.depth = 2;
          this.expectKey = false;
          this.nameNext = false;
          this.recordEnds(base + i);
          return i;
        }
      }
    }
    this.depth = depth;
    this.expectKey = expectKey;
    this.nameNext = nameNext;
    return i;
  }

  /**
   * The name whose string (quotes included) is `chunk[start, end)`. A name's records are
   * adjacent (repodata keys are sorted), so most records repeat the previous name: its
   * bytes are compared with the last name's before a new string is made.
   */
  private nameAt(chunk: Buffer, start: number, end: number, base: number): string {
    const last = this.lastNameBytes;
    if (last.length === end - start) {
      let k = 0;
      while (k < last.length && last[k] === chunk[start + k]) k++;
      if (k === last.length) return this.lastNameText;
    }
    const name = decodeString(chunk.subarray(start, end), this.source, base + start);
    this.lastNameBytes = Buffer.from(chunk.subarray(start, end));
    this.lastNameText = name;
    return name;
  }

  /** After the last chunk: the index, or an error when the file is cut short. */
  finish(): ScannedRepodata {
    if (!this.done) this.fail(this.depth === 0 && !this.inString ? 'a repodata.json holds a JSON object' : 'the file ends inside a value', this.offset);
    return { info: this.info, removed: this.removed, packages: this.packages, condaPackages: this.condaPackages };
  }

  private chunkEnds(chunk: Buffer, base: number): void {
    if (this.cutString.active) this.cutString.keepTail(chunk, base);
    if (this.topValue.active) this.topValue.keepTail(chunk, base);
    this.offset += chunk.length;
  }

  /** Whether the string opening now is one whose text the index needs. */
  private needsText(): boolean {
    return (this.depth === 1 && this.expectKey) || (this.depth === 3 && this.section !== undefined && (this.expectKey || this.nameNext));
  }

  /** A string `[start, end)` (absolute, quotes included) ended in `chunk`. */
  private stringEnded(chunk: Buffer, base: number, start: number, end: number): void {
    if (this.done || this.depth === 0) this.fail('a repodata.json holds a JSON object', start);
    if (this.topValuePending) this.topValueStarts(QUOTE, start);
    else if (this.recordValuePending) this.fail('a package record must be an object', start);
    const depth = this.depth;
    if (depth === 3) {
      if (this.section === undefined) return;
      if (this.expectKey) {
        this.nameNext = end - start === 6 && this.keyIsName(chunk, base, start);
      } else if (this.nameNext) {
        this.name = this.text(chunk, base, start, end);
        this.nameNext = false;
      }
    } else if (depth === 2) {
      if (this.expectKey && this.section !== undefined) this.recordStart = start;
    } else if (depth === 1 && this.expectKey) {
      this.topKey = this.text(chunk, base, start, end);
    }
    if (this.cutString.active) this.cutString.take(chunk, base, end);
  }

  private keyIsName(chunk: Buffer, base: number, start: number): boolean {
    const bytes = this.cutString.active ? this.cutString.take(chunk, base, start + 6) : chunk.subarray(start - base, start - base + 6);
    return bytes[1] === 0x6e && bytes[2] === 0x61 && bytes[3] === 0x6d && bytes[4] === 0x65;
  }

  private text(chunk: Buffer, base: number, start: number, end: number): string {
    if (this.cutString.active) return decodeString(this.cutString.take(chunk, base, end), this.source, start);
    return decodeString(chunk.subarray(start - base, end - base), this.source, start);
  }

  /** One byte outside strings and whitespace, at absolute offset `at`. */
  private token(c: number, chunk: Buffer, base: number, at: number): void {
    if (this.done) this.fail('unexpected data after the top object', at);
    if (this.depth === 0 && c !== OPEN_BRACE) this.fail('a repodata.json holds a JSON object', at);
    if (this.topValuePending) this.topValueStarts(c, at);
    else if (this.recordValuePending) {
      this.recordValuePending = false;
      if (c !== OPEN_BRACE) this.fail('a package record must be an object', at);
    }
    switch (c) {
      case OPEN_BRACE:
      case OPEN_BRACKET:
        if (this.depth >= MAX_NESTING) throw nestedTooDeep(this.source, at);
        this.objects[this.depth] = c === OPEN_BRACE;
        this.depth++;
        this.expectKey = c === OPEN_BRACE;
        if (this.depth === 3 && this.section !== undefined) {
          this.name = undefined;
          this.nameNext = false;
        }
        return;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        this.closes(c, chunk, base, at);
        return;
      case COLON:
        this.expectKey = false;
        if (this.depth === 1) this.topValuePending = true;
        else if (this.depth === 2 && this.section !== undefined) this.recordValuePending = true;
        return;
      case COMMA:
        this.expectKey = this.objects[this.depth - 1] === true;
        if (this.depth === 1 && this.topValue.active) this.topValueEnds(chunk, base, at);
        else if (this.depth === 3) this.nameNext = false;
        return;
      default:
        return;
    }
  }

  private closes(c: number, chunk: Buffer, base: number, at: number): void {
    if (this.depth === 0 || this.objects[this.depth - 1] !== (c === CLOSE_BRACE)) this.fail(`unexpected "${String.fromCharCode(c)}"`, at);
    if (this.depth === 1 && this.topValue.active) this.topValueEnds(chunk, base, at);
    this.depth--;
    this.expectKey = false;
    if (this.depth === 2 && this.section !== undefined) this.recordEnds(at + 1);
    else if (this.depth === 1) this.section = undefined;
    else if (this.depth === 0) this.done = true;
  }

  private topValueStarts(c: number, at: number): void {
    this.topValuePending = false;
    if (this.topKey === 'packages' || this.topKey === 'packages.conda') {
      if (c === OPEN_BRACE) {
        this.section = this.topKey === 'packages' ? this.packages : this.condaPackages;
        this.lastName = undefined;
      }
    } else if (this.topKey === 'info' || this.topKey === 'removed') this.topValue.begin(at);
  }

  private topValueEnds(chunk: Buffer, base: number, at: number): void {
    const key = this.topKey;
    const bytes = this.topValue.take(chunk, base, at);
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      this.fail(`invalid JSON value of "${key}": ${(error as Error).message}`, at);
    }
    if (key === 'info') this.info = isObject(value) ? value : undefined;
    else this.removed = Array.isArray(value) ? (value as string[]) : [];
  }

  private recordEnds(end: number): void {
    const name = this.name;
    const spans = this.section as SpanIndex;
    if (name === undefined) {
      this.lastName = undefined;
      return;
    }
    const list = spans.get(name);
    if (list === undefined) spans.set(name, [this.recordStart, end]);
    else if (name === this.lastName && end - (list[list.length - 2] as number) <= MAX_RUN_BYTES) list[list.length - 1] = end;
    else list.push(this.recordStart, end);
    this.lastName = name;
  }

  private fail(what: string, at: number): never {
    throw invalidRepodataJson(this.source, at, what);
  }
}

/**
 * The index of the closing quote of a string whose bytes resume at `j` (`words` reads
 * `chunk` four bytes at a time): words holding neither a quote nor a backslash are stepped
 * over whole, the rest byte by byte. `chunk.length` or more when the chunk ends first (more:
 * right after a backslash, whose escaped byte opens the next chunk).
 */
function closingQuote(chunk: Buffer, words: DataView, j: number): number {
  const n = chunk.length;
  const lastWord = n - 4;
  for (;;) {
    if (j <= lastWord && !hasQuoteOrBackslash(words.getUint32(j, true))) {
      j += 4;
      continue;
    }
    if (j >= n) return j;
    const c = chunk[j] as number;
    if (c === QUOTE) return j;
    j += c === BACKSLASH ? 2 : 1;
  }
}

/** A JSON string's bytes (quotes included) as a string. Names seldom hold escapes; when one does, JSON.parse decodes it. */
function decodeString(bytes: Buffer, source: string, at: number): string {
  if (bytes.indexOf(BACKSLASH) < 0) return bytes.toString('utf8', 1, bytes.length - 1);
  try {
    return JSON.parse(bytes.toString('utf8')) as string;
  } catch (error) {
    throw invalidRepodataJson(source, at, (error as Error).message);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

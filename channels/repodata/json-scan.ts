/**
 * A byte-level scanner over repodata.json that finds where each record is and which package
 * it belongs to, without building an object per record. conda-forge's linux-64 repodata is
 * hundreds of MB: `JSON.parse` of all of it costs seconds and gigabytes, while a solve
 * touches a few hundred names. The scanner walks the bytes once (strings are skipped with
 * the native `indexOf`) and records, per package name, the byte offsets of its records;
 * `JSON.parse` later runs only on the slices of the names the solver asks for.
 */
import { TaipanError } from '../model/errors.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * Record runs per package name: a flat list of `[start, end]` pairs. A run is one or more
 * adjacent `"fn": {record}` members of the same name (repodata keys are sorted, so a name's
 * records usually form a single run): `start` is the opening quote of the first key, `end`
 * is one past the last record's closing brace. Wrapped in braces, a run is a JSON object,
 * so one `JSON.parse` builds all its records. Flat number arrays keep the index small.
 */
export type SpanIndex = Map<string, number[]>;

export interface ScannedRepodata {
  /** The raw bytes the spans point into. */
  readonly bytes: Buffer;
  /** `info` (parsed; small). */
  readonly info: Record<string, unknown> | undefined;
  /** `removed` (parsed; small). */
  readonly removed: readonly string[];
  /** `packages` (.tar.bz2) records by package name. */
  readonly packages: SpanIndex;
  /** `packages.conda` records by package name. */
  readonly condaPackages: SpanIndex;
}

/** Scan a whole repodata.json. `source` names the file or URL in error messages. */
export function scanRepodata(bytes: Buffer, source: string): ScannedRepodata {
  const scanner = new Scanner(bytes, source);
  return scanner.top();
}

/** Parse one run found by the scanner: file name → raw record. */
export function readRun(bytes: Buffer, start: number, end: number): Record<string, unknown> {
  return JSON.parse(`{${bytes.toString('utf8', start, end)}}`) as Record<string, unknown>;
}

/** True when only a comma and whitespace lie between `from` and `to` (adjacent members). */
function onlySeparators(bytes: Buffer, from: number, to: number): boolean {
  if (to - from > 64) return false;
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (c !== COMMA && !isWhitespace(c)) return false;
  }
  return true;
}

/** One past the closing quote of the string that opens at `start`. */
function stringEnd(bytes: Buffer, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = bytes.indexOf(QUOTE, i);
    if (q < 0) return -1;
    // A quote preceded by an odd number of backslashes is escaped.
    let backslashes = 0;
    for (let j = q - 1; bytes[j] === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    i = q + 1;
  }
}

class Scanner {
  private i = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly source: string,
  ) {}

  top(): ScannedRepodata {
    const { bytes } = this;
    let info: Record<string, unknown> | undefined;
    let removed: string[] = [];
    let packages: SpanIndex = new Map();
    let condaPackages: SpanIndex = new Map();
    this.skipWhitespace();
    if (bytes[this.i] !== OPEN_BRACE) this.fail('a repodata.json holds a JSON object');
    this.i++;
    for (;;) {
      this.skipWhitespace();
      if (bytes[this.i] === CLOSE_BRACE) break;
      if (bytes[this.i] !== QUOTE) this.fail('expected a key');
      const key = this.readKey();
      this.expectColon();
      if (key === 'packages' || key === 'packages.conda') {
        const spans = this.recordsObject();
        if (key === 'packages') packages = spans;
        else condaPackages = spans;
      } else {
        const start = this.i;
        this.skipValue();
        // Only the small keys are parsed; anything else (packages.whl, signatures…) is skipped.
        if (key === 'info') info = this.parseSlice(start, this.i) as Record<string, unknown>;
        else if (key === 'removed') removed = (this.parseSlice(start, this.i) as string[] | null) ?? [];
      }
      this.skipWhitespace();
      if (bytes[this.i] === COMMA) this.i++;
      else if (bytes[this.i] !== CLOSE_BRACE) this.fail('expected "," or "}"');
    }
    return { bytes, info: isObject(info) ? info : undefined, removed: Array.isArray(removed) ? removed : [], packages, condaPackages };
  }

  /** `{ "fn": {record}, ... }` → spans by the records' `name`. */
  private recordsObject(): SpanIndex {
    const { bytes } = this;
    const spans: SpanIndex = new Map();
    this.skipWhitespace();
    if (bytes[this.i] !== OPEN_BRACE) {
      this.skipValue(); // null or something odd: no records
      return spans;
    }
    this.i++;
    for (;;) {
      this.skipWhitespace();
      if (bytes[this.i] === CLOSE_BRACE) {
        this.i++;
        return spans;
      }
      const keyStart = this.i;
      if (bytes[keyStart] !== QUOTE) this.fail('expected a file name key');
      this.i = this.endOfString(keyStart);
      this.expectColon();
      this.skipWhitespace();
      if (bytes[this.i] !== OPEN_BRACE) this.fail('a package record must be an object');
      const name = this.recordName();
      if (name !== undefined) {
        const list = spans.get(name);
        if (list === undefined) spans.set(name, [keyStart, this.i]);
        else if (onlySeparators(bytes, list[list.length - 1] as number, keyStart)) list[list.length - 1] = this.i;
        else list.push(keyStart, this.i);
      }
      this.skipWhitespace();
      if (bytes[this.i] === COMMA) this.i++;
      else if (bytes[this.i] !== CLOSE_BRACE) this.fail('expected "," or "}" between records');
    }
  }

  /**
   * Walk one record object (cursor on its `{`), leaving the cursor after its `}`, and
   * return the value of its top-level `name` key. Keys at depth 1 are compared with `name`
   * by length first, so the check costs almost nothing.
   */
  private recordName(): string | undefined {
    const { bytes } = this;
    let depth = 0;
    let expectKey = false;
    let nameNext = false;
    let name: string | undefined;
    for (;;) {
      const c = bytes[this.i];
      if (c === QUOTE) {
        const start = this.i;
        const end = this.endOfString(start);
        if (depth === 1) {
          if (expectKey) {
            nameNext = end - start === 6 && bytes[start + 1] === 0x6e && bytes[start + 2] === 0x61 && bytes[start + 3] === 0x6d && bytes[start + 4] === 0x65;
            expectKey = false;
          } else if (nameNext) {
            name = this.stringAt(start, end);
            nameNext = false;
          }
        }
        this.i = end;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
        if (depth === 1) expectKey = true;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) {
          this.i++;
          return name;
        }
      } else if (c === COMMA && depth === 1) {
        expectKey = true;
        nameNext = false;
      } else if (c === undefined) {
        this.fail('the file ends inside a record');
      }
      this.i++;
    }
  }

  private stringAt(start: number, end: number): string {
    // Names never hold escapes; if one does, let JSON.parse decode it. (A bounded loop, not
    // indexOf, which would search the rest of a huge buffer when there is no backslash.)
    for (let j = start + 1; j < end - 1; j++) {
      if (this.bytes[j] === BACKSLASH) return JSON.parse(this.bytes.toString('utf8', start, end)) as string;
    }
    return this.bytes.toString('utf8', start + 1, end - 1);
  }

  private readKey(): string {
    const start = this.i;
    this.i = this.endOfString(start);
    return this.stringAt(start, this.i);
  }

  private endOfString(start: number): number {
    const end = stringEnd(this.bytes, start);
    if (end < 0) this.fail('unterminated string');
    return end;
  }

  private expectColon(): void {
    this.skipWhitespace();
    if (this.bytes[this.i] !== COLON) this.fail('expected ":"');
    this.i++;
  }

  /** Skip any JSON value (cursor after it). */
  private skipValue(): void {
    const { bytes } = this;
    this.skipWhitespace();
    let depth = 0;
    for (;;) {
      const c = bytes[this.i];
      if (c === undefined) this.fail('the file ends inside a value');
      if (c === QUOTE) {
        this.i = this.endOfString(this.i);
        if (depth === 0) return;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) return; // end of a scalar at the end of an object
        depth--;
        if (depth === 0) {
          this.i++;
          return;
        }
      } else if (depth === 0 && (c === COMMA || isWhitespace(c))) return;
      this.i++;
    }
  }

  private skipWhitespace(): void {
    while (isWhitespace(this.bytes[this.i])) this.i++;
  }

  private parseSlice(start: number, end: number): unknown {
    try {
      return JSON.parse(this.bytes.toString('utf8', start, end));
    } catch (error) {
      return this.fail(`invalid JSON value: ${(error as Error).message}`);
    }
  }

  private fail(what: string): never {
    throw new TaipanError('INVALID_REPODATA', `'${this.source}' is not valid repodata JSON at byte ${this.i}: ${what}`, {
      hint: 'the file is damaged or not repodata; delete the cached copy or re-index the channel',
    });
  }
}

function isWhitespace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Python list-of-strings literals, as conda writes the specs of conda-meta/history
 * (`"# update specs: %s" % specs`, i.e. the list's repr) and reads them back (ast.literal_eval).
 * taipan writes what Python's repr writes, so conda reads taipan's lines; and it reads
 * everything literal_eval accepts in such a list: both quote styles, every escape, `u''`/`r''`
 * prefixes (conda on Python 2), and the JSON arrays conda 4.3 wrote.
 */

/** A string as Python's repr writes it: single quotes unless the text holds one and no double. */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NOT_PRINTABLE.test(ch)) out += codePointEscape(ch.codePointAt(0) as number);
    else out += ch;
  }
  return out + quote;
}

/** `['a', "b'c"]`: a list's repr. */
export function pythonStringList(items: readonly string[]): string {
  return `[${items.map(pythonStringRepr).join(', ')}]`;
}

/** What Python's str.isprintable() calls not printable (the space aside): control, format, separators, unassigned. */
const NOT_PRINTABLE = /^[\p{C}\p{Z}]$/u;

function codePointEscape(code: number): string {
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

/**
 * The strings of a Python list (or tuple) literal of string literals.
 * @throws Error saying what is wrong and where, when the text is anything else.
 */
export function parsePythonStringList(text: string): string[] {
  const reader: LiteralReader = new LiteralReader(text);
  reader.skipSpace();
  const open = reader.next();
  const close = open === '[' ? ']' : open === '(' ? ')' : undefined;
  if (close === undefined) reader.fail('expected [');
  const items: string[] = [];
  for (;;) {
    reader.skipSpace();
    if (reader.peek() === close) {
      reader.next();
      break;
    }
    items.push(reader.string());
    reader.skipSpace();
    const after = reader.next();
    if (after === close) break;
    if (after !== ',') reader.fail(`expected , or ${close}`);
  }
  reader.skipSpace();
  if (!reader.atEnd()) reader.fail('unexpected text after the list');
  return items;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

class LiteralReader {
  private at = 0;

  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new Error(`${what} at column ${this.at + 1}`);
  }

  atEnd(): boolean {
    return this.at >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.at];
  }

  next(): string | undefined {
    return this.text[this.at++];
  }

  skipSpace(): void {
    while (/^[ \t\f]$/.test(this.text[this.at] ?? '')) this.at++;
  }

  /** One string literal; adjacent literals join, as in Python (`'a' 'b'` is `'ab'`). */
  string(): string {
    let value = this.oneString();
    for (;;) {
      const mark = this.at;
      this.skipSpace();
      if (!/^[uUrR'"]$/.test(this.peek() ?? '')) {
        this.at = mark;
        return value;
      }
      value += this.oneString();
    }
  }

  private oneString(): string {
    let raw = false;
    const prefix = this.peek();
    if (prefix === 'u' || prefix === 'U') this.at++;
    else if (prefix === 'r' || prefix === 'R') {
      raw = true;
      this.at++;
    }
    const quote = this.next();
    if (quote !== "'" && quote !== '"') this.fail('expected a string');
    const triple = this.text.startsWith(quote.repeat(2), this.at);
    if (triple) this.at += 2;
    let value = '';
    for (;;) {
      const ch = this.next();
      if (ch === undefined) this.fail('unterminated string');
      if (ch === quote && (!triple || this.text.startsWith(quote.repeat(2), this.at))) {
        if (triple) this.at += 2;
        return value;
      }
      if ((ch === '\n' || ch === '\r') && !triple) this.fail('line break inside a string');
      if (ch !== '\\') value += ch;
      else if (raw) value += ch + (this.next() ?? this.fail('unterminated string'));
      else value += this.escape();
    }
  }

  private escape(): string {
    const ch = this.next();
    if (ch === undefined) this.fail('unterminated string');
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) return simple;
    if (ch === '\n') return '';
    if (/^[0-7]$/.test(ch)) {
      let digits = ch;
      while (digits.length < 3 && /^[0-7]$/.test(this.peek() ?? '')) digits += this.next();
      return String.fromCodePoint(parseInt(digits, 8));
    }
    const width = ch === 'x' ? 2 : ch === 'u' ? 4 : ch === 'U' ? 8 : 0;
    if (width === 0) return `\\${ch}`; // Python keeps unknown escapes as they are
    const hex = this.text.slice(this.at, this.at + width);
    if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) this.fail(`bad \\${ch} escape`);
    this.at += width;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) this.fail(`bad \\${ch} escape`);
    return String.fromCodePoint(code);
  }
}

/**
 * The key-value section of a spec: `name[key=value, key2='quoted value' key3=[a, b]]`.
 * Separators are `,`, whitespace, or both. Values may be quoted with `'` or `"`; a quoted
 * value ends at its quote character when that is followed by a separator or the end, so a
 * `when` value may itself hold quoted bracket values (`when='python[version='>=3']'`).
 * Malformed sections are errors rather than silently ignored (conda's v3 behaviour).
 */
import { TaipanError } from '../errors.js';

/** One `key=value` of a bracket section, value unquoted. */
export interface BracketPair {
  readonly key: string;
  readonly value: string;
}

/** A spec split around its bracket section. */
export interface BracketSplit {
  /** The spec text with the bracket section removed. */
  readonly rest: string;
  /** The text between the brackets, or undefined when there is no section. */
  readonly content: string | undefined;
}

/**
 * Finds the bracket section: the last top-level `[...]` group (conda takes the last one, so
 * a channel such as `conda-forge[noarch]::pkg[...]` keeps its own brackets).
 * @throws TaipanError `INVALID_MATCH_SPEC` for unbalanced brackets.
 */
export function splitBracketSection(text: string, spec: string): BracketSplit {
  let depth = 0;
  let start = -1;
  let lastStart = -1;
  let lastEnd = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === ']') {
      if (depth === 0) throw invalid(spec, "a ']' without its '['", 'balanced square brackets');
      depth--;
      if (depth === 0) {
        lastStart = start;
        lastEnd = i;
      }
    }
  }
  if (depth !== 0) throw invalid(spec, "a '[' that is never closed", "a bracket section that ends with ']'");
  if (lastStart < 0) return { rest: text, content: undefined };
  return { rest: text.slice(0, lastStart) + text.slice(lastEnd + 1), content: text.slice(lastStart + 1, lastEnd) };
}

/**
 * Parses the content of a bracket section into pairs, in order. A bare `optional` (a
 * libmamba spelling) becomes the pair `optional=true`. With `relationKeys`, `version<2`
 * (no `=`) is read as `version='<2'`, as conda's v3 parser accepts with a warning. 
 * `ignoreBareKey` says which keys without a value are skipped, as conda's classic parser does.
 * @throws TaipanError `INVALID_MATCH_SPEC` for anything that is not a list of pairs.
 */
export function parseBracketContent(content: string, spec: string, relationKeys: boolean, ignoreBareKey?: (key: string) => boolean): BracketPair[] {
  const pairs: BracketPair[] = [];
  let i = 0;
  const n = content.length;
  const skipSpace = (): void => {
    while (i < n && /\s/.test(content[i] as string)) i++;
  };
  skipSpace();
  if (i >= n) throw invalid(spec, 'an empty bracket section', 'key=value pairs such as [build=py39*]');
  while (i < n) {
    const keyMatch = /^[A-Za-z0-9_-]+/.exec(content.slice(i));
    if (keyMatch === null) {
      throw invalid(spec, `unexpected '${content.slice(i)}' in brackets`, 'key=value pairs such as [build=py39*]');
    }
    const key = keyMatch[0];
    i += key.length;
    skipSpace();
    if (i >= n || content[i] === ',') {
      if (key === 'optional') {
        pairs.push({ key, value: 'true' });
        i = skipSeparator(content, i);
        continue;
      }
      // conda's classic parser only picks key=value pairs out of the brackets, so a bare
      // word (pip-style extras such as `nbconvert[execute]` in real environment files) is
      // ignored there; the v3 grammar and strict mode refuse it, and a bare field name
      // (`numpy[build]`) is surely a mistake, so it stays an error.
      if (ignoreBareKey?.(key)) {
        i = skipSeparator(content, i);
        continue;
      }
      throw invalid(spec, `no value for '${key}' in brackets`, `${key}=<value>`, hintForBareKey(key));
    }
    if (content[i] === '=') {
      i++;
      skipSpace();
    } else if (!(relationKeys && key === 'version' && /[<>!~]/.test(content[i] as string))) {
      throw invalid(spec, `no value for '${key}' in brackets`, `${key}=<value>`, hintForBareKey(key));
    }
    const [value, next] = readValue(content, i, spec, key);
    pairs.push({ key, value });
    i = next;
    if (i < n && !/[\s,]/.test(content[i] as string)) {
      throw invalid(spec, `unexpected '${content.slice(i)}' after the value of '${key}'`, "',' or a space between key=value pairs");
    }
    i = skipSeparator(content, i);
  }
  return pairs;
}

/**
 * Splits a list value (`[a, 'b', "c"]`, or a single bare `a`) into its items.
 * @throws TaipanError `INVALID_MATCH_SPEC` for an empty list or an empty item.
 */
export function parseListValue(value: string, spec: string, key: string): string[] {
  const v = value.trim();
  const inner = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
  const items: string[] = [];
  let quote: string | null = null;
  let current = '';
  for (const c of inner) {
    if (quote !== null) {
      current += c;
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === ',') {
      items.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  items.push(current);
  return items.map((raw) => {
    const item = unquote(raw.trim());
    if (item === '') throw invalid(spec, `an empty item in '${key}'`, `${key}=[a, b]`);
    return item;
  });
}

function unquote(text: string): string {
  if (text.length >= 2 && (text[0] === "'" || text[0] === '"') && text[text.length - 1] === text[0]) {
    return text.slice(1, -1).trim();
  }
  return text;
}

function skipSeparator(content: string, from: number): number {
  let i = from;
  while (i < content.length && /\s/.test(content[i] as string)) i++;
  if (content[i] === ',') i++;
  while (i < content.length && /\s/.test(content[i] as string)) i++;
  return i;
}

/** Reads one value starting at `from`; returns it unquoted and the index after it. */
function readValue(content: string, from: number, spec: string, key: string): [string, number] {
  const n = content.length;
  const first = content[from];
  if (first === "'" || first === '"') {
    let depth = 0;
    for (let i = from + 1; i < n; i++) {
      const c = content[i];
      if (c === '[') depth++;
      else if (c === ']') depth = Math.max(0, depth - 1);
      else if (c === first && depth === 0) {
        const after = content[i + 1];
        if (after === undefined || after === ',' || /\s/.test(after)) {
          const value = content.slice(from + 1, i);
          if (value.trim() === '') throw invalid(spec, `an empty value for '${key}'`, `${key}=<value>`);
          return [value, i + 1];
        }
      }
    }
    throw invalid(spec, `an unterminated quote in the value of '${key}'`, `a closing ${first}`);
  }
  // Unquoted: up to a separator outside nested brackets (`when=python[version='>=2']`,
  // `extras=[a, b]`); quotes inside nested brackets are opaque.
  let depth = 0;
  let quote: string | null = null;
  let i = from;
  for (; i < n; i++) {
    const c = content[i] as string;
    if (quote !== null) {
      if (c === quote) quote = null;
      continue;
    }
    if (depth > 0 && (c === "'" || c === '"')) {
      quote = c;
    } else if (c === '[') {
      depth++;
    } else if (c === ']') {
      depth--;
      if (depth < 0) throw invalid(spec, "a ']' without its '['", 'balanced square brackets');
    } else if (depth === 0 && (c === ',' || /\s/.test(c))) {
      break;
    }
  }
  if (depth !== 0 || quote !== null) throw invalid(spec, `an unbalanced value for '${key}'`, 'balanced brackets and quotes');
  const value = content.slice(from, i);
  if (value === '') throw invalid(spec, `an empty value for '${key}'`, `${key}=<value>`);
  return [value, i];
}

function hintForBareKey(key: string): string {
  return `bracket entries are key=value pairs; for an extra, write extras=[${key}]`;
}

function invalid(spec: string, found: string, expected: string, hint?: string): TaipanError {
  return new TaipanError(
    'INVALID_MATCH_SPEC',
    `invalid match spec '${spec}': ${found}; expected ${expected}`,
    hint === undefined ? {} : { hint },
  );
}

/**
 * A small, safe evaluator for the Python expressions conda-build puts in `# [selector]`
 * comments (conda-build `eval`s them; we must not). It covers what real recipes and
 * conda-forge's pinning file use: names, str/int/float/bool/None literals, tuples and
 * lists, `and`/`or`/`not`, chained comparisons with `in`/`not in`/`is`, arithmetic,
 * indexing, and a whitelist of calls (`os.environ.get`, `environ.get`, str methods such as
 * `startswith`). Undefined names are False, as conda-build's `eval_selector` makes them.
 */

export type PyValue = string | number | boolean | null | PyValue[] | PyObject | PyFunction;
export interface PyObject {
  readonly [key: string]: PyValue;
}
export type PyFunction = (...args: PyValue[]) => PyValue;

/** Thrown for syntax and type errors; callers wrap it in a located recipe error. */
export class PyExprError extends Error {}

type Token = { kind: 'num'; value: number } | { kind: 'str'; value: string } | { kind: 'name'; value: string } | { kind: 'op'; value: string } | { kind: 'end' };

const OPS = ['//', '==', '!=', '<=', '>=', '**', '<', '>', '(', ')', '[', ']', ',', '.', '+', '-', '*', '/', '%', ':', '='];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(?:[0-9]*\.[0-9]+|[0-9]+\.?)(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i))!;
      tokens.push({ kind: 'num', value: Number(m[0]) });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'name', value: m[0] });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const n = text[j + 1]!;
          value += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          j += 2;
        } else {
          value += text[j];
          j += 1;
        }
      }
      if (j >= text.length) throw new PyExprError(`unterminated string in '${text}'`);
      tokens.push({ kind: 'str', value });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw new PyExprError(`unexpected character '${c}' in '${text}'`);
    tokens.push({ kind: 'op', value: op });
    i += op.length;
  }
  tokens.push({ kind: 'end' });
  return tokens;
}

const PY_KEYWORDS = new Set(['and', 'or', 'not', 'if', 'else', 'in', 'is', 'True', 'False', 'None']);

/**
 * The free names a selector reads (`linux and py<39` → linux, py): name tokens that are not
 * keywords, attributes (`os.environ`) or keyword arguments. Empty when it does not tokenize.
 */
export function namesInPython(text: string): string[] {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch {
    return [];
  }
  const names: string[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'name' || PY_KEYWORDS.has(t.value)) return;
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    if (before?.kind === 'op' && before.value === '.') return;
    if (after?.kind === 'op' && after.value === '=') return;
    if (!names.includes(t.value)) names.push(t.value);
  });
  return names;
}

export interface EvalOptions {
  /** conda-build turns a NameError into False; pass false to throw instead. */
  readonly undefinedIsFalse?: boolean;
}

const MAX_DEPTH = 100;

/** Evaluates `text` against `namespace`; throws PyExprError on bad syntax or types. */
export function evalPython(text: string, namespace: Readonly<Record<string, PyValue>>, options: EvalOptions = {}): PyValue {
  const tokens = tokenize(text);
  let pos = 0;
  let depth = 0;
  const undefinedIsFalse = options.undefinedIsFalse ?? true;
  const peek = (): Token => tokens[pos]!;
  const isOp = (v: string): boolean => {
    const t = peek();
    return t.kind === 'op' && t.value === v;
  };
  const isName = (v: string): boolean => {
    const t = peek();
    return t.kind === 'name' && t.value === v;
  };
  const expectOp = (v: string): void => {
    if (!isOp(v)) throw new PyExprError(`expected '${v}' in '${text}'`);
    pos += 1;
  };
  const enter = (): void => {
    depth += 1;
    if (depth > MAX_DEPTH) throw new PyExprError(`expression nested too deeply: '${text.slice(0, 60)}'`);
  };

  // Short-circuit evaluation is by thunks so `a and b` does not evaluate `b` when `a` is false.
  type Thunk = () => PyValue;

  function parseExpr(): Thunk {
    enter();
    const body = parseOr();
    if (isName('if')) {
      pos += 1;
      const cond = parseOr();
      if (!isName('else')) throw new PyExprError(`expected 'else' in '${text}'`);
      pos += 1;
      const other = parseExpr();
      depth -= 1;
      return () => (truthy(cond()) ? body() : other());
    }
    depth -= 1;
    return body;
  }
  function parseOr(): Thunk {
    let left = parseAnd();
    while (isName('or')) {
      pos += 1;
      const l = left;
      const r = parseAnd();
      left = () => {
        const v = l();
        return truthy(v) ? v : r();
      };
    }
    return left;
  }
  function parseAnd(): Thunk {
    let left = parseNot();
    while (isName('and')) {
      pos += 1;
      const l = left;
      const r = parseNot();
      left = () => {
        const v = l();
        return truthy(v) ? r() : v;
      };
    }
    return left;
  }
  function parseNot(): Thunk {
    if (isName('not')) {
      pos += 1;
      enter();
      const inner = parseNot();
      depth -= 1;
      return () => !truthy(inner());
    }
    return parseComparison();
  }
  function compOp(): string | null {
    const t = peek();
    if (t.kind === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.value)) {
      pos += 1;
      return t.value;
    }
    if (t.kind === 'name' && t.value === 'in') {
      pos += 1;
      return 'in';
    }
    if (t.kind === 'name' && t.value === 'not' && tokens[pos + 1]?.kind === 'name' && (tokens[pos + 1] as { value: string }).value === 'in') {
      pos += 2;
      return 'not in';
    }
    if (t.kind === 'name' && t.value === 'is') {
      pos += 1;
      if (isName('not')) {
        pos += 1;
        return 'is not';
      }
      return 'is';
    }
    return null;
  }
  function parseComparison(): Thunk {
    const first = parseArith();
    const rest: [string, Thunk][] = [];
    for (let op = compOp(); op !== null; op = compOp()) rest.push([op, parseArith()]);
    if (rest.length === 0) return first;
    return () => {
      let left = first();
      for (const [op, thunk] of rest) {
        const right = thunk();
        if (!compare(op, left, right)) return false;
        left = right;
      }
      return true;
    };
  }
  function parseArith(): Thunk {
    let left = parseTerm();
    while (isOp('+') || isOp('-')) {
      const op = (peek() as { value: string }).value;
      pos += 1;
      const l = left;
      const r = parseTerm();
      left = () => arith(op, l(), r());
    }
    return left;
  }
  function parseTerm(): Thunk {
    let left = parseFactor();
    while (isOp('*') || isOp('/') || isOp('//') || isOp('%')) {
      const op = (peek() as { value: string }).value;
      pos += 1;
      const l = left;
      const r = parseFactor();
      left = () => arith(op, l(), r());
    }
    return left;
  }
  function parseFactor(): Thunk {
    if (isOp('-') || isOp('+')) {
      const neg = isOp('-');
      pos += 1;
      enter();
      const inner = parseFactor();
      depth -= 1;
      return () => {
        const v = inner();
        if (typeof v !== 'number' && typeof v !== 'boolean') throw new PyExprError(`bad operand for unary ${neg ? '-' : '+'} in '${text}'`);
        return neg ? -Number(v) : Number(v);
      };
    }
    return parsePostfix();
  }
  function parseArgs(close: string): Thunk[] {
    const items: Thunk[] = [];
    while (!isOp(close)) {
      // keyword arguments (`default=...`) are accepted and passed positionally
      if (peek().kind === 'name' && tokens[pos + 1]?.kind === 'op' && (tokens[pos + 1] as { value: string }).value === '=' ) pos += 2;
      items.push(parseExpr());
      if (!isOp(',')) break;
      pos += 1;
    }
    expectOp(close);
    return items;
  }
  function parsePostfix(): Thunk {
    let value = parseAtom();
    for (;;) {
      if (isOp('.')) {
        pos += 1;
        const t = peek();
        if (t.kind !== 'name') throw new PyExprError(`expected a name after '.' in '${text}'`);
        pos += 1;
        const obj = value;
        value = () => attribute(obj(), t.value, text);
      } else if (isOp('(')) {
        pos += 1;
        enter();
        const fn = value;
        const args = parseArgs(')');
        depth -= 1;
        value = () => {
          const f = fn();
          if (typeof f !== 'function') throw new PyExprError(`'${typeof f}' object is not callable in '${text}'`);
          return f(...args.map((a) => a()));
        };
      } else if (isOp('[')) {
        pos += 1;
        enter();
        const obj = value;
        const start = isOp(':') ? null : parseExpr();
        let slice: { end: Thunk | null } | null = null;
        if (isOp(':')) {
          pos += 1;
          slice = { end: isOp(']') ? null : parseExpr() };
        }
        expectOp(']');
        depth -= 1;
        value = () => index(obj(), start ? start() : null, slice ? (slice.end ? slice.end() : null) : undefined, text);
      } else {
        return value;
      }
    }
  }
  function parseAtom(): Thunk {
    const t = peek();
    pos += 1;
    if (t.kind === 'num' || t.kind === 'str') return () => t.value;
    if (t.kind === 'name') {
      if (t.value === 'True') return () => true;
      if (t.value === 'False') return () => false;
      if (t.value === 'None') return () => null;
      if (['and', 'or', 'not', 'if', 'else', 'in', 'is'].includes(t.value)) throw new PyExprError(`unexpected '${t.value}' in '${text}'`);
      return () => {
        if (Object.prototype.hasOwnProperty.call(namespace, t.value)) return namespace[t.value]!;
        if (undefinedIsFalse) return false;
        throw new PyExprError(`name '${t.value}' is not defined`);
      };
    }
    if (t.kind === 'op' && (t.value === '(' || t.value === '[')) {
      enter();
      const close = t.value === '(' ? ')' : ']';
      const items: Thunk[] = [];
      let trailingComma = false;
      while (!isOp(close)) {
        items.push(parseExpr());
        trailingComma = false;
        if (!isOp(',')) break;
        pos += 1;
        trailingComma = true;
      }
      expectOp(close);
      depth -= 1;
      if (close === ')' && items.length === 1 && !trailingComma) return items[0]!;
      return () => items.map((i) => i());
    }
    throw new PyExprError(t.kind === 'end' ? `unexpected end of selector '${text}'` : `unexpected '${(t as { value: string }).value}' in '${text}'`);
  }

  const thunk = parseExpr();
  if (peek().kind !== 'end') throw new PyExprError(`unexpected text after the expression in '${text}'`);
  return thunk();
}

export function truthy(v: PyValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

function pyEquals(a: PyValue, b: PyValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]!));
  if (typeof a === 'boolean' || typeof b === 'boolean') return (typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean') ? Number(a) === Number(b) : false;
  return a === b;
}

function compare(op: string, a: PyValue, b: PyValue): boolean {
  switch (op) {
    case '==':
      return pyEquals(a, b);
    case '!=':
      return !pyEquals(a, b);
    case 'is':
      return a === b;
    case 'is not':
      return a !== b;
    case 'in':
    case 'not in': {
      let found: boolean;
      if (typeof b === 'string') {
        if (typeof a !== 'string') throw new PyExprError(`'in <string>' requires string as left operand`);
        found = b.includes(a);
      } else if (Array.isArray(b)) found = b.some((x) => pyEquals(x, a));
      else if (b !== null && typeof b === 'object') found = typeof a === 'string' && Object.prototype.hasOwnProperty.call(b, a);
      else throw new PyExprError(`argument of type '${typeName(b)}' is not iterable`);
      return op === 'in' ? found : !found;
    }
    default: {
      const bothNum = (typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean');
      const bothStr = typeof a === 'string' && typeof b === 'string';
      if (!bothNum && !bothStr) throw new PyExprError(`'${op}' not supported between '${typeName(a)}' and '${typeName(b)}'`);
      const x = bothNum ? Number(a) : a;
      const y = bothNum ? Number(b) : b;
      if (op === '<') return x! < y!;
      if (op === '>') return x! > y!;
      if (op === '<=') return x! <= y!;
      return x! >= y!;
    }
  }
}

function typeName(v: PyValue): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'tuple';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'function') return 'function';
  return 'dict';
}

function arith(op: string, a: PyValue, b: PyValue): PyValue {
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  if (op === '+' && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  const numeric = (v: PyValue): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';
  if (!numeric(a) || !numeric(b)) throw new PyExprError(`unsupported operand types for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
  const x = Number(a);
  const y = Number(b);
  if ((op === '/' || op === '//' || op === '%') && y === 0) throw new PyExprError('division by zero');
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return x / y;
    case '//':
      return Math.floor(x / y);
    default:
      return ((x % y) + y) % y;
  }
}

function index(obj: PyValue, key: PyValue, end: PyValue | undefined, text: string): PyValue {
  if (typeof obj === 'string' || Array.isArray(obj)) {
    const len = obj.length;
    const norm = (k: PyValue, dflt: number): number => {
      if (k === null) return dflt;
      if (typeof k !== 'number' || !Number.isInteger(k)) throw new PyExprError(`indices must be integers in '${text}'`);
      return k < 0 ? Math.max(0, len + k) : Math.min(k, len);
    };
    if (end !== undefined) return obj.slice(norm(key, 0), norm(end, len));
    if (typeof key !== 'number' || !Number.isInteger(key)) throw new PyExprError(`indices must be integers in '${text}'`);
    const i = key < 0 ? len + key : key;
    if (i < 0 || i >= len) throw new PyExprError(`index out of range in '${text}'`);
    return obj[i]!;
  }
  if (obj !== null && typeof obj === 'object' && typeof key === 'string' && Object.prototype.hasOwnProperty.call(obj, key)) return obj[key]!;
  throw new PyExprError(`cannot index '${typeName(obj)}' with '${String(key)}' in '${text}'`);
}

const STR_METHODS: Record<string, (s: string, args: PyValue[]) => PyValue> = {
  startswith: (s, [p]) => (Array.isArray(p) ? p.some((x) => typeof x === 'string' && s.startsWith(x)) : s.startsWith(String(p))),
  endswith: (s, [p]) => (Array.isArray(p) ? p.some((x) => typeof x === 'string' && s.endsWith(x)) : s.endsWith(String(p))),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  strip: (s) => s.trim(),
  split: (s, [sep]) => (sep === undefined || sep === null ? s.split(/\s+/).filter(Boolean) : s.split(String(sep))),
  replace: (s, [a, b]) => s.split(String(a)).join(String(b)),
};

function attribute(obj: PyValue, name: string, text: string): PyValue {
  if (typeof obj === 'string') {
    const method = STR_METHODS[name];
    if (method) return (...args: PyValue[]) => method(obj, args);
  } else if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) {
    if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name]!;
    if (name === 'get') return (key: PyValue, dflt: PyValue = null) => (typeof key === 'string' && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key]! : dflt);
  }
  throw new PyExprError(`'${typeName(obj)}' object has no attribute '${name}' in '${text}'`);
}

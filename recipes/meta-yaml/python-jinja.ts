/**
 * conda-build renders meta.yaml with Python's Jinja2, where expressions are Python's: `%`
 * string formatting (`"%03d" % minor`) and every str method (`version.rsplit('.', 1)`).
 * minijinja (the engine taipan uses) has neither, and offers no hook for unknown methods, so
 * the template source is rewritten before rendering: inside `{{ }}` and `{% %}` only,
 * `"fmt" % operand` becomes `("fmt"|py_percent(operand))` and `x.rsplit(args)` becomes
 * `(x|py_rsplit(args))`, with filters that follow Python.
 */

const TAG_RE = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const STRING = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`;
const FORMAT_RE = new RegExp(String.raw`(${STRING})\s*%\s*`, 'g');
/** The str methods minijinja's pycompat lacks (it has split, strip, replace, startswith, find, ...). */
export const PY_STR_METHODS = ['rsplit', 'zfill', 'partition', 'rpartition', 'center', 'ljust', 'rjust', 'format'] as const;
const METHOD_RE = new RegExp(String.raw`([A-Za-z_][\w.]*?|${STRING})\.(${PY_STR_METHODS.join('|')})\(`, 'g');
const NAME_CHAIN_RE = /^(?:[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*(?:\[[^\]]*\])*|\d+(?:\.\d+)?)/;

/** The index just past the bracket group that opens at `start` (`(`, `[`), skipping strings. */
function groupEnd(text: string, start: number): number {
  const open = text[start];
  const close = open === '(' ? ')' : ']';
  let depth = 0;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const m = new RegExp(STRING, 'y');
      m.lastIndex = i;
      if (m.test(text)) i = m.lastIndex - 1;
      continue;
    }
    if (c === open) depth += 1;
    else if (c === close && --depth === 0) return i + 1;
  }
  return -1;
}

function rewriteFormat(tag: string): string {
  let out = '';
  let last = 0;
  FORMAT_RE.lastIndex = 0;
  for (let m = FORMAT_RE.exec(tag); m; m = FORMAT_RE.exec(tag)) {
    const opStart = m.index + m[0].length;
    let opEnd: number;
    if (tag[opStart] === '(') opEnd = groupEnd(tag, opStart);
    else {
      const name = NAME_CHAIN_RE.exec(tag.slice(opStart));
      opEnd = name ? opStart + name[0].length : -1;
    }
    // `%}` closing the tag, or an operand we do not understand: leave the text as it is.
    if (opEnd < 0 || tag[opStart] === '}') continue;
    out += `${tag.slice(last, m.index)}(${m[1]}|py_percent(${tag.slice(opStart, opEnd)}))`;
    last = opEnd;
    FORMAT_RE.lastIndex = opEnd;
  }
  return out + tag.slice(last);
}

function rewriteMethods(tag: string): string {
  let out = '';
  let last = 0;
  METHOD_RE.lastIndex = 0;
  for (let m = METHOD_RE.exec(tag); m; m = METHOD_RE.exec(tag)) {
    const before = tag[m.index - 1];
    if (before !== undefined && /[\w.'"]/.test(before)) continue;
    const argsStart = m.index + m[0].length - 1;
    const end = groupEnd(tag, argsStart);
    if (end < 0) continue;
    out += `${tag.slice(last, m.index)}(${m[1]}|py_${m[2]}${tag.slice(argsStart, end)})`;
    last = end;
    METHOD_RE.lastIndex = end;
  }
  return out + tag.slice(last);
}

/** The template with Python-only expressions turned into filter calls. */
export function rewritePythonJinja(source: string): string {
  if (!source.includes('%') && !PY_STR_METHODS.some((m) => source.includes(`.${m}(`))) return source;
  return source.replace(TAG_RE, (tag) => {
    const inner = tag.slice(2, -2);
    const open = tag.slice(0, 2);
    const close = tag.slice(-2);
    return `${open}${rewriteMethods(rewriteFormat(inner))}${close}`;
  });
}

function toStr(v: unknown): string {
  if (v === undefined || v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  return String(v);
}

function toNumber(v: unknown, spec: string): number {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : NaN;
  if (Number.isNaN(n)) throw new Error(`%${spec} format: a number is required, not ${typeof v === 'string' ? 'str' : typeof v}`);
  return n;
}

/** Python's `fmt % args` (the `%s %r %d %i %f %e %x %o %c %%` conversions with flags, width, precision). */
export function pythonPercentFormat(fmt: string, args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  let index = 0;
  const next = (): unknown => {
    if (index >= list.length) throw new Error('not enough arguments for format string');
    return list[index++];
  };
  const result = fmt.replace(/%([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sridfFeExXoc%])/g, (_m, flags: string, widthText: string | undefined, precText: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const width = widthText === '*' ? Number(next()) : widthText ? Number(widthText) : 0;
    const prec = precText !== undefined ? Number(precText) : undefined;
    const v = next();
    let body: string;
    let numeric = true;
    switch (conv) {
      case 's':
      case 'r':
        body = conv === 'r' && typeof v === 'string' ? `'${v}'` : toStr(v);
        if (prec !== undefined) body = body.slice(0, prec);
        numeric = false;
        break;
      case 'c':
        body = typeof v === 'string' ? v : String.fromCharCode(toNumber(v, conv));
        numeric = false;
        break;
      case 'd':
      case 'i':
        body = String(Math.trunc(toNumber(v, conv)));
        break;
      case 'f':
      case 'F':
        body = toNumber(v, conv).toFixed(prec ?? 6);
        break;
      case 'e':
      case 'E': {
        const s = toNumber(v, conv).toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
        body = conv === 'E' ? s.toUpperCase() : s;
        break;
      }
      case 'x':
      case 'X':
      case 'o': {
        const n = Math.trunc(toNumber(v, conv));
        const s = Math.abs(n).toString(conv === 'o' ? 8 : 16);
        body = `${n < 0 ? '-' : ''}${flags.includes('#') ? (conv === 'o' ? '0o' : conv === 'x' ? '0x' : '0X') : ''}${conv === 'X' ? s.toUpperCase() : s}`;
        break;
      }
      default:
        body = toStr(v);
    }
    if (numeric && !body.startsWith('-')) {
      if (flags.includes('+')) body = `+${body}`;
      else if (flags.includes(' ')) body = ` ${body}`;
    }
    if (body.length >= width) return body;
    if (flags.includes('-')) return body.padEnd(width);
    if (numeric && flags.includes('0')) {
      const sign = /^[-+ ]/.test(body) ? body[0]! : '';
      return sign + body.slice(sign.length).padStart(width - sign.length, '0');
    }
    return body.padStart(width);
  });
  if (index < list.length && Array.isArray(args)) throw new Error('not all arguments converted during string formatting');
  return result;
}

/** Python's `str.rsplit(sep=None, maxsplit=-1)`. */
export function pythonRsplit(s: string, sep?: unknown, maxsplit?: unknown): string[] {
  const max = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (sep === undefined || sep === null) {
    const parts = s.trim().split(/\s+/).filter((p) => p !== '');
    if (max < 0 || parts.length <= max + 1) return parts;
    const head = s.trimEnd();
    const out: string[] = [];
    let rest = head;
    for (let i = 0; i < max; i += 1) {
      const m = /\s+(\S+)$/.exec(rest);
      if (!m) break;
      out.unshift(m[1]!);
      rest = rest.slice(0, m.index);
    }
    return [rest.trimStart(), ...out];
  }
  const separator = String(sep);
  const parts = s.split(separator);
  if (max < 0 || parts.length <= max + 1) return parts;
  return [parts.slice(0, parts.length - max).join(separator), ...parts.slice(parts.length - max)];
}

/** Python's `str.format(*args)` for `{}`, `{0}` and `{0:>3}`-free fields (named fields come as a map). */
export function pythonStrFormat(fmt: string, args: unknown[]): string {
  const named = args[args.length - 1] instanceof Map ? (args.pop() as Map<string, unknown>) : new Map<string, unknown>();
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}:!]*)\}/g, (m, field: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const f = field ?? '';
    const value = f === '' ? args[auto++] : /^\d+$/.test(f) ? args[Number(f)] : named.get(f);
    return toStr(value);
  });
}

/** The filters the rewritten methods call (`py_` keeps them apart from Jinja's own `format`, `center`). */
export const pythonStrFilters: Record<string, (s: string, ...args: unknown[]) => unknown> = {
  py_rsplit: (s, sep, max) => pythonRsplit(s, sep, max),
  py_zfill: (s, width) => {
    const w = Number(width);
    const sign = /^[-+]/.test(s) ? s[0]! : '';
    return s.length >= w ? s : sign + s.slice(sign.length).padStart(w - sign.length, '0');
  },
  py_partition: (s, sep) => {
    const i = s.indexOf(String(sep));
    return i < 0 ? [s, '', ''] : [s.slice(0, i), String(sep), s.slice(i + String(sep).length)];
  },
  py_rpartition: (s, sep) => {
    const i = s.lastIndexOf(String(sep));
    return i < 0 ? ['', '', s] : [s.slice(0, i), String(sep), s.slice(i + String(sep).length)];
  },
  py_center: (s, width, fill) => {
    const w = Number(width);
    const total = Math.max(0, w - s.length);
    const left = Math.floor(total / 2) + (total % 2 === 1 && w % 2 === 1 ? 1 : 0);
    const c = fill === undefined ? ' ' : String(fill);
    return c.repeat(left) + s + c.repeat(total - left);
  },
  py_ljust: (s, width, fill) => s.padEnd(Number(width), fill === undefined ? ' ' : String(fill)),
  py_rjust: (s, width, fill) => s.padStart(Number(width), fill === undefined ? ' ' : String(fill)),
  py_format: (s, ...args) => pythonStrFormat(s, args),
  py_percent: (s, args) => pythonPercentFormat(s, args),
};

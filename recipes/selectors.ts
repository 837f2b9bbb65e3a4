/**
 * conda-build `# [selector]` lines: the namespace selectors are evaluated in, and the
 * line filter that drops lines whose selector is false (conda-build's `select_lines`).
 */
import { recipeError, type SourceLocation } from './errors.js';
import { platformFlags } from './platform-vars.js';
import { evalPython, namesInPython, PyExprError, truthy, type PyValue } from './python-expr.js';

export interface SelectorContext {
  /** The target subdir (`host_subdir` in conda-build). */
  readonly targetPlatform: string;
  readonly buildPlatform: string;
  /** The variant: conda-build keeps its values as strings. */
  readonly variant: Readonly<Record<string, string>>;
  /** Environment variables visible to selectors (`os.environ`). */
  readonly env: Readonly<Record<string, string>>;
}

/** conda-build's default python, numpy, perl, lua when the variant has none. */
const DEFAULTS = { python: '3.12', numpy: '1.22', perl: '5.26.2', lua: '5' };

/**
 * The namespace of conda-build's `get_selectors`: platform flags, `py`/`np`/`pl`, the
 * environment, and the variant with numeric strings turned into ints and "true"/"false"
 * into booleans (so `py<39` and `gcc_maj_ver < 15` compare numbers, as there).
 */
export function selectorNamespace(ctx: SelectorContext): Record<string, PyValue> {
  const env = { ...ctx.env };
  const ns: Record<string, PyValue> = { ...platformFlags(ctx.targetPlatform) };
  ns.os = { environ: env };
  ns.environ = env;
  ns.nomkl = Boolean(Number(env.FEATURE_NOMKL ?? 0));
  ns.build_platform = ctx.buildPlatform;
  const pyText = (ctx.variant.python ?? DEFAULTS.python).split(' ')[0]!;
  const [pyMajor = '3', pyMinor = '0'] = pyText.split('.');
  const py = Number.parseInt(`${pyMajor}${pyMinor}`, 10);
  Object.assign(ns, { py: Number.isNaN(py) ? 0 : py, py3k: pyMajor === '3', py2k: pyMajor === '2', py27: py === 27, py36: py === 36 });
  const np = Number.parseInt((ctx.variant.numpy || DEFAULTS.numpy).split('.').slice(0, 2).join(''), 10);
  ns.np = Number.isNaN(np) ? 0 : np;
  ns.pl = ctx.variant.perl ?? DEFAULTS.perl;
  ns.lua = ctx.variant.lua ?? DEFAULTS.lua;
  ns.luajit = String(ns.lua).startsWith('2');
  Object.assign(ns, env);
  for (const [key, value] of Object.entries(ctx.variant)) {
    if (key in ns) continue;
    ns[key] = variantScalar(value);
  }
  if (!('target_platform' in ns)) ns.target_platform = ctx.targetPlatform;
  return ns;
}

/** conda-build's selector typing of a variant value: int when it parses as one, bool for true/false. */
export function variantScalar(value: string): PyValue {
  if (/^[-+]?\d+$/.test(value.trim())) return Number.parseInt(value, 10);
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  return value;
}

// conda-build's sel_pat, without Python's conditional group: trailing text after `]` is
// allowed only when the selector sits in a `#` comment (skips markdown links).
const SELECTOR_AT_END = /^(.+?)\s*(#.*)?\[([^[\]]+)\]$/;
const SELECTOR_IN_COMMENT = /^(.+?)\s*(#.*)\[([^[\]]+)\][^()]*$/;

/** Splits `line` into its content and selector, when it has one. */
export function splitSelector(line: string): { content: string; selector: string } | null {
  if (!line.includes('[') || !line.includes(']')) return null;
  const m = SELECTOR_AT_END.exec(line) ?? SELECTOR_IN_COMMENT.exec(line);
  if (!m || !m[3]) return null;
  const trailingQuote = /['"]$/.test(line) ? line[line.length - 1]! : '';
  return { content: (m[1]! + trailingQuote).trimEnd(), selector: m[3] };
}

/** Told of each name a selector reads that the namespace lacks (conda-build reads it as False). */
export type UnknownNameHandler = (name: string, selector: string, loc: SourceLocation) => void;

/**
 * Keeps the lines whose selector is true, blanks comment lines and the lines whose selector is
 * false (blank, not removed, so YAML line numbers still point into the original file).
 */
export function selectLines(text: string, ns: Readonly<Record<string, PyValue>>, file: string, lineOffset = 0, onUnknownName?: UnknownNameHandler): string {
  const cache = new Map<string, boolean>();
  const out: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!.trimEnd();
    if (line.trimStart().startsWith('#')) {
      out.push('');
      continue;
    }
    const split = splitSelector(line);
    if (!split) {
      out.push(line);
      continue;
    }
    let keep = cache.get(split.selector);
    if (keep === undefined) {
      if (onUnknownName) {
        const col = line.lastIndexOf(`[${split.selector}]`) + 1;
        for (const name of namesInPython(split.selector)) if (!Object.prototype.hasOwnProperty.call(ns, name)) onUnknownName(name, split.selector, { file, line: i + 1 + lineOffset, col });
      }
      try {
        keep = truthy(evalPython(split.selector, ns));
      } catch (error) {
        const message = error instanceof PyExprError ? error.message : String(error);
        throw recipeError({ file, line: i + 1 + lineOffset, col: line.lastIndexOf(`[${split.selector}]`) + 1 }, `invalid selector [${split.selector}]: ${message}`);
      }
      cache.set(split.selector, keep);
    }
    out.push(keep ? split.content : '');
  }
  return out.join('\n');
}

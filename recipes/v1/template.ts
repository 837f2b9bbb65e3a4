/**
 * `${{ expr }}` templates of recipe.yaml, rendered with minijinja as rattler-build does. A
 * scalar that is exactly one `${{ expr }}` keeps the expression's type (a number stays a
 * number, a list a list); anything else renders to a string. Literal `{{` outside `${{ }}`
 * stays literal (rattler-build's syntax uses `${{` as the only expression opener).
 */
import { cleanEngineMessage, recipeError, type SourceLocation } from '../errors.js';
import type { JinjaEngine } from '../jinja-env.js';

export interface TemplatePart {
  readonly literal?: string;
  readonly expr?: string;
}

/** Splits text into literal and `${{ expr }}` parts; quotes inside expressions may hold `}}`. */
export function splitTemplate(text: string): TemplatePart[] | null {
  if (!text.includes('${{')) return null;
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${{', i);
    if (start < 0) {
      parts.push({ literal: text.slice(i) });
      break;
    }
    if (start > i) parts.push({ literal: text.slice(i, start) });
    let j = start + 3;
    let quote: string | null = null;
    for (; j < text.length; j += 1) {
      const c = text[j]!;
      if (quote) {
        if (c === '\\') j += 1;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '}' && text[j + 1] === '}') break;
    }
    if (j >= text.length) return [{ expr: '\u0000unterminated' }];
    parts.push({ expr: text.slice(start + 3, j).trim() });
    i = j + 2;
  }
  return parts;
}

/** The names of the `${{ }}` expressions in `text`. */
export function expressionsIn(text: string): string[] {
  return (splitTemplate(text) ?? []).filter((p) => p.expr !== undefined).map((p) => p.expr!);
}

function rawBlock(literal: string): string {
  return /\{[{%#]|[}%#]\}/.test(literal) ? `{% raw %}${literal}{% endraw %}` : literal;
}

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function fromJs(value: unknown): Json {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(fromJs);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), fromJs(v)]));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, fromJs(v)]));
  return String(value);
}

const SEP = '\u0001\u0002';

/**
 * Renders `text` (a YAML scalar's string) in `context`; returns it unchanged when it has no
 * `${{`. Undefined names are errors at `loc`, as in rattler-build.
 */
export function renderTemplate(engine: JinjaEngine, text: string, context: Record<string, unknown>, loc: SourceLocation): Json {
  const parts = splitTemplate(text);
  if (!parts) return text;
  if (parts.some((p) => p.expr === '\u0000unterminated')) throw recipeError(loc, `unterminated \${{ in '${text}'`);
  const fail = (error: unknown, expr?: string): never => {
    throw recipeError(loc, `${cleanEngineMessage(error)} in '${expr !== undefined ? `\${{ ${expr} }}` : text}'`, { cause: error });
  };
  for (const p of parts) if (p.expr === '') throw recipeError(loc, `empty \${{ }} in '${text}'`);
  if (parts.length === 1 && parts[0]!.expr !== undefined) {
    const expr = parts[0]!.expr;
    let out: string;
    try {
      // Printing the value checks for undefined names; tojson carries its type.
      out = engine.env.renderStr(`{{ (${expr}) }}${SEP}{{ (${expr}) | tojson }}`, context);
    } catch (error) {
      return fail(error, expr);
    }
    const sep = out.lastIndexOf(SEP);
    const printed = out.slice(0, sep);
    const json = out.slice(sep + SEP.length);
    try {
      const value = JSON.parse(json) as Json;
      return value === null && printed === '' ? null : value;
    } catch {
      return printed;
    }
  }
  const template = parts.map((p) => (p.expr !== undefined ? `{{ (${p.expr}) }}` : rawBlock(p.literal ?? ''))).join('');
  try {
    return engine.env.renderStr(template, context);
  } catch (error) {
    return fail(error);
  }
}

/** An `if:` condition or a `skip:` expression (bare Jinja, no `${{ }}`), as a boolean. */
export function evalCondition(engine: JinjaEngine, expr: string, context: Record<string, unknown>, loc: SourceLocation): boolean {
  const inner = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(expr)?.[1] ?? expr;
  if (inner.trim() === '') throw recipeError(loc, 'empty condition');
  try {
    const out = engine.env.renderStr(`{% if (${inner}) %}1{% else %}0{% endif %}`, context);
    return out === '1';
  } catch (error) {
    throw recipeError(loc, `invalid condition '${expr}': ${cleanEngineMessage(error)}`, { cause: error });
  }
}

export { fromJs };

/**
 * The variant hash in build strings (`h` + 7 hex digits). Both conda-build
 * (`_hash_dependencies`) and rattler-build (`HashInfo`) take the SHA-1 of the used variant
 * serialized as Python's `json.dumps(..., sort_keys=True)` would (", " and ": " separators,
 * non-ASCII escaped) and keep the first 7 hex digits.
 */
import { createHash } from 'node:crypto';

export type HashInputValue = string | number | boolean | null | readonly HashInputValue[] | { readonly [k: string]: HashInputValue };

/** Python's `json.dumps(value, sort_keys=True)`. */
export function pythonJsonDumps(value: HashInputValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloat(value);
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map((v) => pythonJsonDumps(v)).join(', ')}]`;
  const obj = value as { readonly [k: string]: HashInputValue };
  return `{${Object.keys(obj)
    .sort(codePointCompare)
    .map((k) => `${pythonString(k)}: ${pythonJsonDumps(obj[k]!)}`)
    .join(', ')}}`;
}

function codePointCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pythonFloat(n: number): string {
  const s = String(n);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function pythonString(s: string): string {
  // JSON.stringify matches Python for escapes of control characters except the non-ASCII
  // rule: Python escapes every non-ASCII UTF-16 unit as \uXXXX (ensure_ascii=True).
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The 7 hex digits (without the `h`). */
export function variantHash(used: Readonly<Record<string, HashInputValue>>): string {
  return createHash('sha1').update(pythonJsonDumps(used)).digest('hex').slice(0, 7);
}

/**
 * rattler-build's build-string prefix: `np`/`py`/`pl`/`lua`/`r` with the short version of
 * those variant keys, in that order (`np2py312`), or just `py` for noarch: python.
 */
export function hashPrefix(used: Readonly<Record<string, unknown>>, noarchPython: boolean): string {
  if (noarchPython) return 'py';
  const parts: Record<string, string> = {};
  for (const [key, value] of Object.entries(used)) {
    const prefix = { numpy: 'np', python: 'py', perl: 'pl', lua: 'lua', r: 'r', 'r-base': 'r', r_base: 'r' }[key];
    if (!prefix) continue;
    parts[prefix] = shortVersion(String(value), prefix === 'pl' ? 3 : 2);
  }
  return ['np', 'py', 'pl', 'lua', 'r'].map((k) => (parts[k] !== undefined ? `${k}${parts[k]}` : '')).join('');
}

/** `3.11.* *_cpython` → `311` (the first `places` numeric components of the version). */
export function shortVersion(spec: string, places: number): string {
  const version = (spec.trim().split(/\s+/)[0] ?? '').replace(/^[<>=!~]+/, '');
  return version
    .split('.')
    .filter((p) => p !== '*' && p !== '')
    .slice(0, places)
    .join('');
}

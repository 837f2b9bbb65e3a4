/**
 * Which variant keys a recipe uses, so only those make variants and go into the hash.
 * For meta.yaml this follows conda-build's text scan (`find_used_variables_in_text`): a key
 * is used when it appears in `{{ }}`, in an `{% if %}`, in a `# [selector]`, as a bare
 * requirement name (`- python`), or through `compiler('c')`/`stdlib('c')`; build scripts
 * count when they read `$key`/`${key}` (build.sh) or `%key%` (bld.bat). For recipe.yaml it is
 * every name an expression or `if:` reads (rattler-build walks the Jinja AST).
 */

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const scanCache = new Map<string, Set<string>>();

/** conda-build's scan of recipe text for the keys of `keys` it uses (memoized, as conda-build's lru_cache). */
export function usedVarsInMetaText(keys: Iterable<string>, text: string, selectorsOnly = false): Set<string> {
  const keyList = [...keys];
  const cacheKey = `${selectorsOnly ? 1 : 0}\u0000${keyList.join(',')}\u0000${text}`;
  const hit = scanCache.get(cacheKey);
  if (hit) return new Set(hit);
  const used = scanText(keyList, text, selectorsOnly);
  if (scanCache.size > 2000) scanCache.clear();
  scanCache.set(cacheKey, used);
  return new Set(used);
}

function scanText(keys: readonly string[], text: string, selectorsOnly: boolean): Set<string> {
  const used = new Set<string>();
  // Most keys (hundreds in conda-forge's pinning) appear nowhere: reject them on the whole
  // text before looking at lines.
  const normText = text.replace(/-/g, '_');
  let lines: string[] | undefined;
  let normLines: string[] | undefined;
  for (const v of keys) {
    const res: string[] = [];
    const tool = /^(.*?)_(compiler|stdlib)(_version)?$/.exec(v);
    let candidates: string[];
    if (tool && !selectorsOnly) {
      const lang = tool[1]!;
      if (!text.includes(v) && !text.includes(lang)) continue;
      lines ??= text.split(/\r?\n/);
      res.push(`\\{\\s*${tool[2]}\\(['"]${escapeRe(lang)}["'][^{]*?\\}`);
      candidates = lines.filter((l) => l.includes(v) || l.includes(lang));
    } else {
      if (!normText.includes(v)) continue;
      lines ??= text.split(/\r?\n/);
      normLines ??= lines.map((l) => l.replace(/-/g, '_'));
      candidates = lines.filter((_l, i) => normLines![i]!.includes(v));
    }
    if (candidates.length === 0) continue;
    const vr = escapeRe(v);
    const reqName = v.split('_').map(escapeRe).join('[-_]');
    const selector = `^[^#\\[]*?#?\\s\\[[^\\]]*?(?<![_\\w])${vr}[=\\s<>!\\]]`;
    if (selectorsOnly) res.unshift(selector);
    else
      res.push(
        selector,
        `\\{\\s*(?:pin_[a-z]+\\(\\s*?['"])?${vr}[^'"]*?\\}\\}`,
        `^\\s+-\\s+${reqName}\\s*(?:\\s[\\[#]|$)`,
        `(?:^|[^{])\\{%\\s*(?:el)?if\\s*.*${vr}\\s*(?:[^%]*?)?%\\}`,
      );
    const re = new RegExp(res.join('|'));
    if (candidates.some((l) => re.test(l))) used.add(v);
  }
  return used;
}

/** conda-build's scan of a build.sh for `$key` / `${key}`. */
export function usedVarsInShell(keys: Iterable<string>, text: string): Set<string> {
  const used = new Set<string>();
  for (const v of keys) if (new RegExp(`^[^$\\n]*?\\$\\{?\\s*${escapeRe(v)}\\s*[\\s|}]`, 'm').test(text)) used.add(v);
  return used;
}

/** conda-build's scan of a bld.bat for `%key%`. */
export function usedVarsInBatch(keys: Iterable<string>, text: string): Set<string> {
  const used = new Set<string>();
  for (const v of keys) if (text.includes(`%${v}%`)) used.add(v);
  return used;
}

const JINJA_KEYWORDS = new Set(['if', 'else', 'elif', 'and', 'or', 'not', 'in', 'is', 'true', 'false', 'none', 'True', 'False', 'None', 'for', 'endfor', 'endif', 'set', 'defined']);

/**
 * The free names an expression reads (`python | version_to_buildstring` → python): identifiers
 * outside string literals that are not attributes, keyword arguments, filters or tests.
 */
export function namesInExpression(expr: string): Set<string> {
  const names = new Set<string>();
  const code = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const re = /[A-Za-z_][A-Za-z0-9_]*/g;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    const before = code.slice(0, m.index).trimEnd();
    const after = code.slice(m.index + m[0].length).trimStart();
    if (JINJA_KEYWORDS.has(m[0])) continue;
    if (before.endsWith('.') || before.endsWith('|')) continue;
    if (/\bis(\s+not)?$/.test(before)) continue;
    if (after.startsWith('=') && !after.startsWith('==')) continue;
    if (/[0-9]$/.test(before)) continue;
    names.add(m[0]);
  }
  return names;
}

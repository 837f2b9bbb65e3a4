/**
 * conda-build's old `numpy x.x` requirement. In build and host it means the variant's
 * version (conda-build: "or else conda tries to literally go get x.x"), as `numpy 1.26.*`:
 * conda-build writes `numpy 1.26`, which as a MatchSpec is exactly 1.26(.0) and misses
 * every numpy 1.26.x release, which is not what the variant means; in
 * run it pins to the major.minor solved into the host environment (`get_pin_from_build`:
 * `numpy >=1.26,<1.27.0a0`), which only the builder knows, so it becomes a pin_compatible.
 */
import { pinMarker } from '../pins.js';
import type { Variant } from '../variant-config.js';

const XX = /^(\S+)\s+x\.x\s*$/;

/** Build/host specs with `name x.x` replaced by the variant's `name <version>` (or the bare name). */
export function xxToVariant(specs: readonly string[], variant: Variant): string[] {
  return specs.map((spec) => {
    const m = XX.exec(spec.trim());
    if (!m) return spec;
    const name = m[1]!;
    const value = variant[name] ?? variant[name.replace(/-/g, '_')];
    if (value === undefined) return name;
    const version = String(value).split(/\s+/)[0] ?? '';
    return `${name} ${/[*<>=!,|]/.test(version) ? version : `${version}.*`}`;
  });
}

/** Run specs with `name x.x` turned into a pin on the host's major.minor. */
export function xxToHostPin(specs: readonly string[]): string[] {
  return specs.map((spec) => {
    const m = XX.exec(spec.trim());
    return m ? pinMarker({ kind: 'compatible', name: m[1]!, lower: 'x.x', upper: 'x.x' }) : spec;
  });
}

/**
 * Variant keys that `name x.x` requirement lines in `text` read (the key is used, as the
 * spec takes its value), among `keys`.
 */
export function xxKeys(keys: Iterable<string>, text: string): Set<string> {
  const wanted = new Set(keys);
  const used = new Set<string>();
  for (const m of text.matchAll(/^\s+-\s+([A-Za-z0-9_.-]+)\s+x\.x\s*(?:#.*)?$/gm)) {
    const key = m[1]!.replace(/-/g, '_');
    if (wanted.has(m[1]!)) used.add(m[1]!);
    else if (wanted.has(key)) used.add(key);
  }
  return used;
}

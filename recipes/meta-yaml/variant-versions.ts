/**
 * conda-build's spec completion before solving: `ensure_valid_spec` (a `name version` with a
 * bare version gets `.*`: `gcc_linux-64 15` → `gcc_linux-64 15.*`) and
 * `insert_variant_versions` (a bare build/host requirement whose name is a variant key takes
 * the variant's value: `- perl` → `perl 5.32.1.*`, `- python` → `python 3.12.* *_cpython`).
 */
import type { Variant } from '../variant-config.js';

const SPEC_NEEDING_STAR_RE = /^([\w.\-]+)\s+((?<![><=])[\w.\-]+?(?!\*))(\s+[\w.]+)?$/;

/** conda-build's `ensure_valid_spec` for a string spec. */
export function ensureValidSpec(spec: string): string {
  const m = SPEC_NEEDING_STAR_RE.exec(spec);
  // An exact pin (a third, build-string group) is left alone.
  if (!m || m[3]) return spec;
  if ((m[1] === 'python' || m[1] === 'numpy') && m[2] === 'x.x') return `${m[1]} ${m[2]}`;
  if (spec.includes('*')) return spec;
  return `${m[1]} ${m[2]}.*`;
}

function keyPattern(key: string): RegExp {
  return new RegExp(`^(${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/_/g, '[-_]')})\\s*$`);
}

/**
 * `insert_variant_versions` over an output's build, host and run lists, in that order (as
 * conda-build does, so by the time run is seen build/host hold no bare key any more and run
 * is left as written unless a bare name survived there).
 */
export function insertVariantVersions(reqs: { build: string[]; host: string[]; run: string[] }, variant: Variant): void {
  const entries = Object.entries(variant).map(([key, value]) => ({ re: keyPattern(key), value: String(value) }));
  for (const env of ['build', 'host', 'run'] as const) {
    const list = reqs[env];
    const buildDeps = [...reqs.build, ...reqs.host];
    for (const { re, value } of entries) {
      for (let i = 0; i < list.length; i += 1) {
        const m = re.exec(list[i]!);
        if (m && (env !== 'run' || buildDeps.includes(m[1]!))) list[i] = ensureValidSpec(`${m[1]} ${value}`);
      }
    }
  }
}

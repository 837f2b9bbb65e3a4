/**
 * How `run_exports` of the build and host dependencies become requirements of the package
 * being built, as conda-build and rattler-build decide it:
 * - `weak` (and `weak_constrains`) count only from the host environment: linking against a
 *   library in host means needing it at run time; a tool in build does not.
 * - `strong` (and `strong_constrains`) count from build and host; strong ones from build
 *   are also added to the host requirements (a compiler's runtime library).
 * - a `noarch` package takes only the `noarch` run exports of its host dependencies.
 * - `ignore_run_exports.by_name` drops exported specs by the name they export;
 *   `from_package` drops everything a given dependency exports.
 * Everything here is pure, so it is tested without environments.
 */
import type { RunExportsJson } from '../channels/archive/index.js';
import { specPackageName } from '../channels/model/match-spec/index.js';

import type { IgnoreRunExports } from '../recipes/stage1.js';

export type { IgnoreRunExports };

export interface RunExportsInput {
  /** run_exports.json of each build-environment package, by package name. */
  readonly build: ReadonlyMap<string, RunExportsJson>;
  /** run_exports.json of each host-environment package, by package name. */
  readonly host: ReadonlyMap<string, RunExportsJson>;
  readonly ignore: IgnoreRunExports;
  readonly noarch: boolean;
}

export interface ExportedRequirements {
  /** Added to the package's `depends`. */
  readonly depends: string[];
  /** Added to the package's `constrains`. */
  readonly constrains: string[];
}

/** The strong run exports of the build environment, which the host environment must hold too. */
export function strongBuildExports(build: ReadonlyMap<string, RunExportsJson>, ignore: IgnoreRunExports, noarch: boolean): string[] {
  if (noarch) return [];
  return unique(gather(build, ignore, ['strong']));
}

/** The requirements the dependencies' run_exports add to the package. */
export function exportedRequirements(input: RunExportsInput): ExportedRequirements {
  if (input.noarch) {
    return { depends: unique(gather(input.host, input.ignore, ['noarch'])), constrains: [] };
  }
  return {
    depends: unique([...gather(input.build, input.ignore, ['strong']), ...gather(input.host, input.ignore, ['weak', 'strong'])]),
    constrains: unique([...gather(input.build, input.ignore, ['strong_constrains']), ...gather(input.host, input.ignore, ['weak_constrains', 'strong_constrains'])]),
  };
}

/**
 * `run` plus the exported specs. A bare name in `run` (`zlib`) gives way to the exported,
 * pinned spec for that name (`zlib >=1.3,<2`), as in conda-build; other specs add up.
 */
export function mergeRequirements(run: readonly string[], exported: readonly string[]): string[] {
  const pinnedNames = new Set(exported.map(specName));
  const kept = run.filter((spec) => !(isBareName(spec) && pinnedNames.has(specName(spec))));
  return unique([...kept, ...exported]);
}

function gather(exportsByPackage: ReadonlyMap<string, RunExportsJson>, ignore: IgnoreRunExports, kinds: readonly (keyof RunExportsJson)[]): string[] {
  const out: string[] = [];
  for (const [pkg, exports] of [...exportsByPackage].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (ignore.fromPackage.includes(pkg)) continue;
    for (const kind of kinds) {
      for (const spec of exports[kind] ?? []) {
        if (!ignore.byName.includes(specName(spec))) out.push(normalizeSpace(spec));
      }
    }
  }
  return out;
}

function specName(spec: string): string {
  return specPackageName(spec) ?? spec;
}

function isBareName(spec: string): boolean {
  return /^[A-Za-z0-9_.-]+$/.test(spec.trim());
}

function normalizeSpace(spec: string): string {
  return spec.trim().replace(/\s+/g, ' ');
}

function unique(specs: readonly string[]): string[] {
  return [...new Set(specs)];
}

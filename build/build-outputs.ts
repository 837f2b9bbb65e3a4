/**
 * Building several outputs (every output and variant of a recipe, or several recipes) in
 * an order where an output that another one needs at build, host or run time comes
 * first, so the later one finds it in the output channel.
 */
import { specPackageName } from '../channels/model/match-spec/index.js';
import type { RenderedOutput } from '../recipes/stage1.js';
import { buildOutput, removeCacheBuilds, type BuildOptions, type BuildResult } from './build-output.js';
import type { CacheBuilds } from './cache/build-cache.js';

/** `outputs` sorted so that dependencies on other outputs come first; otherwise the given order is kept. */
export function orderOutputs(outputs: readonly RenderedOutput[]): RenderedOutput[] {
  const names = new Set(outputs.map((o) => o.name));
  const needs = (o: RenderedOutput): string[] =>
    [...o.requirements.build, ...o.requirements.host, ...o.requirements.run, ...(o.cache ? [...o.cache.requirements.build, ...o.cache.requirements.host] : [])]
      .map(nameOf)
      .filter((n) => names.has(n) && n !== o.name);
  const ordered: RenderedOutput[] = [];
  const visiting = new Set<RenderedOutput>();
  const visit = (o: RenderedOutput): void => {
    if (ordered.includes(o) || visiting.has(o)) return; // a cycle keeps the given order
    visiting.add(o);
    for (const name of needs(o)) for (const dep of outputs) if (dep.name === name) visit(dep);
    visiting.delete(o);
    ordered.push(o);
  };
  for (const o of outputs) visit(o);
  return ordered;
}

/**
 * Build every output in dependency order; skipped outputs are left out of the result. A
 * cache build is shared by every output (and variant) that uses the same one.
 */
export async function buildOutputs(outputs: readonly RenderedOutput[], options: BuildOptions): Promise<BuildResult[]> {
  const results: BuildResult[] = [];
  const cacheBuilds: CacheBuilds = options.cacheBuilds ?? new Map();
  try {
    for (const output of orderOutputs(outputs)) {
      const result = await buildOutput(output, { ...options, cacheBuilds });
      if (result) results.push(result);
    }
  } finally {
    if (!options.cacheBuilds) await removeCacheBuilds(cacheBuilds, options.keepWorkDir === true);
  }
  return results;
}

function nameOf(spec: string): string {
  return specPackageName(spec) ?? spec;
}

/**
 * Building several outputs (every output and variant of a recipe, or several recipes) in
 * an order where an output that another one needs at build, host or run time comes
 * first, so the later one finds it in the output channel.
 */
import { MatchSpec } from '../channels/model/match-spec/index.js';
import type { RenderedOutput } from '../recipes/stage1.js';
import { buildOutput, type BuildOptions, type BuildResult } from './build-output.js';

/** `outputs` sorted so that dependencies on other outputs come first; otherwise the given order is kept. */
export function orderOutputs(outputs: readonly RenderedOutput[]): RenderedOutput[] {
  const names = new Set(outputs.map((o) => o.name));
  const needs = (o: RenderedOutput): string[] =>
    [...o.requirements.build, ...o.requirements.host, ...o.requirements.run].map(nameOf).filter((n) => names.has(n) && n !== o.name);
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

/** Build every output in dependency order; skipped outputs are left out of the result. */
export async function buildOutputs(outputs: readonly RenderedOutput[], options: BuildOptions): Promise<BuildResult[]> {
  const results: BuildResult[] = [];
  for (const output of orderOutputs(outputs)) {
    const result = await buildOutput(output, options);
    if (result) results.push(result);
  }
  return results;
}

function nameOf(spec: string): string {
  try {
    return MatchSpec.parse(spec).name;
  } catch {
    return spec.trim().split(/\s/)[0] ?? spec;
  }
}

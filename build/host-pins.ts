/**
 * Completing `pin_compatible` (and meta.yaml's `numpy x.x`) once the host environment is
 * solved: the bare name the renderer left at each pinned position becomes a spec bounded
 * by the version actually installed there (conda-build's and rattler-build's rule).
 */
import { TaipanError } from '../channels/model/errors.js';
import { compatibleSpec } from '../recipes/pins.js';
import type { HostPin, RenderedOutput } from '../recipes/stage1.js';

export interface SolvedRecord {
  readonly name: string;
  readonly version: string;
  readonly build: string;
}

type Requirements = RenderedOutput['requirements'];

/** `requirements` with every host pin filled in from `host` (then `build`, for tools pinned at run time). */
export function completeHostPins(output: RenderedOutput, host: readonly SolvedRecord[], build: readonly SolvedRecord[]): Requirements {
  const pins = output.requirements.hostPins ?? [];
  if (pins.length === 0) return output.requirements;
  const lists: Record<HostPin['list'], string[]> = {
    run: [...output.requirements.run],
    runConstraints: [...output.requirements.runConstraints],
    weak: [...output.requirements.runExports.weak],
    strong: [...output.requirements.runExports.strong],
    noarch: [...output.requirements.runExports.noarch],
    weak_constrains: [...output.requirements.runExports.weak_constrains],
    strong_constrains: [...output.requirements.runExports.strong_constrains],
  };
  for (const pin of pins) {
    const solved = host.find((r) => r.name === pin.name) ?? build.find((r) => r.name === pin.name);
    if (!solved) {
      throw new TaipanError('RECIPE', `pin_compatible('${pin.name}') of output '${output.name}' of recipe '${output.recipe.path}': '${pin.name}' is not in the host environment`, {
        hint: `add ${pin.name} to requirements.host, so its solved version bounds the run requirement`,
      });
    }
    lists[pin.list][pin.index] = compatibleSpec(pin, solved);
  }
  return {
    ...output.requirements,
    run: lists.run,
    runConstraints: lists.runConstraints,
    runExports: { weak: lists.weak, strong: lists.strong, noarch: lists.noarch, weak_constrains: lists.weak_constrains, strong_constrains: lists.strong_constrains },
  };
}

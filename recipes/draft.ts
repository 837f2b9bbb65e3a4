/**
 * The format-independent middle of rendering: an output with every template evaluated but
 * its build string, hash and `pin_subpackage` markers still open ({@link OutputDraft}), and
 * the last step that closes them into the builder's {@link RenderedOutput}.
 */
import { specPackageName } from '../channels/model/match-spec/spec-name.js';
import { recipeError, type SourceLocation } from './errors.js';
import { variantHash, type HashInputValue } from './hash.js';
import { hasPinMarker, resolvePins, type PinnedOutput, type PinRequest } from './pins.js';
import type { FileSelection, HostPin, PinnedList, RecipeFormat, RecipeTest, RenderedCache, RenderedOutput, RunExports, SourceSpec } from './stage1.js';
import type { VariantValue } from './variant-config.js';

export interface OutputDraft {
  readonly name: string;
  readonly version: string;
  readonly buildNumber: number;
  /** An explicit build string (already rendered, may still hold pin markers); undefined for the default. */
  readonly buildString: string | undefined;
  readonly script: readonly string[] | { readonly file: string };
  readonly scriptEnv: Readonly<Record<string, string>>;
  readonly scriptInterpreter?: string;
  readonly noarch: 'python' | 'generic' | undefined;
  readonly skip: boolean;
  readonly entryPoints: readonly string[];
  readonly sources: readonly SourceSpec[];
  /** As rendered, before the builder adds the pins it completes from the host environment. */
  readonly requirements: Omit<RenderedOutput['requirements'], 'hostPins'>;
  readonly tests: readonly RecipeTest[];
  readonly about: Readonly<Record<string, unknown>>;
  readonly files: FileSelection | undefined;
  /** The used variant keys and their values (what the hash is computed from). */
  readonly usedVariant: Readonly<Record<string, VariantValue>>;
  /** The cache build this output starts from; its specs may still hold pin markers. */
  readonly cache?: Omit<RenderedCache, 'id' | 'variant'> & { readonly usedVariant: Readonly<Record<string, VariantValue>> };
  readonly loc: SourceLocation;
}

export interface FinalizeContext {
  readonly format: RecipeFormat;
  readonly recipePath: string;
  readonly recipeDir: string;
  readonly targetPlatform: string;
  /** The variant's values that go into the hash (conda-build and rattler-build differ). */
  readonly hashInput: (draft: OutputDraft) => Record<string, HashInputValue>;
  /** The build string when the recipe sets none. */
  readonly defaultBuildString: (draft: OutputDraft, hash: string, hashIsEmpty: boolean) => string;
  /** Renders an explicit build string once the hash is known (rattler-build's `${{ hash }}`). */
  readonly explicitBuildString?: (draft: OutputDraft, hash: string) => string;
}

/**
 * Turns the drafts of one variant into outputs: hash and build string first, then every
 * `pin_subpackage` marker resolved against the siblings of the same variant.
 */
export function finalizeDrafts(drafts: readonly OutputDraft[], ctx: FinalizeContext): RenderedOutput[] {
  const withIds = drafts.map((draft) => {
    const input = ctx.hashInput(draft);
    const hash = `h${variantHash(input)}`;
    const empty = Object.keys(input).length === 0;
    const buildString =
      draft.buildString !== undefined ? (ctx.explicitBuildString ? ctx.explicitBuildString(draft, hash) : draft.buildString) : ctx.defaultBuildString(draft, hash, empty);
    return { draft, hash, buildString };
  });
  const byName = new Map<string, PinnedOutput>();
  for (const { draft, buildString } of withIds) if (!byName.has(draft.name)) byName.set(draft.name, { version: draft.version, buildString });
  return withIds.map(({ draft, hash, buildString }) => {
    const hostPins: HostPin[] = [];
    const resolve = (spec: string, onCompatible?: (pin: PinRequest) => void): string =>
      hasPinMarker(spec)
        ? resolvePins(
            spec,
            (name) => byName.get(name),
            (name) => {
              throw recipeError(draft.loc, `pin_subpackage('${name}'): the recipe has no output named '${name}'`, {
                hint: `outputs: ${[...byName.keys()].join(', ')}`,
              });
            },
            onCompatible,
          )
        : spec;
    const list = (specs: readonly string[], pinned?: PinnedList): string[] => {
      const out: string[] = [];
      for (const spec of specs) {
        let pin: PinRequest | undefined;
        const text = resolve(spec, (p) => (pin = p));
        if (text.trim() === '') continue;
        // Only a spec that is the pin alone can be completed from the host environment.
        if (pin && pinned && text.trim() === pin.name) hostPins.push(hostPinOf(pinned, out.length, pin));
        out.push(text);
      }
      return out;
    };
    const re = draft.requirements.runExports;
    const tests: RecipeTest[] = draft.tests.map((t) =>
      t.kind === 'script' ? { ...t, requirements: { run: list(t.requirements.run), build: list(t.requirements.build) } } : t,
    );
    const variant: Record<string, string> = {};
    for (const key of Object.keys(draft.usedVariant).sort()) variant[key] = String(draft.usedVariant[key]);
    return {
      name: draft.name,
      version: draft.version,
      build: {
        number: draft.buildNumber,
        string: resolve(buildString),
        script: draft.script,
        scriptEnv: draft.scriptEnv,
        ...(draft.scriptInterpreter ? { scriptInterpreter: draft.scriptInterpreter } : {}),
        ...(draft.noarch ? { noarch: draft.noarch } : {}),
        skip: draft.skip,
        entryPoints: draft.entryPoints,
      },
      sources: draft.sources,
      requirements: {
        build: list(draft.requirements.build),
        host: list(draft.requirements.host),
        run: list(draft.requirements.run, 'run'),
        runConstraints: list(draft.requirements.runConstraints, 'runConstraints'),
        runExports: {
          weak: list(re.weak, 'weak'),
          strong: list(re.strong, 'strong'),
          noarch: list(re.noarch, 'noarch'),
          weak_constrains: list(re.weak_constrains, 'weak_constrains'),
          strong_constrains: list(re.strong_constrains, 'strong_constrains'),
        },
        ignoreRunExports: draft.requirements.ignoreRunExports,
        ...(hostPins.length > 0 ? { hostPins } : {}),
      },
      tests,
      about: draft.about,
      variant,
      hash,
      targetPlatform: draft.noarch ? 'noarch' : ctx.targetPlatform,
      recipe: { path: ctx.recipePath, dir: ctx.recipeDir, format: ctx.format },
      ...(draft.files !== undefined ? { files: draft.files } : {}),
      ...(draft.cache ? { cache: finalizeCache(draft.cache, list) } : {}),
    };
  });
}

function hostPinOf(list: PinnedList, index: number, pin: PinRequest): HostPin {
  return {
    list,
    index,
    name: pin.name,
    // pin_compatible's defaults in both conda-build and rattler-build.
    lower: pin.lower === undefined ? 'x.x.x.x.x.x' : pin.lower,
    upper: pin.upper === undefined ? 'x' : pin.upper,
    exact: pin.exact === true,
  };
}

/** The cache with its pins resolved and its identity: the same script, sources, specs and variant build once. */
function finalizeCache(cache: NonNullable<OutputDraft['cache']>, list: (specs: readonly string[]) => string[]): RenderedCache {
  const variant: Record<string, string> = {};
  for (const key of Object.keys(cache.usedVariant).sort()) variant[key] = String(cache.usedVariant[key]);
  const requirements = { build: list(cache.requirements.build), host: list(cache.requirements.host), ignoreRunExports: cache.requirements.ignoreRunExports };
  const identity = JSON.parse(JSON.stringify({ name: cache.name, version: cache.version, script: cache.script, env: cache.scriptEnv, sources: cache.sources, requirements, variant })) as HashInputValue;
  return {
    name: cache.name,
    version: cache.version,
    id: `${cache.name}-h${variantHash({ cache: identity })}`,
    script: cache.script,
    scriptEnv: cache.scriptEnv,
    ...(cache.scriptInterpreter ? { scriptInterpreter: cache.scriptInterpreter } : {}),
    sources: cache.sources,
    requirements,
    variant,
    inheritRunExports: cache.inheritRunExports,
    restoredFiles: cache.restoredFiles,
  };
}

/** Names of the requirement specs (`python >=3.8` → `python`). */
export function specName(spec: string): string {
  return specPackageName(spec) ?? '';
}

export function emptyRunExports(): RunExports {
  return { weak: [], strong: [], noarch: [], weak_constrains: [], strong_constrains: [] };
}

/**
 * The format-independent middle of rendering: an output with every template evaluated but
 * its build string, hash and `pin_subpackage` markers still open ({@link OutputDraft}), and
 * the last step that closes them into the builder's {@link RenderedOutput}.
 */
import { recipeError, type SourceLocation } from './errors.js';
import { hashPrefix, variantHash, type HashInputValue } from './hash.js';
import { hasPinMarker, resolvePins, type PinnedOutput } from './pins.js';
import type { RecipeFormat, RecipeTest, RenderedOutput, RunExports, SourceSpec } from './stage1.js';
import type { VariantValue } from './variant-config.js';

export interface OutputDraft {
  readonly name: string;
  readonly version: string;
  readonly buildNumber: number;
  /** An explicit build string (already rendered, may still hold pin markers); undefined for the default. */
  readonly buildString: string | undefined;
  readonly script: readonly string[] | { readonly file: string };
  readonly scriptEnv: Readonly<Record<string, string>>;
  readonly noarch: 'python' | 'generic' | undefined;
  readonly skip: boolean;
  readonly entryPoints: readonly string[];
  readonly sources: readonly SourceSpec[];
  readonly requirements: {
    readonly build: readonly string[];
    readonly host: readonly string[];
    readonly run: readonly string[];
    readonly runConstraints: readonly string[];
    readonly runExports: RunExports;
    readonly ignoreRunExports: { readonly byName: readonly string[]; readonly fromPackage: readonly string[] };
  };
  readonly tests: readonly RecipeTest[];
  readonly about: Readonly<Record<string, unknown>>;
  readonly files: readonly string[] | undefined;
  /** The used variant keys and their values (what the hash is computed from). */
  readonly usedVariant: Readonly<Record<string, VariantValue>>;
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
    const resolve = (spec: string): string =>
      hasPinMarker(spec)
        ? resolvePins(spec, (name) => byName.get(name), (name) => {
            throw recipeError(draft.loc, `pin_subpackage('${name}'): the recipe has no output named '${name}'`, {
              hint: `outputs: ${[...byName.keys()].join(', ')}`,
            });
          })
        : spec;
    const list = (specs: readonly string[]): string[] => specs.map(resolve).filter((s) => s.trim() !== '');
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
        ...(draft.noarch ? { noarch: draft.noarch } : {}),
        skip: draft.skip,
        entryPoints: draft.entryPoints,
      },
      sources: draft.sources,
      requirements: {
        build: list(draft.requirements.build),
        host: list(draft.requirements.host),
        run: list(draft.requirements.run),
        runConstraints: list(draft.requirements.runConstraints),
        runExports: {
          weak: list(re.weak),
          strong: list(re.strong),
          noarch: list(re.noarch),
          weak_constrains: list(re.weak_constrains),
          strong_constrains: list(re.strong_constrains),
        },
        ignoreRunExports: draft.requirements.ignoreRunExports,
      },
      tests,
      about: draft.about,
      variant,
      hash,
      targetPlatform: draft.noarch ? 'noarch' : ctx.targetPlatform,
      recipe: { path: ctx.recipePath, dir: ctx.recipeDir, format: ctx.format },
      ...(draft.files !== undefined ? { files: draft.files } : {}),
    };
  });
}

/** Names of the requirement specs (`python >=3.8` → `python`). */
export function specName(spec: string): string {
  return (spec.trim().split(/[\s=<>!~\[]/)[0] ?? '').toLowerCase();
}

export function emptyRunExports(): RunExports {
  return { weak: [], strong: [], noarch: [], weak_constrains: [], strong_constrains: [] };
}

/**
 * A rendered recipe output ("stage 1", as rattler-build calls it): one output of one
 * variant with every template, selector and variant resolved. The renderer (recipes/)
 * produces it from recipe.yaml (v1) or conda-build meta.yaml; the builder (build/)
 * consumes it and nothing else, so the two meet only here.
 */

export type RecipeFormat = 'recipe.yaml' | 'meta.yaml';

/** `ignore_run_exports`: by package name, and every run_export of these packages. */
export interface IgnoreRunExports {
  readonly byName: readonly string[];
  readonly fromPackage: readonly string[];
}

export type SourceSpec =
  | {
      readonly kind: 'url';
      /** Mirrors of one file, tried in order. */
      readonly url: readonly string[];
      readonly sha256?: string;
      readonly md5?: string;
      /** Name to save the download as; default the URL's last path part. */
      readonly fileName?: string;
      readonly targetDirectory?: string;
      readonly patches: readonly string[];
    }
  | {
      readonly kind: 'git';
      readonly git: string;
      /** A tag, branch or commit; HEAD of the default branch when absent. */
      readonly rev?: string;
      readonly depth?: number;
      readonly targetDirectory?: string;
      readonly patches: readonly string[];
    }
  | {
      readonly kind: 'path';
      /** Absolute, resolved against the recipe folder. */
      readonly path: string;
      readonly targetDirectory?: string;
      readonly patches: readonly string[];
    };

export interface RunExports {
  readonly weak: readonly string[];
  readonly strong: readonly string[];
  readonly noarch: readonly string[];
  readonly weak_constrains: readonly string[];
  readonly strong_constrains: readonly string[];
}

export type RecipeTest =
  | { readonly kind: 'script'; readonly script: readonly string[]; readonly requirements: { readonly run: readonly string[]; readonly build: readonly string[] }; readonly files: readonly string[] }
  | { readonly kind: 'python'; readonly imports: readonly string[]; readonly pipCheck: boolean }
  | {
      readonly kind: 'package_contents';
      readonly files: readonly string[];
      readonly sitePackages: readonly string[];
      readonly bin: readonly string[];
      readonly lib: readonly string[];
      readonly include: readonly string[];
    };

/** The requirement lists a `pin_compatible` can stand in. */
export type PinnedList = 'run' | 'runConstraints' | keyof RunExports;

/**
 * A `pin_compatible` (or meta.yaml's `numpy x.x`) whose bounds come from the version solved
 * into the host environment, so the builder fills it in; the rendered list holds the bare
 * name at `index` until then.
 */
export interface HostPin {
  readonly list: PinnedList;
  readonly index: number;
  readonly name: string;
  /** An `x.x` pattern or a literal version; null for no lower bound. */
  readonly lower: string | null;
  /** An `x.x` pattern or a literal version; null for no upper bound. */
  readonly upper: string | null;
  readonly exact: boolean;
}

/**
 * A build that runs once for several outputs (v1 `cache:` or a `staging:` output): its
 * script's files in PREFIX and its work folder are restored into each output that uses it,
 * and each output chooses its files with `files:` or adds its own with its script.
 */
export interface RenderedCache {
  /** The staging output's name, or the recipe's name for a top-level `cache:`. */
  readonly name: string;
  readonly version: string;
  /** Identifies one build of the cache: outputs with the same id share it. */
  readonly id: string;
  readonly script: readonly string[] | { readonly file: string };
  readonly scriptEnv: Readonly<Record<string, string>>;
  /** rattler-build's `script.interpreter` (python, perl, rscript, ...); absent means bash. */
  readonly scriptInterpreter?: string;
  readonly sources: readonly SourceSpec[];
  readonly requirements: {
    readonly build: readonly string[];
    readonly host: readonly string[];
    readonly ignoreRunExports: IgnoreRunExports;
  };
  /** The variant keys the cache uses (its script sees them). */
  readonly variant: Readonly<Record<string, string>>;
  /** Whether the run_exports of the cache's environments reach the output (`inherit.run_exports`). */
  readonly inheritRunExports: boolean;
  /**
   * How the cache's files become the output's: `new` (rattler-build) counts them as new
   * files of the output, which `files:` may narrow; `listed` (conda-build's top-level
   * build) takes only those the output's `files:` lists, and an output with a script
   * packages only what its script adds.
   */
  readonly restoredFiles: 'new' | 'listed';
}

export interface RenderedOutput {
  readonly name: string;
  readonly version: string;
  readonly build: {
    readonly number: number;
    /** The final build string, e.g. `py312h1a2b3c4_0`. */
    readonly string: string;
    /** Script lines run with bash (cmd on Windows), or a script file relative to the recipe. */
    readonly script: readonly string[] | { readonly file: string };
    readonly scriptEnv: Readonly<Record<string, string>>;
    /** rattler-build's `script.interpreter` (python, perl, rscript, ...); absent means bash. */
    readonly scriptInterpreter?: string;
    readonly noarch?: 'python' | 'generic';
    readonly skip: boolean;
    readonly entryPoints: readonly string[];
  };
  readonly sources: readonly SourceSpec[];
  readonly requirements: {
    readonly build: readonly string[];
    readonly host: readonly string[];
    readonly run: readonly string[];
    readonly runConstraints: readonly string[];
    readonly runExports: RunExports;
    readonly ignoreRunExports: IgnoreRunExports;
    /** Specs the builder completes from the host environment (absent when none). */
    readonly hostPins?: readonly HostPin[];
  };
  readonly tests: readonly RecipeTest[];
  readonly about: Readonly<Record<string, unknown>>;
  /** The variant keys this output uses, with their values (only the keys it uses). */
  readonly variant: Readonly<Record<string, string>>;
  /** conda-build's variant hash: `h` + 7 hex digits. */
  readonly hash: string;
  readonly targetPlatform: string;
  readonly recipe: { readonly path: string; readonly dir: string; readonly format: RecipeFormat };
  /**
   * Which files of the prefix this output packages (conda-build `outputs[].files`,
   * rattler-build `build.files`), as globs relative to the prefix (a folder takes what is
   * under it); absent means all new files.
   */
  readonly files?: FileSelection;
  /** The cache build whose files and work folder this output starts from. */
  readonly cache?: RenderedCache;
}

export interface FileSelection {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

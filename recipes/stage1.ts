/**
 * A rendered recipe output ("stage 1", as rattler-build calls it): one output of one
 * variant with every template, selector and variant resolved. The renderer (recipes/)
 * produces it from recipe.yaml (v1) or conda-build meta.yaml; the builder (build/)
 * consumes it and nothing else, so the two meet only here.
 */

export type RecipeFormat = 'recipe.yaml' | 'meta.yaml';

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
    readonly ignoreRunExports: { readonly byName: readonly string[]; readonly fromPackage: readonly string[] };
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
   * rattler-build `build.files`), as globs relative to the prefix; absent means all new files.
   */
  readonly files?: readonly string[];
}

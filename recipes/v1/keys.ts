/**
 * rattler-build recipe.yaml's keys: the sections its parser accepts (src/recipe/parser/*.rs,
 * its `validate_keys!` lists) and the recipe-format schema. rattler-build rejects any
 * other key, and so does taipan, with a suggestion.
 */
import { ABOUT_KEYS, BUILD_KEYS, EXTRA, PACKAGE_KEYS, REQUIREMENT_KEYS } from '../keys/shared.js';
import { keyTable, unionTable } from '../keys/table.js';

export const V1_PACKAGE = keyTable('package', PACKAGE_KEYS);
export const V1_RECIPE = keyTable('recipe', PACKAGE_KEYS);

/** `{include, exclude}` globs (build.files, source.filter, ...). */
const GLOBS = keyTable('a glob selection', { include: { into: 'files' }, exclude: { into: 'files' } });

const COMMON_SOURCE = {
  patches: { into: 'sources' },
  target_directory: { into: 'sources' },
} as const;
const URL_SOURCE = keyTable('a url source', { url: { into: 'sources' }, sha256: { into: 'sources' }, md5: { into: 'sources' }, file_name: { into: 'sources' }, ...COMMON_SOURCE });
const GIT_SOURCE = keyTable('a git source', {
  git: { into: 'sources' },
  rev: { into: 'sources' },
  tag: { into: 'sources' },
  branch: { into: 'sources' },
  depth: { into: 'sources' },
  lfs: { into: null },
  expected_commit: { into: null },
  ...COMMON_SOURCE,
});
const PATH_SOURCE = keyTable('a path source', {
  path: { into: 'sources' },
  sha256: { into: 'sources' },
  md5: { into: 'sources' },
  file_name: { into: null },
  use_gitignore: { into: null },
  filter: { into: null, keys: GLOBS },
  ...COMMON_SOURCE,
});
/** A source item: its kind is chosen by `url`, `git` or `path`, so a typo anywhere is checked against all. */
export const V1_SOURCE = unionTable('a source (url, git or path)', URL_SOURCE, GIT_SOURCE, PATH_SOURCE);

export const V1_SCRIPT = keyTable('script', {
  file: { into: 'script' },
  content: { into: 'script' },
  interpreter: { into: 'scriptInterpreter' },
  env: { into: 'scriptEnv', keys: 'any' },
  secrets: { into: null },
  cwd: { into: null },
});

export const V1_PYTHON = keyTable('build.python', {
  entry_points: { into: 'entryPoints' },
  skip_pyc_compilation: { into: null },
  use_python_app_entrypoint: { into: null },
  version_independent: { into: null },
  site_packages_path: { into: null },
  preserve_egg_dir: { into: null },
  disable_pip: { into: null },
});

const DYNAMIC_LINKING = keyTable('build.dynamic_linking', {
  rpaths: { into: null },
  binary_relocation: { into: null },
  missing_dso_allowlist: { into: null },
  rpath_allowlist: { into: null },
  overdepending_behavior: { into: null },
  overlinking_behavior: { into: null },
});

const VARIANT = keyTable('build.variant', { use_keys: { into: null }, ignore_keys: { into: null }, down_prioritize_variant: { into: null } });

const PREFIX_DETECTION = keyTable('build.prefix_detection', {
  force_file_type: { into: null, keys: keyTable('force_file_type', { text: { into: null }, binary: { into: null } }) },
  ignore: { into: null },
  ignore_binary_files: { into: null },
});

const POST_PROCESS = keyTable('a post_process step', { files: { into: null }, regex: { into: null }, replacement: { into: null } });

const LINK_OPTIONS = keyTable('build.link_options', { post_link_script: { into: null }, pre_unlink_script: { into: null }, pre_link_message: { into: null } });

export const V1_BUILD = keyTable('build', {
  ...BUILD_KEYS,
  script: { into: 'script', keys: V1_SCRIPT },
  python: { into: 'entryPoints', keys: V1_PYTHON },
  dynamic_linking: { into: null, keys: DYNAMIC_LINKING },
  always_copy_files: { into: null },
  merge_build_and_host_envs: { into: null },
  variant: { into: null, keys: VARIANT },
  prefix_detection: { into: null, keys: PREFIX_DETECTION },
  post_process: { into: null, keys: POST_PROCESS },
  link_options: { into: null, keys: LINK_OPTIONS },
  files: { into: 'files', keys: GLOBS },
});

/** A staging output's (and a cache's) build may also run `steps` (rattler-build's newer form). */
const STEP = keyTable('a build step', { run: { into: 'script' }, env: { into: 'script', keys: 'any' }, if: { into: 'script' } });
export const V1_OUTPUT_BUILD = keyTable('build', { ...V1_BUILD.keys, steps: { into: 'script', keys: STEP } });

const RUN_EXPORTS = keyTable('run_exports', {
  weak: { into: 'requirements.runExports' },
  strong: { into: 'requirements.runExports' },
  noarch: { into: 'requirements.runExports' },
  weak_constraints: { into: 'requirements.runExports' },
  strong_constraints: { into: 'requirements.runExports' },
});
export const V1_IGNORE_RUN_EXPORTS = keyTable('ignore_run_exports', { by_name: { into: 'requirements.ignoreRunExports' }, from_package: { into: 'requirements.ignoreRunExports' } });

export const V1_REQUIREMENTS = keyTable(
  'requirements',
  {
    ...REQUIREMENT_KEYS,
    run_constraints: { into: 'requirements.runConstraints' },
    run_exports: { into: 'requirements.runExports', keys: RUN_EXPORTS },
    ignore_run_exports: { into: 'requirements.ignoreRunExports', keys: V1_IGNORE_RUN_EXPORTS },
  },
  { run_constrained: "recipe.yaml spells it 'run_constraints' (run_constrained is meta.yaml's)" },
);

/** package_contents' lists may be `{exists, not_exists}`. */
const FILE_CHECKS = keyTable('a file check', { exists: { into: 'tests' }, not_exists: { into: null } });
const CONTENTS = keyTable('package_contents', {
  files: { into: 'tests', keys: FILE_CHECKS },
  site_packages: { into: 'tests', keys: FILE_CHECKS },
  bin: { into: 'tests', keys: FILE_CHECKS },
  lib: { into: 'tests', keys: FILE_CHECKS },
  include: { into: 'tests', keys: FILE_CHECKS },
  strict: { into: null },
});

/** A test item: its kind is the key it has (script, python, perl, r, downstream, package_contents). */
export const V1_TEST = keyTable('a test', {
  script: { into: 'tests', keys: V1_SCRIPT },
  requirements: { into: 'tests', keys: keyTable('test requirements', { build: { into: 'tests' }, run: { into: 'tests' } }) },
  files: { into: 'tests', keys: keyTable('test files', { source: { into: 'tests' }, recipe: { into: 'tests' } }) },
  python: { into: 'tests', keys: keyTable('a python test', { imports: { into: 'tests' }, pip_check: { into: 'tests' }, python_version: { into: null } }) },
  perl: { into: null, keys: keyTable('a perl test', { uses: { into: null } }) },
  r: { into: null, keys: keyTable('an R test', { libraries: { into: null } }) },
  downstream: { into: null },
  package_contents: { into: 'tests', keys: CONTENTS },
}, { requires: "a script test's requirements are 'requirements: {run: [...]}'", commands: "a script test runs 'script: [...]'", imports: "python imports go in 'python: {imports: [...]}'" });

export const V1_ABOUT = keyTable(
  'about',
  {
    ...ABOUT_KEYS,
    homepage: { into: 'about' },
    repository: { into: 'about' },
    documentation: { into: 'about' },
  },
  { home: "recipe.yaml spells it 'homepage'", dev_url: "recipe.yaml spells it 'repository'", doc_url: "recipe.yaml spells it 'documentation'" },
);

/** The top-level `cache:` (rattler-build's experimental form): a build run once for every output. */
export const V1_CACHE = keyTable('cache', {
  source: { into: 'cache', keys: V1_SOURCE },
  requirements: { into: 'cache', keys: V1_REQUIREMENTS },
  build: { into: 'cache', keys: V1_OUTPUT_BUILD },
});

const INHERIT = keyTable('inherit', { from: { into: 'cache' }, run_exports: { into: 'cache' } });
export const V1_STAGING_NAME = keyTable('staging', { name: { into: 'cache' } });

export const V1_OUTPUT = keyTable('an output', {
  package: { into: 'name', keys: V1_PACKAGE },
  staging: { into: 'cache', keys: V1_STAGING_NAME },
  cache: { into: 'cache', keys: V1_STAGING_NAME },
  inherit: { into: 'cache', keys: INHERIT },
  source: { into: 'sources', keys: V1_SOURCE },
  build: { into: 'build', keys: V1_OUTPUT_BUILD },
  requirements: { into: 'requirements', keys: V1_REQUIREMENTS },
  tests: { into: 'tests', keys: V1_TEST },
  about: { into: 'about', keys: V1_ABOUT },
  extra: EXTRA,
});

const COMMON_ROOT = {
  // An editor's schema hint (yaml-language-server); rattler-build's own test recipes carry it.
  $schema: { into: null },
  schema_version: { into: null },
  context: { into: null, keys: 'any' },
  source: { into: 'sources', keys: V1_SOURCE },
  build: { into: 'build', keys: V1_BUILD },
  about: { into: 'about', keys: V1_ABOUT },
  extra: EXTRA,
  cache: { into: 'cache', keys: V1_CACHE },
} as const;

/** A recipe with one output: `package:` names it. */
export const V1_ROOT = keyTable('a recipe.yaml', {
  ...COMMON_ROOT,
  package: { into: 'name', keys: V1_PACKAGE },
  requirements: { into: 'requirements', keys: V1_REQUIREMENTS },
  tests: { into: 'tests', keys: V1_TEST },
}, { recipe: "'recipe:' names a recipe with 'outputs:'; a single package is named by 'package:'" });

/** A recipe with `outputs:`: `recipe:` names it, and requirements and tests belong to each output. */
export const V1_MULTI_ROOT = keyTable('a recipe.yaml with outputs', {
  ...COMMON_ROOT,
  recipe: { into: 'version', keys: V1_RECIPE },
  outputs: { into: 'outputs', keys: V1_OUTPUT },
}, { tests: 'put tests in each output', requirements: 'put requirements in each output', package: "a recipe with outputs names itself with 'recipe:'" });

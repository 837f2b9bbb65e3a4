/**
 * conda-build meta.yaml's keys: conda-build's FIELDS (conda_build/metadata.py, the table its
 * `conda build --check` validates against) and the define-metadata reference. conda-build
 * itself ignores an unknown key when it renders and builds, so taipan warns (with a
 * suggestion) and goes on.
 */
import { ABOUT_KEYS, BUILD_KEYS, EXTRA, PACKAGE_KEYS, REQUIREMENT_KEYS } from '../keys/shared.js';
import { keyTable } from '../keys/table.js';

export const META_PACKAGE = keyTable('package', PACKAGE_KEYS);

export const META_SOURCE = keyTable('a source', {
  url: { into: 'sources' },
  fn: { into: 'sources' },
  md5: { into: 'sources' },
  sha1: { into: null },
  sha256: { into: 'sources' },
  path: { into: 'sources' },
  path_via_symlink: { into: null },
  git_url: { into: 'sources' },
  git_tag: { into: 'sources' },
  git_branch: { into: 'sources' },
  git_rev: { into: 'sources' },
  git_depth: { into: 'sources' },
  hg_url: { into: null },
  hg_tag: { into: null },
  svn_url: { into: null },
  svn_rev: { into: null },
  svn_ignore_externals: { into: null },
  svn_username: { into: null },
  svn_password: { into: null },
  folder: { into: 'sources' },
  no_hoist: { into: null },
  patches: { into: 'sources' },
});

const RUN_EXPORTS = keyTable('run_exports', {
  weak: { into: 'requirements.runExports' },
  strong: { into: 'requirements.runExports' },
  noarch: { into: 'requirements.runExports' },
  weak_constrains: { into: 'requirements.runExports' },
  strong_constrains: { into: 'requirements.runExports' },
});

export const META_BUILD = keyTable('build', {
  ...BUILD_KEYS,
  entry_points: { into: 'entryPoints' },
  osx_is_app: { into: null },
  disable_pip: { into: null },
  features: { into: null },
  track_features: { into: null },
  preserve_egg_dir: { into: null },
  no_link: { into: null },
  binary_relocation: { into: null },
  noarch_python: { into: 'noarch' },
  has_prefix_files: { into: null },
  binary_has_prefix_files: { into: null },
  ignore_prefix_files: { into: null },
  detect_binary_files_with_prefix: { into: null },
  skip_compile_pyc: { into: null },
  rpaths: { into: null },
  rpaths_patcher: { into: null },
  script_env: { into: 'scriptEnv' },
  msvc_compiler: { into: null },
  pin_depends: { into: null },
  include_recipe: { into: null },
  preferred_env: { into: null },
  preferred_env_executable_paths: { into: null },
  run_exports: { into: 'requirements.runExports', keys: RUN_EXPORTS },
  ignore_run_exports: { into: 'requirements.ignoreRunExports' },
  ignore_run_exports_from: { into: 'requirements.ignoreRunExports' },
  requires_features: { into: null, keys: 'any' },
  provides_features: { into: null, keys: 'any' },
  force_use_keys: { into: null },
  force_ignore_keys: { into: null },
  merge_build_host: { into: null },
  'pre-link': { into: null },
  'post-link': { into: null },
  'pre-unlink': { into: null },
  missing_dso_whitelist: { into: null },
  error_overdepending: { into: null },
  error_overlinking: { into: null },
  overlinking_ignore_patterns: { into: null },
  python_site_packages_path: { into: null },
  // conda-build 3's switch (builds have activated in the script since); feedstocks still set it.
  activate_in_script: { into: null },
  // conda-build 25 (conda/conda-build#5456): arch-specific, python-independent (abi3) packages.
  python_version_independent: { into: null },
});

export const META_REQUIREMENTS = keyTable(
  'requirements',
  {
    ...REQUIREMENT_KEYS,
    conflicts: { into: null },
    run_constrained: { into: 'requirements.runConstraints' },
  },
  { run_constraints: "meta.yaml spells it 'run_constrained' (run_constraints is recipe.yaml's)" },
);

export const META_TEST = keyTable(
  'test',
  {
    requires: { into: 'tests' },
    commands: { into: 'tests' },
    files: { into: 'tests' },
    imports: { into: 'tests' },
    source_files: { into: 'tests' },
    downstreams: { into: null },
  },
  { requirements: "a meta.yaml test's requirements are 'requires'" },
);

/** An output's test may also name a script to run (conda-build copies it in as the run_test file). */
const META_OUTPUT_TEST = keyTable('test', { ...META_TEST.keys, script: { into: null } }, META_TEST.misplaced);

export const META_ABOUT = keyTable(
  'about',
  {
    ...ABOUT_KEYS,
    home: { into: 'about' },
    dev_url: { into: 'about' },
    doc_url: { into: 'about' },
    doc_source_url: { into: 'about' },
    license_url: { into: 'about' },
    identifiers: { into: 'about' },
    tags: { into: 'about' },
    keywords: { into: 'about' },
    readme: { into: 'about' },
  },
  { homepage: "meta.yaml spells it 'home'", repository: "meta.yaml spells it 'dev_url'", documentation: "meta.yaml spells it 'doc_url'" },
);

const APP = keyTable('app', {
  entry: { into: null },
  icon: { into: null },
  summary: { into: null },
  type: { into: null },
  cli_opts: { into: null },
  own_environment: { into: null },
});

const FILES = keyTable('files', { include: { into: 'files' }, exclude: { into: 'files' } });

export const META_OUTPUT = keyTable('an output', {
  name: { into: 'name' },
  version: { into: 'version' },
  number: { into: 'buildNumber' },
  entry_points: { into: null },
  script: { into: 'script' },
  script_interpreter: { into: null },
  build: { into: 'build', keys: META_BUILD },
  requirements: { into: 'requirements', keys: META_REQUIREMENTS },
  test: { into: 'tests', keys: META_OUTPUT_TEST },
  about: { into: 'about', keys: META_ABOUT },
  extra: EXTRA,
  files: { into: 'files', keys: FILES },
  type: { into: null },
  run_exports: { into: 'requirements.runExports', keys: RUN_EXPORTS },
  target: { into: null },
});

export const META_ROOT = keyTable('meta.yaml', {
  package: { into: 'name', keys: META_PACKAGE },
  source: { into: 'sources', keys: META_SOURCE },
  build: { into: 'build', keys: META_BUILD },
  outputs: { into: 'outputs', keys: META_OUTPUT },
  requirements: { into: 'requirements', keys: META_REQUIREMENTS },
  app: { into: null, keys: APP },
  test: { into: 'tests', keys: META_TEST },
  about: { into: 'about', keys: META_ABOUT },
  extra: EXTRA,
});

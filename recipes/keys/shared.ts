/**
 * The keys conda-build's meta.yaml and rattler-build's recipe.yaml agree on: each format's
 * table (meta-yaml/keys.ts, v1/keys.ts) starts from these and adds its own.
 */
import type { KeySpec } from './table.js';

/** package: name and version, in both formats (and v1's `recipe:`). */
export const PACKAGE_KEYS = {
  name: { into: 'name' },
  version: { into: 'version' },
} satisfies Record<string, KeySpec>;

/** The build keys both formats spell the same way. */
export const BUILD_KEYS = {
  number: { into: 'buildNumber' },
  string: { into: 'buildString' },
  skip: { into: 'skip' },
  script: { into: 'script' },
  noarch: { into: 'noarch' },
  always_include_files: { into: null },
} satisfies Record<string, KeySpec>;

/** The environments of `requirements`, the same in both formats. */
export const REQUIREMENT_KEYS = {
  build: { into: 'requirements.build' },
  host: { into: 'requirements.host' },
  run: { into: 'requirements.run' },
} satisfies Record<string, KeySpec>;

/** The about keys both formats spell the same way; each adds its URLs. */
export const ABOUT_KEYS = {
  license: { into: 'about' },
  license_family: { into: 'about' },
  license_file: { into: 'about' },
  summary: { into: 'about' },
  description: { into: 'about' },
  prelink_message: { into: 'about' },
} satisfies Record<string, KeySpec>;

/** `extra:` holds anything in both formats. */
export const EXTRA: KeySpec = { into: null, keys: 'any' };

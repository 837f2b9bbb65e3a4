/**
 * Typed shapes of the `info/` files of a conda package, with conda's own field names (so
 * they round-trip into repodata and conda-meta unchanged). Unknown keys are kept by the
 * parsers; only the fields taipan reads are declared.
 */
import type { NoarchType, PackageRecord } from '../model/package-record.js';

/** `info/index.json`: the record repodata.json is built from. */
export type IndexJson = PackageRecord;

/** How a path is installed: hard link/copy, symlink, or an (empty) folder. */
export type PathType = 'hardlink' | 'softlink' | 'directory';

/** How a prefix placeholder is replaced: as text, or padded in a binary. */
export type FileMode = 'text' | 'binary';

/** One entry of `info/paths.json`. */
export interface PathsEntry {
  _path: string;
  path_type: PathType;
  sha256?: string;
  size_in_bytes?: number;
  file_mode?: FileMode;
  prefix_placeholder?: string;
  no_link?: boolean;
}

/**
 * `info/paths.json`. Packages from before it existed get the same shape from `info/files`
 * + `info/has_prefix` + `info/no_link`, with `paths_version` 0 (as conda does).
 */
export interface PathsJson {
  paths_version: number;
  paths: PathsEntry[];
}

/** One line of the legacy `info/has_prefix`. */
export interface HasPrefixEntry {
  path: string;
  prefix_placeholder: string;
  file_mode: FileMode;
}

/** `info/link.json`: noarch details (python entry points) and the metadata version. */
export interface LinkJson {
  noarch?: {
    type: NoarchType;
    /** `name = module:function` console scripts (noarch: python only). */
    entry_points?: string[];
  };
  package_metadata_version?: number;
  preferred_env?: unknown;
  [extra: string]: unknown;
}

/** `info/run_exports.json`: the pins this package adds to packages built against it. */
export interface RunExportsJson {
  weak?: string[];
  strong?: string[];
  noarch?: string[];
  weak_constrains?: string[];
  strong_constrains?: string[];
}

/** `info/about.json`: descriptive fields; free form beyond these. */
export interface AboutJson {
  home?: string;
  license?: string;
  license_family?: string;
  license_file?: string | string[];
  summary?: string;
  description?: string;
  doc_url?: string;
  dev_url?: string;
  channels?: string[];
  [extra: string]: unknown;
}

/** Everything taipan reads from `info/`, as one value. */
export interface PackageMetadata {
  index: IndexJson;
  paths: PathsJson;
  link?: LinkJson;
  runExports?: RunExportsJson;
  about?: AboutJson;
}

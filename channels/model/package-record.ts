/**
 * A package record as it appears in repodata.json (`packages` / `packages.conda`) and,
 * extended, in conda-meta. Field names are conda's own so that records round-trip.
 */
export type NoarchType = 'generic' | 'python';

export interface PackageRecord {
  readonly name: string;
  readonly version: string;
  readonly build: string;
  readonly build_number: number;
  readonly depends: readonly string[];
  readonly constrains?: readonly string[];
  readonly track_features?: string;
  readonly features?: string;
  readonly noarch?: NoarchType;
  readonly timestamp?: number;
  readonly md5?: string;
  readonly sha256?: string;
  readonly size?: number;
  readonly license?: string;
  readonly license_family?: string;
  readonly subdir?: string;
  readonly platform?: string | null;
  readonly arch?: string | null;
  readonly python_site_packages_path?: string;
  /** Any other repodata key is kept as is. */
  readonly [extra: string]: unknown;
}

/** A record together with where it was found: what the solver works on and conda-meta keeps. */
export interface RepoDataRecord extends PackageRecord {
  /** The archive's file name, e.g. `zlib-1.2.11-h7b6447c_3.conda`. */
  readonly fn: string;
  /** Full download URL of the archive (never carries a credential). */
  readonly url: string;
  /** Canonical channel name or URL, as conda writes it in conda-meta (`channel`). */
  readonly channel: string;
}

/**
 * Loading of the version conformance files in ../shared/conformance (read in place,
 * never copied) and the case shapes they hold. See that folder's README.md.
 */
import { readFileSync } from 'node:fs';
import { sharedAvailable, sharedPath } from '../../../helpers/shared.js';

/** The parsed JSON file, or undefined when ../shared is absent (the suite is skipped then). */
export function loadConformance<T>(file: string): T | undefined {
  if (!sharedAvailable()) return undefined;
  return JSON.parse(readFileSync(sharedPath('conformance', file), 'utf8')) as T;
}

/** A version-order.json disagreement entry; only the `conda` form matters here. */
export interface OrderDisagreement {
  version?: string;
  a?: string;
  b?: string;
  expected?: '<' | '==';
  conda?: unknown;
  oracle?: unknown;
}

export interface OrderGroup {
  id: string;
  kind: 'order' | 'invalid';
  versions: (string | string[])[];
  source: string;
  conda_reference_disagrees?: OrderDisagreement[];
}

export interface SpecCase {
  id: string;
  kind: 'match' | 'invalid' | 'equivalent' | 'canonical';
  spec: string;
  version?: string;
  matches?: boolean;
  equivalent_to?: string;
  canonical?: string;
  flavor?: string;
  strictness?: string;
  equivalent_to_strictness?: string;
  conda_reference_disagrees?: { conda: unknown };
}

export interface RealVersions {
  versions: (string | string[])[];
  oracle_unparseable: string[];
}

export interface RealSpec {
  id: string;
  spec_string: string;
  version_spec: string | null;
  cases: { version: string; matches: boolean; conda_reference_disagrees?: { conda: unknown } }[];
}

export interface ParseCase {
  id: string;
  version: string;
  segments: (number | string)[][];
  local?: (number | string)[][];
  str?: string;
}

/** A readable test id: the case id plus its spec/version, shortened. */
export function label(id: string, ...parts: (string | undefined)[]): string {
  const text = parts
    .filter((p): p is string => p !== undefined)
    .map((p) => JSON.stringify(p))
    .join(' ');
  return `${id} ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

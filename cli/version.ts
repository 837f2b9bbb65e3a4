/**
 * taipan's version and the Node.js it needs, from its package.json. Kept apart from
 * context.ts so that `--version` and start-up checks load nothing else.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { semverLibrary } from '../channels/util/libraries.js';

interface PackageJson {
  name: string;
  version: string;
  engines: { node: string };
}

/** taipan's package.json, found upwards from this file (it runs from dist/cli or, in tests, cli/). */
function readPackageJson(): PackageJson {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const json = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
      if (json.name === 'taipan') return json;
    } catch {
      // not here; look further up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('taipan installation is broken: its package.json is missing');
    dir = parent;
  }
}

const PACKAGE_JSON = readPackageJson();

export const TOOL_VERSION: string = PACKAGE_JSON.version;

/**
 * A warning when this Node.js is older than package.json's `engines` allow. Node's own
 * versions are semver, unlike conda's, so the `semver` package is the right tool here.
 */
export function nodeVersionWarning(nodeVersion: string = process.version): string | undefined {
  return satisfiesNodeRange(nodeVersion, PACKAGE_JSON.engines.node)
    ? undefined
    : `taipan needs Node.js ${PACKAGE_JSON.engines.node}, this is ${nodeVersion}; some commands may fail`;
}

/** A plain release `vX.Y.Z` (no pre-release or build part, numbers as semver writes them). */
const RELEASE_VERSION = /^v?(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})$/;
/** A lower bound only, `>=X`, `>=X.Y` or `>=X.Y.Z`. */
const LOWER_BOUND = /^\s*>=\s*(0|[1-9]\d{0,14})(?:\.(0|[1-9]\d{0,14}))?(?:\.(0|[1-9]\d{0,14}))?\s*$/;

/**
 * semver.satisfies(version, range). Every start runs this check, and loading semver costs
 * about 40 ms, so the usual case (a release of Node against a `>=` bound) is decided by
 * comparing the numbers; semver is loaded for anything else.
 */
export function satisfiesNodeRange(version: string, range: string): boolean {
  const release = RELEASE_VERSION.exec(version);
  const bound = LOWER_BOUND.exec(range);
  if (release === null || bound === null) return semverLibrary().satisfies(version, range);
  for (let i = 1; i <= 3; i++) {
    const have = Number(release[i]);
    const need = Number(bound[i] ?? 0);
    if (have !== need) return have > need;
  }
  return true;
}

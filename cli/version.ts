/**
 * taipan's version and the Node.js it needs, from its package.json. Kept apart from
 * context.ts so that `--version` and start-up checks load nothing else.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

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
  return semver.satisfies(nodeVersion, PACKAGE_JSON.engines.node)
    ? undefined
    : `taipan needs Node.js ${PACKAGE_JSON.engines.node}, this is ${nodeVersion}; some commands may fail`;
}

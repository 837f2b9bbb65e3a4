/**
 * Which archives `taipan index` leaves out of a channel's repodata, as conda-index leaves out
 * the archives it cannot read: one bad archive in a folder must not stop the others from
 * being indexed, and must not poison the repodata every client then reads (taipan's reader
 * refuses a whole repodata.json that holds an unsafe name).
 */
import type { PackageRecord } from '../model/package-record.js';
import { Version } from '../model/version.js';
import { isUnsafeName } from '../repodata/records.js';
import { NAME_MAX_BYTES } from '../archive/entry-path.js';

/**
 * Package names conda tools can match and install: letters, digits, `-`, `_` and `.` (conda
 * writes them in lower case; upper case is accepted, as conda-index and rattler accept it).
 */
const PACKAGE_NAME = /^[A-Za-z0-9_.-]+$/;

/** Why the archive `fn` with `record` (its info/index.json) cannot be indexed; undefined when it can. */
export function unindexableReason(fn: string, record: PackageRecord): string | undefined {
  const shown = (value: string): string => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (isUnsafeName(fn)) return `its file name ${shown(fn)} holds a path separator or a control character`;
  const { name, version, build } = record;
  if (!PACKAGE_NAME.test(name) || name === '.' || name === '..') {
    return `the name ${shown(name)} in info/index.json is not a package name (letters, digits, '-', '_' and '.')`;
  }
  for (const [what, value] of [['version', version], ['build', build]] as const) {
    if (isUnsafeName(value)) return `the ${what} ${shown(value)} in info/index.json holds a path separator or a control character`;
  }
  try {
    Version.parse(version);
  } catch {
    return `the version ${shown(version)} in info/index.json is not a conda version`;
  }
  // An environment records the package as conda-meta/<name>-<version>-<build>.json.
  const recordName = `${name}-${version}-${build}.json`;
  if (Buffer.byteLength(recordName) > NAME_MAX_BYTES) {
    return `its name, version and build are too long together: an environment's record of it ('${recordName.slice(0, 40)}…', ${Buffer.byteLength(recordName)} bytes) would be longer than file systems allow (${NAME_MAX_BYTES})`;
  }
  return undefined;
}

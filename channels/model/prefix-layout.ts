/**
 * The paths of a prefix that belong to the package manager, not to any package: conda-meta
 * (records, history, pinned, taipan's lock and journal), the transaction's trash, the
 * packed-environment plan, the link scripts' message file and the clobbered copies.
 *
 * A package that ships one of them could plant a record (`conda-meta/x.json` whose paths
 * point outside the prefix, deleted on a later `remove`), break the journal or the lock, so
 * payload paths are checked against this list at extraction, at link time and when a record
 * is read. It lives in the model because the package cache (channels) and the prefix
 * (environments) both apply it.
 */

/** conda's metadata folder of a prefix. */
export const CONDA_META = 'conda-meta';

/** Where clobbered copies go (rattler's name): taipan writes there, so a record may list it. */
export const CLOBBERS_DIR = '__clobbers__';

/** What a transaction moves out of the way, emptied on commit. */
export const TRASH_DIR = '.taipan-trash';

/** What `taipan pack` adds to a packed environment. */
export const PACK_DIR = '.taipan-pack';

/** Where link scripts leave text for the user (conda's convention); taipan reads and removes it. */
export const MESSAGES_FILE = '.messages.txt';

/** Top-level names no record may list: taipan's own state. */
const STATE_NAMES: readonly string[] = [CONDA_META, TRASH_DIR, PACK_DIR, MESSAGES_FILE];

/** Top-level names no package payload may hold: the state, and the clobber area taipan fills. */
const PAYLOAD_RESERVED: readonly string[] = [...STATE_NAMES, CLOBBERS_DIR];

/**
 * The name a file system may take for a top-level segment: case-insensitive (Windows, macOS),
 * without an NTFS stream suffix (`conda-meta::$INDEX_ALLOCATION` opens the folder) and without
 * the trailing dots and spaces Windows drops.
 */
function aliasOf(segment: string): string {
  const colon = segment.indexOf(':');
  return (colon >= 0 ? segment.slice(0, colon) : segment).replace(/[. ]+$/, '').toLowerCase();
}

/** True when `segment` could be Windows' 8.3 short name of `name` (`CONDA-~1` for conda-meta). */
function isShortNameOf(segment: string, name: string): boolean {
  const short = /^([^~]{1,6})~\d{1,6}$/.exec(segment);
  if (!short) return false;
  const bare = name.replace(/[. ]/g, '').toLowerCase();
  return bare.length > 8 && bare.startsWith((short[1] as string).toLowerCase());
}

function reservedIn(relative: string, names: readonly string[]): string | undefined {
  const first = relative.split(/[\\/]/).find((s) => s !== '' && s !== '.');
  if (first === undefined) return undefined;
  const alias = aliasOf(first);
  return names.find((n) => n === alias || isShortNameOf(alias, n));
}

/**
 * The reserved top-level name a package payload path falls under (`conda-meta` for
 * `Conda-Meta/x.json`), or undefined for an ordinary path. `relative` is prefix-relative.
 */
export function reservedPayloadPath(relative: string): string | undefined {
  return reservedIn(relative, PAYLOAD_RESERVED);
}

/** Like {@link reservedPayloadPath} for a path listed in a conda-meta record (clobbered copies allowed). */
export function reservedRecordPath(relative: string): string | undefined {
  return reservedIn(relative, STATE_NAMES);
}

/**
 * conda-build pads the host prefix to a fixed length, so binaries hold a placeholder long
 * enough for any install path, and so two host prefixes of a build have the same length:
 * a file built in one (a cache's) is moved into another byte for byte.
 */
export const HOST_PREFIX_LENGTH = 255;

/** `base` padded with `_placehold` to HOST_PREFIX_LENGTH characters (unchanged when longer). */
export function paddedPrefix(base: string): string {
  const missing = HOST_PREFIX_LENGTH - base.length;
  return missing > 0 ? base + '_placehold'.repeat(Math.ceil(missing / 10)).slice(0, missing) : base;
}

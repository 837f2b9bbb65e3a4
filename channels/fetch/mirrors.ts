/**
 * Mirrors: a map from a channel (or any URL prefix) to the base URLs that serve the same
 * files, tried in order. As in pixi, the mirror list replaces the original; list the
 * original too to fall back to it.
 */

/** Channel URL prefix → mirror base URLs, in the order to try them. */
export type MirrorMap = Readonly<Record<string, readonly string[]>>;

/** The URLs to try for `url`: its mirrors (longest matching prefix wins), else itself. */
export function candidateUrls(url: string, mirrors: MirrorMap | undefined): string[] {
  if (mirrors === undefined) return [url];
  let best: string | undefined;
  for (const key of Object.keys(mirrors)) {
    const prefix = key.replace(/\/+$/, '');
    if ((url === prefix || url.startsWith(`${prefix}/`)) && (best === undefined || prefix.length > best.length)) best = key;
  }
  if (best === undefined) return [url];
  const rest = url.slice(best.replace(/\/+$/, '').length);
  const list = mirrors[best] ?? [];
  return list.length === 0 ? [url] : list.map((m) => `${m.replace(/\/+$/, '')}${rest}`);
}

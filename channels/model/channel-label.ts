/**
 * A channel as a person reads it in a table or a message: `conda-forge`, `defaults` for
 * Anaconda's main/r/msys2, a local folder's base name, a URL's path otherwise. Never a
 * credential: the label comes from the channel's base URL, which holds none.
 */
import path from 'node:path';
import { Channel } from './channel.js';

const DEFAULTS = /^https?:\/\/repo\.anaconda\.com\/pkgs\/(main|r|msys2)$/i;

export function channelLabel(channel: string): string {
  let parsed: Channel;
  try {
    parsed = Channel.parse(channel);
  } catch {
    return '(unknown channel)';
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(parsed.name)) return parsed.name;
  if (DEFAULTS.test(parsed.baseUrl)) return 'defaults';
  const local = parsed.localPath();
  if (local !== undefined) return path.basename(local) || local;
  try {
    const url = new URL(parsed.baseUrl);
    const urlPath = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
    return urlPath === '' ? url.host : urlPath;
  } catch {
    return parsed.baseUrl;
  }
}

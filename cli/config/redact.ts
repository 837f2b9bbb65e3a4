/**
 * Settings as they may be shown: URLs lose their user:password and `/t/<token>/` (a proxy
 * in proxy_servers or a channel URL can carry them), at any depth of lists and mappings.
 */
import { redactUrl } from '../../channels/model/channel.js';

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
/** `user:password@host…` without a scheme, as conda accepts a proxy (`user:pw@proxy:3128`). */
const SCHEMELESS_USERINFO = /^[^/@\s]+@(?=[^@]*$)/;

export function redactSetting(value: unknown): unknown {
  if (typeof value === 'string') return URL_LIKE.test(value) ? redactUrl(value) : value.replace(SCHEMELESS_USERINFO, '');
  if (Array.isArray(value)) return value.map(redactSetting);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSetting(v)]));
  return value;
}

/**
 * The channel part of a MatchSpec (`conda-forge::`, `conda-forge/linux-64::`,
 * `https://host/path::`, `/local/path::`, `[channel=...]`) and the channel identity used to
 * match a record's `channel`. conda's rules, without a configuration: short names resolve
 * against the default channel alias `https://conda.anaconda.org`, and `pkgs/main` / `pkgs/r`
 * are members of the `defaults` multichannel.
 */
import os from 'node:os';
import path from 'node:path';
import { TaipanError } from '../errors.js';
import { expandUser } from '../home-path.js';
import { isPlatform } from '../platform.js';

/** Host of conda's default `channel_alias`: channels under it are known by their path. */
const ALIAS_HOST = 'conda.anaconda.org';
/** Members of conda's `defaults` multichannel (on unix). */
const DEFAULTS_MEMBERS: ReadonlySet<string> = new Set(['pkgs/main', 'pkgs/r']);

const URL_RE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A channel as a MatchSpec stores it, with the platform split off. */
export interface ChannelPart {
  /** Channel name (`conda-forge`, `defaults`, `*`) or URL without platform or credentials. */
  readonly channel: string;
  /** The platform written after the channel (`conda-forge/linux-64`), if any. */
  readonly subdir: string | undefined;
}

/** True for `scheme://...`. */
export function isUrl(text: string): boolean {
  return URL_RE.test(text);
}

/** True for text conda treats as a filesystem path rather than a channel name. */
export function isPathLike(text: string): boolean {
  return (
    text.startsWith('/') ||
    text.startsWith('./') ||
    text.startsWith('../') ||
    text === '~' ||
    text.startsWith('~/') ||
    /^[A-Za-z]:[\\/]/.test(text) ||
    text.startsWith('\\\\')
  );
}

/**
 * A `file://` URL for a local path, as conda's `path_to_url(expand(path))` makes it (not
 * percent-encoded: conda unquotes it again).
 */
export function pathToFileUrl(text: string): string {
  if (/^[A-Za-z]:[\\/]/.test(text)) return `file:///${text.replace(/\\/g, '/')}`;
  if (text.startsWith('\\\\')) return `file:${text.replace(/\\/g, '/')}`;
  const expanded = expandUser(text);
  return `file://${path.resolve(expanded)}`;
}

/**
 * Parses the channel text of a spec. Returns undefined for an empty text.
 * @throws TaipanError `INVALID_MATCH_SPEC` quoting `spec` for a malformed channel.
 */
export function parseChannelPart(text: string | undefined, spec: string): ChannelPart | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === '') return undefined;
  if (isUrl(t) || isPathLike(t)) {
    const url = stripCredentials(isUrl(t) ? t : pathToFileUrl(t)).replace(/\/+$/, '');
    const { rest, platform } = splitPlatform(url);
    return { channel: rest, subdir: platform };
  }
  if (/[\s\\'":]/.test(t) || t.includes('//')) {
    throw new TaipanError('INVALID_MATCH_SPEC', `invalid match spec '${spec}': invalid channel '${text}'; expected a channel name, URL or absolute path`, {
      hint: 'a channel is a name such as conda-forge, a URL, or an absolute path',
    });
  }
  const trimmed = t.replace(/\/+$/, '');
  const { rest, platform } = trimmed.includes('/') ? splitPlatform(trimmed) : { rest: trimmed, platform: undefined };
  return { channel: DEFAULTS_MEMBERS.has(rest) ? 'defaults' : rest, subdir: platform };
}

/** How a channel is known, for matching: its name and its canonical name. */
export interface ChannelIdentity {
  /** conda `Channel.name`: the path for a URL (`conda-forge`, `pkgs/main`), else the name. */
  readonly name: string;
  /** conda `Channel.canonical_name`: `defaults` for its members, the short name under the alias, else the URL. */
  readonly canonical: string;
}

const identityCache = new Map<string, ChannelIdentity>();

/**
 * The identity of a channel string as records and specs carry it: a name, a channel URL
 * (with or without a trailing platform), or a local path.
 */
export function channelIdentity(channel: string): ChannelIdentity {
  const cached = identityCache.get(channel);
  if (cached !== undefined) return cached;
  const identity = computeIdentity(channel);
  if (identityCache.size > 4096) identityCache.clear();
  identityCache.set(channel, identity);
  return identity;
}

function computeIdentity(channel: string): ChannelIdentity {
  const t = channel.trim();
  if (!isUrl(t) && !isPathLike(t)) {
    const { rest } = t.includes('/') ? splitPlatform(t.replace(/\/+$/, '')) : { rest: t };
    return { name: rest, canonical: DEFAULTS_MEMBERS.has(rest) ? 'defaults' : rest };
  }
  const url = splitPlatform(stripCredentials(isUrl(t) ? t : pathToFileUrl(t)).replace(/\/+$/, '')).rest;
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(.*)$/i.exec(url);
  const host = (m?.[2] ?? '').toLowerCase();
  const name = (m?.[3] ?? '').replace(/^\/+/, '');
  if (DEFAULTS_MEMBERS.has(name)) return { name, canonical: 'defaults' };
  if (host === ALIAS_HOST && name !== '') return { name, canonical: name };
  return { name: name === '' ? url : name, canonical: url };
}

/** The canonical name of the channel a package URL lives in (`channel/subdir/file`). */
export function canonicalChannelOfUrl(channelUrl: string): string {
  return channelIdentity(channelUrl).canonical;
}

function splitPlatform(text: string): { rest: string; platform: string | undefined } {
  const slash = text.lastIndexOf('/');
  const last = text.slice(slash + 1);
  if (slash > 0 && isPlatform(last)) return { rest: text.slice(0, slash), platform: last };
  return { rest: text, platform: undefined };
}

/** Removes `user:password@` and anaconda.org `/t/<token>` so that no credential is kept or printed. */
function stripCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1').replace(/\/t\/[^/]+/, '');
}

/**
 * Credentials for channels, kept apart from every URL that is printed or stored: channel
 * and record URLs never carry a secret (Channel.parse strips them); the store adds the
 * secret back only on the wire. Three kinds, as conda and rattler know them:
 * anaconda.org tokens (`/t/<token>/` in the path), HTTP basic auth (URL user info or the
 * credentials file) and bearer tokens (credentials file).
 *
 * The credentials file is rattler's JSON format, keyed by host or URL prefix:
 * `{"host.example": {"BearerToken": "…"}, "https://h/chan": {"BasicHTTP": {"username": "u",
 * "password": "p"}}, "conda.anaconda.org": {"CondaToken": "…"}}`. It is read from
 * `TAIPAN_AUTH_FILE`, else `RATTLER_AUTH_FILE`, else `~/.taipan/credentials.json`.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { redactUrl } from '../model/channel.js';
import { TaipanError } from '../model/errors.js';

export type Credential =
  | { kind: 'conda-token'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string };

interface Entry {
  /** Matched against redacted URLs: `https://host[:port][/path]` or a bare `host`. */
  readonly prefix: string;
  readonly credential: Credential;
  /** Where a conda token goes back into the path (just after this many characters). */
  readonly tokenAt?: number;
}

/** A URL ready to send: the secret-bearing URL and headers. Never print either. */
export interface AuthorizedRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
}

export class CredentialStore {
  private readonly entries: Entry[] = [];
  private readonly secrets = new Set<string>();

  /**
   * Remember the credential a user wrote into a channel URL (`https://u:p@host/…` or
   * `https://host/t/<token>/…`). Returns the redacted URL. URLs without one are ignored.
   */
  addFromUrl(raw: string): string {
    const redacted = redactUrl(raw);
    const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:([^/@]*)@)?([^/]*)(.*)$/i.exec(raw);
    if (!match) return redacted;
    const [, scheme, userInfo, host, rest] = match as unknown as [string, string, string | undefined, string, string];
    const origin = `${scheme}${host}`;
    const token = /^(.*?)\/t\/([^/]+)/.exec(rest);
    const prefix = redacted.replace(/\/+$/, '');
    if (token) {
      const tokenAt = origin.length + (token[1] as string).length;
      this.add({ prefix, credential: { kind: 'conda-token', token: decodeURIComponent(token[2] as string) }, tokenAt });
    }
    if (userInfo !== undefined && userInfo !== '') {
      const [user, ...pass] = userInfo.split(':');
      this.add({ prefix, credential: { kind: 'basic', username: decodeURIComponent(user ?? ''), password: decodeURIComponent(pass.join(':')) } });
    }
    return redacted;
  }

  /** Add a credential for a host or URL prefix. */
  set(prefix: string, credential: Credential): void {
    this.add({ prefix: prefix.replace(/\/+$/, ''), credential });
  }

  /** Read a credentials file (rattler's JSON format). A missing file is not an error. */
  loadFile(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new TaipanError('CONFIG', `the credentials file '${file}' is not valid JSON: ${(error as Error).message}`, {
        hint: 'it maps a host or URL prefix to {"BearerToken": …}, {"BasicHTTP": {"username", "password"}} or {"CondaToken": …}',
      });
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new TaipanError('CONFIG', `the credentials file '${file}' does not hold an object`);
    }
    for (const [prefix, value] of Object.entries(data as Record<string, unknown>)) {
      const credential = parseFileCredential(value);
      if (credential === undefined) {
        throw new TaipanError('CONFIG', `the credentials file '${file}' has an entry for '${prefix}' of an unknown kind`, {
          hint: 'use {"BearerToken": "…"}, {"BasicHTTP": {"username": "…", "password": "…"}} or {"CondaToken": "…"}',
        });
      }
      this.set(prefix, credential);
    }
  }

  /** The URL and headers to send for a (redacted) URL. */
  authorize(url: string): AuthorizedRequest {
    const headers: Record<string, string> = {};
    let wire = url;
    // Longest prefix first, so a channel's own credential wins over its host's.
    const matches = this.entries.filter((e) => matchesPrefix(url, e.prefix)).sort((a, b) => b.prefix.length - a.prefix.length);
    const token = matches.find((e) => e.credential.kind === 'conda-token');
    if (token && token.credential.kind === 'conda-token') {
      const at = token.tokenAt ?? originLength(url);
      wire = `${url.slice(0, at)}/t/${encodeURIComponent(token.credential.token)}${url.slice(at)}`;
    }
    const header = matches.find((e) => e.credential.kind !== 'conda-token');
    if (header?.credential.kind === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${header.credential.username}:${header.credential.password}`).toString('base64')}`;
    } else if (header?.credential.kind === 'bearer') {
      headers.authorization = `Bearer ${header.credential.token}`;
    }
    return { url: wire, headers };
  }

  /** True when some credential applies to the URL (for error hints). */
  has(url: string): boolean {
    return this.entries.some((e) => matchesPrefix(url, e.prefix));
  }

  /** `text` with every known secret replaced by `***`: the last guard before anything is shown. */
  redact(text: string): string {
    let out = redactUrl(text);
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }

  private add(entry: Entry): void {
    const index = this.entries.findIndex((e) => e.prefix === entry.prefix && sameKind(e.credential, entry.credential));
    if (index >= 0) this.entries.splice(index, 1);
    this.entries.push(entry);
    for (const secret of secretsOf(entry.credential)) {
      // Very short secrets would blank out ordinary words; they are still never printed by us.
      if (secret.length >= 4) {
        this.secrets.add(secret);
        this.secrets.add(encodeURIComponent(secret));
      }
    }
  }
}

function parseFileCredential(value: unknown): Credential | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.BearerToken === 'string') return { kind: 'bearer', token: v.BearerToken };
  if (typeof v.CondaToken === 'string') return { kind: 'conda-token', token: v.CondaToken };
  const basic = v.BasicHTTP as Record<string, unknown> | undefined;
  if (basic && typeof basic.username === 'string' && typeof basic.password === 'string') {
    return { kind: 'basic', username: basic.username, password: basic.password };
  }
  return undefined;
}

function secretsOf(credential: Credential): string[] {
  if (credential.kind === 'basic') {
    return [credential.password, Buffer.from(`${credential.username}:${credential.password}`).toString('base64')];
  }
  return [credential.token];
}

function sameKind(a: Credential, b: Credential): boolean {
  return (a.kind === 'conda-token') === (b.kind === 'conda-token');
}

/** A prefix with a scheme matches URLs under it; a bare host matches any URL on that host. */
function matchesPrefix(url: string, prefix: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(prefix)) {
    const host = /^[a-z][a-z0-9+.-]*:\/\/([^/]*)/i.exec(url)?.[1];
    const bareHost = prefix.split('/')[0];
    if (host !== bareHost && host?.replace(/:\d+$/, '') !== bareHost) return false;
    const pathPrefix = prefix.slice((bareHost ?? '').length);
    const urlPath = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
    return pathPrefix === '' || urlPath === pathPrefix || urlPath.startsWith(`${pathPrefix}/`);
  }
  return url === prefix || url.startsWith(`${prefix}/`);
}

function originLength(url: string): number {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(url)?.[0].length ?? 0;
}

let defaultStore: CredentialStore | undefined;

/**
 * The process-wide store: the credentials file, plus whatever the CLI registered from the
 * channel URLs a user typed. Library callers may pass their own store instead.
 */
export function defaultCredentials(env: NodeJS.ProcessEnv = process.env): CredentialStore {
  if (defaultStore === undefined) {
    defaultStore = new CredentialStore();
    defaultStore.loadFile(env.TAIPAN_AUTH_FILE ?? env.RATTLER_AUTH_FILE ?? path.join(env.HOME ?? os.homedir(), '.taipan', 'credentials.json'));
  }
  return defaultStore;
}

/**
 * Remember the credential in a channel string a user typed (`-c https://host/t/TOKEN/chan`)
 * in the process-wide store, so downloads can authenticate after Channel.parse dropped it.
 */
export function rememberChannelCredentials(channel: string): void {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(channel.trim())) defaultCredentials().addFromUrl(channel.trim());
}

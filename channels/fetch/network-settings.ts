/**
 * How taipan reaches servers: which certificates it trusts, whether it checks them at all,
 * the client certificate it shows, and the proxies it goes through. The names are conda's
 * (`ssl_verify`, `client_ssl_cert`, `client_ssl_cert_key`, `proxy_servers`); the CLI fills
 * them from its config, and `networkSettingsFromEnvironment` gives what conda (through
 * requests) takes from the environment when nothing is configured.
 */
import { TaipanError } from '../model/errors.js';

export interface TlsSettings {
  /** true: check certificates against the default CAs; false: do not check; a string: a CA bundle file to check against. */
  readonly verify: boolean | string;
  /** Where `verify` came from (`ssl_verify in ~/.condarc`, `REQUESTS_CA_BUNDLE`), for messages. */
  readonly verifySource?: string;
  /** PEM client certificate; may hold the private key too, as conda allows. */
  readonly clientCert?: string;
  /** PEM private key of the client certificate. */
  readonly clientKey?: string;
}

export interface ProxySettings {
  /** Proxy URL for http:// requests; may carry user:password (never printed). */
  readonly http?: string;
  /** Proxy URL for https:// requests. */
  readonly https?: string;
  /** curl's NO_PROXY list: hosts, `.domain` suffixes, `host:port`, `*`. */
  readonly noProxy?: string;
}

export interface NetworkSettings {
  readonly tls?: TlsSettings;
  readonly proxy?: ProxySettings;
}

/** The CA bundle variables requests (so conda) and OpenSSL read, in the order they are tried. */
export const CA_BUNDLE_VARIABLES = ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE'] as const;

function variable(env: NodeJS.ProcessEnv, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { name, value: value.trim() };
  }
  return undefined;
}

/** conda's `ssl_verify` as text (`true`, `false`, a path; `truststore` means the system's CAs, so true here). */
export function parseSslVerify(text: string): boolean | string {
  if (/^(true|yes|1|on|truststore)$/i.test(text)) return true;
  if (/^(false|no|0|off)$/i.test(text)) return false;
  return text;
}

/**
 * What to check certificates against when `ssl_verify` is true or unset: a CA bundle named
 * by the environment (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE), else the defaults.
 */
export function defaultTlsSettings(env: NodeJS.ProcessEnv = process.env): TlsSettings {
  const bundle = variable(env, ...CA_BUNDLE_VARIABLES);
  return bundle ? { verify: bundle.value, verifySource: bundle.name } : { verify: true };
}

/** A proxy URL as conda takes it: `host:port` means `http://host:port`. */
export function normalizeProxyUrl(raw: string, source: string): string {
  const text = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (error) {
    // The raw text may hold a password: name the source only.
    throw new TaipanError('CONFIG', `the proxy in ${source} is not a URL`, { cause: error, hint: 'write it as http://[user:password@]host:port' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TaipanError('CONFIG', `the proxy in ${source} uses '${url.protocol}', which taipan does not speak`, { hint: 'use an http:// or https:// proxy' });
  }
  return withScheme;
}

/** Proxies from HTTP_PROXY / HTTPS_PROXY / NO_PROXY (lower-case names first, as curl and requests read them). */
export function proxySettingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  const http = variable(env, 'http_proxy', 'HTTP_PROXY');
  const https = variable(env, 'https_proxy', 'HTTPS_PROXY');
  const noProxy = variable(env, 'no_proxy', 'NO_PROXY');
  return {
    ...(http ? { http: normalizeProxyUrl(http.value, http.name) } : {}),
    ...(https ? { https: normalizeProxyUrl(https.value, https.name) } : {}),
    ...(noProxy ? { noProxy: noProxy.value } : {}),
  };
}

/** Everything from the environment alone: CONDA_SSL_VERIFY, the CA bundle variables, the proxy variables. */
export function networkSettingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): NetworkSettings {
  const verify = variable(env, 'TAIPAN_SSL_VERIFY', 'CONDA_SSL_VERIFY');
  const parsed = verify ? parseSslVerify(verify.value) : true;
  const tls: TlsSettings = parsed === true ? defaultTlsSettings(env) : { verify: parsed, verifySource: verify?.name };
  return { tls, proxy: proxySettingsFromEnvironment(env) };
}

/**
 * The NetworkSettings of the HTTP client from the user's config, as conda combines them:
 * `ssl_verify` (files, or TAIPAN_SSL_VERIFY/CONDA_SSL_VERIFY) when false or a path; when
 * true or unset, a CA bundle named by REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or SSL_CERT_FILE;
 * `client_ssl_cert(_key)`; `proxy_servers` per scheme over HTTP_PROXY/HTTPS_PROXY, and
 * NO_PROXY from the environment.
 */
import os from 'node:os';
import path from 'node:path';
import {
  defaultTlsSettings,
  normalizeProxyUrl,
  parseSslVerify,
  proxySettingsFromEnvironment,
  type NetworkSettings,
  type ProxySettings,
  type TlsSettings,
} from '../../channels/fetch/network-settings.js';
import { setting, type TaipanConfig } from './load.js';
import { expandUser } from '../../channels/model/home-path.js';

/** The proxy_servers keys taipan uses; requests' per-host keys (`http://host`) are not supported. */
const PROXY_SCHEMES = ['http', 'https'] as const;

function expandHome(file: string, env: NodeJS.ProcessEnv): string {
  return expandUser(file, env.HOME ?? os.homedir());
}

function sourceOf(config: TaipanConfig, name: keyof TaipanConfig['values']): string {
  const source = config.values[name]?.source ?? 'config';
  return /^[A-Z_]+$/.test(source) ? source : `${name} in ${source}`;
}

function tlsSettings(config: TaipanConfig, env: NodeJS.ProcessEnv): TlsSettings {
  const configured = config.values.ssl_verify;
  const raw = configured?.value;
  const verify = typeof raw === 'string' ? parseSslVerify(raw) : typeof raw === 'boolean' ? raw : true;
  const base: TlsSettings =
    verify === true ? defaultTlsSettings(env) : { verify: typeof verify === 'string' ? expandHome(verify, env) : verify, verifySource: sourceOf(config, 'ssl_verify') };
  const cert = setting(config, 'client_ssl_cert');
  const key = setting(config, 'client_ssl_cert_key');
  return {
    ...base,
    ...(cert ? { clientCert: expandHome(cert, env) } : {}),
    ...(key ? { clientKey: expandHome(key, env) } : {}),
  };
}

function proxySettings(config: TaipanConfig, env: NodeJS.ProcessEnv, warn: (message: string) => void): ProxySettings {
  const fromEnv = proxySettingsFromEnvironment(env);
  const servers = setting(config, 'proxy_servers') ?? {};
  const source = config.values.proxy_servers?.source ?? 'config';
  const unknown = Object.keys(servers).filter((key) => !(PROXY_SCHEMES as readonly string[]).includes(key));
  if (unknown.length > 0) warn(`proxy_servers in ${source}: ${unknown.map((k) => `'${k}'`).join(', ')} ignored; taipan reads the keys http and https`);
  const configured = (scheme: 'http' | 'https'): string | undefined =>
    servers[scheme] ? normalizeProxyUrl(servers[scheme] as string, `proxy_servers.${scheme} in ${source}`) : undefined;
  const http = configured('http') ?? fromEnv.http;
  const https = configured('https') ?? fromEnv.https;
  return {
    ...(http ? { http } : {}),
    ...(https ? { https } : {}),
    ...(fromEnv.noProxy ? { noProxy: fromEnv.noProxy } : {}),
  };
}

export function networkSettings(config: TaipanConfig, env: NodeJS.ProcessEnv = process.env, warn: (message: string) => void = () => undefined): NetworkSettings {
  return { tls: tlsSettings(config, env), proxy: proxySettings(config, env, warn) };
}

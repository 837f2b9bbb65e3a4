/**
 * The undici dispatcher under the HTTP client, made from NetworkSettings: an `Agent` whose
 * TLS connections check certificates as configured, or, when a proxy is set, undici's
 * `EnvHttpProxyAgent` with the proxies and NO_PROXY given to it explicitly (so it never
 * reads the environment on its own). https:// requests tunnel through the https proxy,
 * else through the http one, as undici decides; NO_PROXY hosts go direct.
 */
import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import { redactUrl } from '../model/channel.js';
import { TaipanError } from '../model/errors.js';
import type { NetworkSettings, ProxySettings, TlsSettings } from './network-settings.js';

export interface PoolOptions {
  readonly connections: number;
  readonly keepAliveTimeout: number;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly connectTimeout: number;
}

export interface Transport {
  readonly dispatcher: Dispatcher;
  /** Said once to the user (certificates not checked). */
  readonly warnings: readonly string[];
  /** The proxies in use, redacted (`https → http://proxy:3128`), for error hints. */
  readonly proxies: readonly string[];
  /** Proxy passwords, to be kept out of every message. */
  readonly secrets: readonly string[];
}

interface TlsConnectOptions {
  rejectUnauthorized: boolean;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function readPem(file: string, what: string, source: string | undefined): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new TaipanError('CONFIG', `cannot read the ${what} '${file}'${source ? ` (from ${source})` : ''}: ${(error as Error).message}`, {
      cause: error,
      hint: `point ${source ?? 'the setting'} at a readable PEM file, or remove it`,
    });
  }
}

function tlsConnectOptions(tls: TlsSettings | undefined): TlsConnectOptions {
  const options: TlsConnectOptions = { rejectUnauthorized: tls?.verify !== false };
  if (typeof tls?.verify === 'string') options.ca = readPem(tls.verify, 'CA bundle', tls.verifySource ?? 'ssl_verify');
  if (tls?.clientCert) {
    options.cert = readPem(tls.clientCert, 'client certificate', 'client_ssl_cert');
    // conda allows one PEM holding both; OpenSSL picks the key block out of it.
    options.key = tls.clientKey ? readPem(tls.clientKey, 'client certificate key', 'client_ssl_cert_key') : options.cert;
  }
  return options;
}

/** A percent-encoded secret decoded; as it is when it is not valid percent-encoding. */
function decodedOrSame(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function proxySecrets(proxy: ProxySettings): string[] {
  const secrets: string[] = [];
  for (const raw of [proxy.http, proxy.https]) {
    if (raw === undefined) continue;
    const url = new URL(raw);
    if (url.password) secrets.push(url.password, decodedOrSame(url.password));
  }
  return [...new Set(secrets)].filter((s) => s.length > 0);
}

/** undici is loaded here, on the first request: about 0.1 s that commands without network use (list, run, activate) should not pay. */
export async function createTransport(settings: NetworkSettings, pool: PoolOptions): Promise<Transport> {
  const { Agent, EnvHttpProxyAgent } = await import('undici');
  const tls = tlsConnectOptions(settings.tls);
  const warnings =
    settings.tls?.verify === false
      ? [`ssl_verify is false${settings.tls.verifySource ? ` (from ${settings.tls.verifySource})` : ''}: server certificates are not checked, so anyone on the way can change what taipan downloads`]
      : [];
  const agentOptions = {
    connections: pool.connections,
    keepAliveTimeout: pool.keepAliveTimeout,
    headersTimeout: pool.headersTimeout,
    bodyTimeout: pool.bodyTimeout,
    connect: { timeout: pool.connectTimeout, ...tls },
  };
  const proxy = settings.proxy ?? {};
  if (proxy.http === undefined && proxy.https === undefined) {
    return { dispatcher: new Agent(agentOptions), warnings, proxies: [], secrets: [] };
  }
  const dispatcher = new EnvHttpProxyAgent({
    ...agentOptions,
    // Empty strings, not undefined: undici would otherwise read HTTP_PROXY and NO_PROXY itself.
    httpProxy: proxy.http ?? '',
    httpsProxy: proxy.https ?? '',
    noProxy: proxy.noProxy ?? '',
    // TLS to the origin inside the tunnel, and to an https:// proxy itself.
    requestTls: { timeout: pool.connectTimeout, ...tls },
    proxyTls: { timeout: pool.connectTimeout, ...tls },
  });
  const proxies = [
    ...(proxy.http ? [`http → ${redactUrl(proxy.http)}`] : []),
    ...(proxy.https ? [`https → ${redactUrl(proxy.https)}`] : []),
    ...(proxy.noProxy ? [`not for ${proxy.noProxy}`] : []),
  ];
  return { dispatcher, warnings, proxies, secrets: proxySecrets(proxy) };
}

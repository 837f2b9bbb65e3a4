/**
 * What a failed request means to a user: the reason in words, the error code (TLS problems
 * get their own, since the fix is a setting and not the network), and a hint that names
 * the CA bundle and proxies in use, which is where such failures usually come from.
 */
import type { TaipanErrorCode } from '../model/errors.js';
import type { TlsSettings } from './network-settings.js';

export interface DescribedFailure {
  readonly code: TaipanErrorCode;
  readonly reason: string;
  readonly hint: string;
}

export interface FailureContext {
  readonly tls?: TlsSettings;
  /** Redacted descriptions of the proxies in use. */
  readonly proxies: readonly string[];
}

const CERTIFICATE_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed and not trusted",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's TLS certificate chain ends in a self-signed CA that is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's TLS certificate was issued by a CA that is not trusted",
  UNABLE_TO_GET_ISSUER_CERT: "the server's TLS certificate was issued by a CA that is not trusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's TLS certificate was issued by a CA that is not trusted",
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  CERT_NOT_YET_VALID: "the server's TLS certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is for another host name",
};

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  ECONNRESET: 'the connection was closed early',
  UND_ERR_SOCKET: 'the connection was closed early',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out',
  UND_ERR_BODY_TIMEOUT: 'timed out',
  ETIMEDOUT: 'timed out',
};

interface ErrorLike {
  code?: string;
  statusCode?: number;
  message?: string;
  cause?: unknown;
}

/** The innermost error with a code: undici wraps TLS failures behind a proxy (UND_ERR_PRX_TLS). */
function innermost(error: unknown): ErrorLike {
  let current = (error ?? {}) as ErrorLike;
  for (let depth = 0; depth < 5 && current.cause !== undefined && typeof current.cause === 'object'; depth++) {
    const next = current.cause as ErrorLike;
    if (next.code === undefined) break;
    current = next;
  }
  return current;
}

function isTlsCode(code: string | undefined): boolean {
  return code !== undefined && (code in CERTIFICATE_REASONS || /^ERR_(SSL|TLS)_/.test(code) || code === 'UND_ERR_PRX_TLS');
}

function caInUse(tls: TlsSettings | undefined): string {
  if (typeof tls?.verify === 'string') return ` It was checked against the CA bundle '${tls.verify}'${tls.verifySource ? ` (from ${tls.verifySource})` : ''}.`;
  return '';
}

export function describeFailure(error: unknown, context: FailureContext): DescribedFailure {
  const err = innermost(error);
  const outer = (error ?? {}) as ErrorLike;
  const viaProxy =
    context.proxies.length > 0 ? `; requests go through proxies (${context.proxies.join(', ')}): check them, or list the host in NO_PROXY` : '';
  if (isTlsCode(err.code)) {
    return {
      code: 'TLS_ERROR',
      reason: `${CERTIFICATE_REASONS[err.code as string] ?? `the TLS handshake failed (${err.message ?? err.code})`}.${caInUse(context.tls)}`,
      hint:
        'if the server uses a private or corporate CA, point ssl_verify at its CA bundle (taipan config --set ssl_verify /path/to/ca.pem) or set REQUESTS_CA_BUNDLE; ' +
        `ssl_verify false turns the check off (unsafe)${viaProxy}`,
    };
  }
  const proxyStatus = /Proxy response \((\d+)\)/.exec(outer.message ?? err.message ?? '')?.[1];
  if (proxyStatus !== undefined) {
    return {
      code: 'DOWNLOAD_FAILED',
      reason: `the proxy refused to connect to it (HTTP ${proxyStatus}${proxyStatus === '407' ? ', proxy authentication required' : ''})`,
      hint: `put user:password into the proxy URL (proxy_servers or HTTPS_PROXY/HTTP_PROXY), or check the proxy${viaProxy}`,
    };
  }
  const reason =
    outer.statusCode !== undefined
      ? `the server answered HTTP ${outer.statusCode}, also after retrying`
      : (NETWORK_REASONS[err.code ?? ''] ?? err.message ?? String(error));
  return {
    code: 'DOWNLOAD_FAILED',
    reason,
    hint: `check the network and the channel URL; taipan retried with backoff. With a warm cache, --offline works without the network${viaProxy}`,
  };
}

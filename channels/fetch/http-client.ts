/**
 * The one HTTP client of taipan, on undici: a keep-alive pool per host with a limit on
 * concurrent connections (extra requests queue), connect/headers/body timeouts, retries
 * with exponential backoff on 5xx and connection errors (undici's retry interceptor, which
 * also resumes an interrupted body with a Range request), redirects, credentials added on
 * the wire only, mirrors tried in order, and the certificate checks and proxies of its
 * NetworkSettings (transport.ts). Every message it produces is redacted.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { redactUrl } from '../model/channel.js';
import { TaipanError } from '../model/errors.js';
import { CredentialStore, defaultCredentials } from './credentials.js';
import { candidateUrls, type MirrorMap } from './mirrors.js';
import { networkSettingsFromEnvironment, type NetworkSettings } from './network-settings.js';
import { describeFailure } from './network-errors.js';
import { createTransport, type Transport } from './transport.js';

export interface HttpClientOptions {
  /** Concurrent connections per host; further requests wait for a free one. Default 8. */
  connectionsPerHost?: number;
  /** Retries after the first attempt on 5xx, 429 and connection errors. Default 3. */
  retries?: number;
  /** Delay before the first retry, doubled each time. Default 500 ms. */
  retryDelayMs?: number;
  /** Upper bound of the retry delay. Default 10 s. */
  maxRetryDelayMs?: number;
  /** Default 30 s. */
  connectTimeoutMs?: number;
  /** Time to wait for response headers, and for each body chunk. Default 60 s. */
  timeoutMs?: number;
  /** Where secrets come from; the process-wide store by default. */
  credentials?: CredentialStore;
  /** Channel URL prefix → mirror base URLs. */
  mirrors?: MirrorMap;
  userAgent?: string;
  /** Certificates and proxies; what the environment says (REQUESTS_CA_BUNDLE, HTTPS_PROXY, …) by default. */
  network?: NetworkSettings;
  /** Told once, when the first request is made, e.g. that certificates are not checked. Default: process.emitWarning. */
  onWarning?: (message: string) => void;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Must be consumed or dumped (`dump()`) to free the connection. */
  readonly body: Readable & { dump(): Promise<void> };
  /** The (redacted) URL that answered: the requested one or a mirror. */
  readonly url: string;
}

export interface GetOptions {
  headers?: Record<string, string>;
  /** HEAD asks whether a file is there without its body (the response body is empty). */
  method?: 'GET' | 'HEAD';
}

const RETRY_ERROR_CODES = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
];

export class HttpClient {
  readonly credentials: CredentialStore;
  readonly mirrors: MirrorMap | undefined;
  private readonly options: HttpClientOptions;
  private readonly userAgent: string;
  // Made on the first request, so a broken CA path fails only commands that use the network.
  private transport: Transport | undefined;
  private settings: NetworkSettings | undefined;

  constructor(options: HttpClientOptions = {}) {
    this.options = options;
    this.credentials = options.credentials ?? defaultCredentials();
    this.mirrors = options.mirrors;
    this.userAgent = options.userAgent ?? 'taipan';
  }

  private connection: Promise<{ dispatcher: Dispatcher; request: typeof import('undici').request }> | undefined;

  private connect(): Promise<{ dispatcher: Dispatcher; request: typeof import('undici').request }> {
    this.connection ??= this.makeConnection();
    return this.connection;
  }

  private async makeConnection(): Promise<{ dispatcher: Dispatcher; request: typeof import('undici').request }> {
    const { interceptors, request } = await import('undici');
    const options = this.options;
    const timeout = options.timeoutMs ?? 60_000;
    this.settings = options.network ?? networkSettingsFromEnvironment();
    const transport = await createTransport(this.settings, {
      connections: options.connectionsPerHost ?? 8,
      keepAliveTimeout: 10_000,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connectTimeout: options.connectTimeoutMs ?? 30_000,
    });
    const warn = options.onWarning ?? ((message: string) => process.emitWarning(message));
    for (const warning of transport.warnings) warn(warning);
    this.transport = transport;
    const dispatcher = transport.dispatcher.compose(
      interceptors.retry({
        maxRetries: options.retries ?? 3,
        minTimeout: options.retryDelayMs ?? 500,
        maxTimeout: options.maxRetryDelayMs ?? 10_000,
        timeoutFactor: 2,
        methods: ['GET', 'HEAD'],
        statusCodes: [500, 502, 503, 504, 429],
        errorCodes: RETRY_ERROR_CODES,
      }),
      interceptors.redirect({ maxRedirections: 5 }),
    );
    return { dispatcher, request };
  }

  /**
   * GET `url` (without credentials; they are added here). Tries each mirror in order when
   * one fails (network error, 5xx after retries, 401/403, 404). Returns the response of
   * any other status, including 304 and a final 404, for the caller to judge.
   */
  async get(url: string, options: GetOptions = {}): Promise<HttpResponse> {
    const candidates = candidateUrls(redactUrl(url), this.mirrors);
    let failure: TaipanError | undefined;
    let notFound: HttpResponse | undefined;
    for (const candidate of candidates) {
      const wire = this.credentials.authorize(candidate);
      const { dispatcher, request } = await this.connect();
      let response: Dispatcher.ResponseData;
      try {
        response = await request(wire.url, {
          dispatcher,
          method: options.method ?? 'GET',
          headers: { 'user-agent': this.userAgent, ...options.headers, ...wire.headers },
        });
      } catch (error) {
        failure = this.failure(candidate, error);
        continue;
      }
      const result: HttpResponse = {
        status: response.statusCode,
        headers: flatHeaders(response.headers),
        body: response.body,
        url: candidate,
      };
      if (result.status === 401 || result.status === 403) {
        await result.body.dump();
        failure = new TaipanError('AUTH_FAILED', `'${candidate}' refused access (HTTP ${result.status})`, {
          hint: this.credentials.has(candidate)
            ? 'the token or password for this channel was not accepted; check it'
            : 'this channel needs credentials: put a token in the channel URL (/t/<token>/) or add the host to the credentials file (TAIPAN_AUTH_FILE)',
        });
        continue;
      }
      if (result.status === 404 && candidate !== candidates[candidates.length - 1]) {
        await result.body.dump();
        notFound = result;
        continue;
      }
      return result;
    }
    if (failure) throw failure;
    return notFound as HttpResponse;
  }

  /** Replace every secret this client knows in `text` (channel credentials, proxy passwords). */
  redact(text: string): string {
    let out = this.credentials.redact(text);
    for (const secret of this.transport?.secrets ?? []) out = out.split(secret).join('***');
    return out;
  }

  /** Close idle keep-alive connections. */
  async close(): Promise<void> {
    await this.transport?.dispatcher.close();
  }

  private failure(url: string, error: unknown): TaipanError {
    const described = describeFailure(error, { tls: this.settings?.tls, proxies: this.transport?.proxies ?? [] });
    return new TaipanError(described.code, `cannot fetch '${url}': ${this.redact(described.reason)}`, {
      cause: error,
      hint: this.redact(described.hint),
    });
  }
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

let shared: HttpClient | undefined;

/** A client shared by everything in this process (one pool per host). */
export function defaultHttpClient(): HttpClient {
  shared ??= new HttpClient();
  return shared;
}

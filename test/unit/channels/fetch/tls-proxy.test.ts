/**
 * Certificates and proxies, against real servers on 127.0.0.1: an HTTPS front with a
 * self-signed certificate made by openssl in the test, and a real forward proxy that logs
 * what goes through it.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CredentialStore } from '../../../../channels/fetch/credentials.js';
import { HttpClient, type HttpClientOptions } from '../../../../channels/fetch/http-client.js';
import type { NetworkSettings } from '../../../../channels/fetch/network-settings.js';
import { isTaipanError } from '../../../../channels/model/errors.js';
import { ChannelServer } from '../../../helpers/channel-server.js';
import { ForwardProxy } from '../../../helpers/forward-proxy.js';
import { describeTls, selfSignedCertificate, TlsFront, type Certificate } from '../../../helpers/tls.js';

let root: string;
let server: ChannelServer;
const clients: HttpClient[] = [];
const BODY = 'hello over the wire\n';

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'taipan-tls-'));
  await mkdir(path.join(root, 'channel', 'noarch'), { recursive: true });
  await writeFile(path.join(root, 'channel', 'noarch', 'file.txt'), BODY);
  server = await ChannelServer.start(path.join(root, 'channel'));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
  await rm(root, { recursive: true, force: true });
});

function client(network: NetworkSettings, options: HttpClientOptions = {}): HttpClient {
  const c = new HttpClient({ retries: 1, retryDelayMs: 10, maxRetryDelayMs: 20, credentials: new CredentialStore(), network, ...options });
  clients.push(c);
  return c;
}

async function fetchText(c: HttpClient, url: string): Promise<string> {
  const response = await c.get(url);
  expect(response.status).toBe(200);
  let text = '';
  for await (const chunk of response.body) text += (chunk as Buffer).toString();
  return text;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; hint: string }> {
  try {
    await promise;
  } catch (error) {
    if (!isTaipanError(error)) throw error;
    return { code: error.code, message: error.message, hint: error.hint ?? '' };
  }
  throw new Error('expected a failure');
}

describeTls('HTTPS with a self-signed certificate', () => {
  let cert: Certificate;
  let front: TlsFront;
  beforeAll(async () => {
    cert = selfSignedCertificate(root, 'server');
    front = await TlsFront.start(Number(new URL(server.url).port), cert);
  });
  afterAll(async () => {
    await front.close();
  });

  test('is refused by default, with a TLS error that names the URL', async () => {
    const url = `${front.url}/noarch/file.txt`;
    const f = await failure(client({ tls: { verify: true } }).get(url));
    expect(f.code).toBe('TLS_ERROR');
    expect(f.message).toContain(`'${url}'`);
    expect(f.message).toMatch(/self-signed/);
    expect(f.hint).toMatch(/ssl_verify/);
  });

  test('a CA bundle from the environment is named in the message', async () => {
    const f = await failure(client({ tls: { verify: '/etc/hostname', verifySource: 'REQUESTS_CA_BUNDLE' } }).get(`${front.url}/noarch/file.txt`));
    expect(f.code).toBe('TLS_ERROR');
    expect(f.message).toContain("CA bundle '/etc/hostname' (from REQUESTS_CA_BUNDLE)");
  });

  test('works with ssl_verify pointing at the CA file', async () => {
    expect(await fetchText(client({ tls: { verify: cert.certFile } }), `${front.url}/noarch/file.txt`)).toBe(BODY);
  });

  test('works with ssl_verify false, and warns once', async () => {
    const warnings: string[] = [];
    const c = client({ tls: { verify: false, verifySource: 'ssl_verify in ~/.condarc' } }, { onWarning: (m) => warnings.push(m) });
    expect(await fetchText(c, `${front.url}/noarch/file.txt`)).toBe(BODY);
    expect(await fetchText(c, `${front.url}/noarch/file.txt`)).toBe(BODY);
    expect(warnings).toEqual([expect.stringMatching(/ssl_verify is false \(from ssl_verify in ~\/\.condarc\): server certificates are not checked/)]);
  });

  test('an unreadable CA bundle is a CONFIG error naming the file and where it came from', async () => {
    const missing = path.join(root, 'no-such-ca.pem');
    const f = await failure(client({ tls: { verify: missing, verifySource: 'SSL_CERT_FILE' } }).get(`${front.url}/noarch/file.txt`));
    expect(f.code).toBe('CONFIG');
    expect(f.message).toContain(`'${missing}' (from SSL_CERT_FILE)`);
  });

  test('a server that demands a client certificate gets client_ssl_cert (+ key, or both in one file)', async () => {
    const clientCert = selfSignedCertificate(root, 'client');
    const strict = await TlsFront.start(Number(new URL(server.url).port), cert, { clientCa: clientCert.certFile });
    try {
      const url = `${strict.url}/noarch/file.txt`;
      const without = await failure(client({ tls: { verify: cert.certFile } }, { retries: 0 }).get(url));
      expect(without.message).toContain(`'${url}'`);
      expect(await fetchText(client({ tls: { verify: cert.certFile, clientCert: clientCert.certFile, clientKey: clientCert.keyFile } }), url)).toBe(BODY);
      const combined = path.join(root, 'client-combined.pem');
      await writeFile(combined, Buffer.concat([await readFile(clientCert.certFile), await readFile(clientCert.keyFile)]));
      expect(await fetchText(client({ tls: { verify: cert.certFile, clientCert: combined } }), url)).toBe(BODY);
    } finally {
      await strict.close();
    }
  });

  test('an https channel through a proxy (CONNECT) checks the certificate against the CA bundle', async () => {
    const proxy = await ForwardProxy.start();
    try {
      const url = `${front.url}/noarch/file.txt`;
      expect(await fetchText(client({ tls: { verify: cert.certFile }, proxy: { https: proxy.url() } }), url)).toBe(BODY);
      expect(proxy.requests).toEqual([{ method: 'CONNECT', target: `127.0.0.1:${front.portNumber}`, status: 200 }]);
      const f = await failure(client({ tls: { verify: true }, proxy: { https: proxy.url() } }).get(url));
      expect(f.code).toBe('TLS_ERROR');
      expect(f.hint).toContain(`https → ${proxy.url()}`);
    } finally {
      await proxy.close();
    }
  });
});

describe('a forward proxy', () => {
  let proxy: ForwardProxy;
  beforeAll(async () => {
    proxy = await ForwardProxy.start();
  });
  afterAll(async () => {
    await proxy.close();
  });
  beforeEach(() => {
    proxy.requests.length = 0;
    server.requests.length = 0;
  });

  test('carries http requests when one is configured', async () => {
    expect(await fetchText(client({ proxy: { http: proxy.url() } }), `${server.url}/noarch/file.txt`)).toBe(BODY);
    expect(proxy.requests.length).toBe(1);
    expect(proxy.requests[0]?.target).toContain(new URL(server.url).host);
    expect(server.requestsFor('/noarch/file.txt').length).toBe(1);
  });

  test('NO_PROXY hosts go direct', async () => {
    const c = client({ proxy: { http: proxy.url(), noProxy: 'example.invalid, 127.0.0.1' } });
    expect(await fetchText(c, `${server.url}/noarch/file.txt`)).toBe(BODY);
    expect(proxy.requests).toEqual([]);
    expect(server.requestsFor('/noarch/file.txt').length).toBe(1);
  });

  test('no proxy configured means none, whatever undici would read from the environment', async () => {
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = proxy.url();
    try {
      expect(await fetchText(client({ proxy: {} }), `${server.url}/noarch/file.txt`)).toBe(BODY);
      expect(proxy.requests).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    }
  });

  test('a proxy that wants credentials: a 407 is explained, the password never printed', async () => {
    const guarded = await ForwardProxy.start({ credentials: 'alice:pr0xy-s3cret' });
    try {
      const url = `${server.url}/noarch/file.txt`;
      expect(await fetchText(client({ proxy: { http: guarded.url('alice:pr0xy-s3cret') } }), url)).toBe(BODY);
      const wrong = await failure(client({ proxy: { http: guarded.url('alice:wr0ng-s3cret') } }).get(url));
      expect(wrong.message).toMatch(/HTTP 407, proxy authentication required/);
      expect(wrong.hint).toContain(`http → ${guarded.url()}`);
      expect(JSON.stringify(wrong)).not.toContain('wr0ng-s3cret');
    } finally {
      await guarded.close();
    }
  });

  test('an unreachable proxy is named in the hint (redacted)', async () => {
    const gone = await ForwardProxy.start();
    const url = gone.url('bob:hunter2-secret');
    await gone.close();
    const f = await failure(client({ proxy: { http: url } }, { retries: 0 }).get(`${server.url}/noarch/file.txt`));
    expect(f.code).toBe('DOWNLOAD_FAILED');
    expect(f.message).toMatch(/connection refused/);
    expect(f.hint).toContain(`http → ${gone.url()}`);
    expect(JSON.stringify(f)).not.toContain('hunter2-secret');
  });
});

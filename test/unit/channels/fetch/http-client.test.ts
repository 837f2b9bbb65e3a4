/**
 * The HTTP client against a real server on 127.0.0.1: retries with backoff, resumed
 * bodies, timeouts, mirrors, credentials on the wire and never in messages.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HttpClient, type HttpClientOptions } from '../../../../channels/fetch/http-client.js';
import { CredentialStore } from '../../../../channels/fetch/credentials.js';
import { candidateUrls } from '../../../../channels/fetch/mirrors.js';
import { ChannelServer } from '../../../helpers/channel-server.js';

let root: string;
const servers: ChannelServer[] = [];
const clients: HttpClient[] = [];
const BODY = Buffer.alloc(256 * 1024, 'x');

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'taipan-http-'));
  await mkdir(path.join(root, 'noarch'));
  await writeFile(path.join(root, 'noarch', 'file.bin'), BODY);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
  await rm(root, { recursive: true, force: true });
});

async function server(options?: ConstructorParameters<typeof Object>[0]): Promise<ChannelServer> {
  const s = await ChannelServer.start(root, options as never);
  servers.push(s);
  return s;
}

function client(options: HttpClientOptions = {}): HttpClient {
  const c = new HttpClient({ retries: 3, retryDelayMs: 10, maxRetryDelayMs: 50, credentials: new CredentialStore(), ...options });
  clients.push(c);
  return c;
}

async function text(url: string, c: HttpClient): Promise<{ status: number; length: number }> {
  const response = await c.get(url);
  let length = 0;
  for await (const chunk of response.body) length += (chunk as Buffer).length;
  return { status: response.status, length };
}

describe('HttpClient', () => {
  test('retries 500s with backoff, then succeeds', async () => {
    const s = await server();
    s.addFault({ path: '/noarch/file.bin', kind: 'status', status: 500, times: 2 });
    expect(await text(`${s.url}/noarch/file.bin`, client())).toEqual({ status: 200, length: BODY.length });
    expect(s.requestsFor('/noarch/file.bin').map((r) => r.status)).toEqual([500, 500, 200]);
  });

  test('gives up after the retries with DOWNLOAD_FAILED naming the URL', async () => {
    const s = await server();
    s.addFault({ path: '/noarch/file.bin', kind: 'status', status: 503 });
    await expect(client({ retries: 2 }).get(`${s.url}/noarch/file.bin`)).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringContaining(`'${s.url}/noarch/file.bin'`),
    });
    expect(s.requestsFor('/noarch/file.bin')).toHaveLength(3);
  });

  test('a connection reset mid-body is resumed with a Range request', async () => {
    const s = await server();
    s.addFault({ path: '/noarch/file.bin', kind: 'reset', times: 1 });
    expect(await text(`${s.url}/noarch/file.bin`, client())).toEqual({ status: 200, length: BODY.length });
    const requests = s.requestsFor('/noarch/file.bin');
    expect(requests.at(-1)?.status).toBe(206);
    expect(requests.at(-1)?.headers.range).toMatch(/^bytes=\d+-/);
  });

  test('a slow response times out and is retried', async () => {
    const s = await server();
    s.addFault({ path: '/noarch/file.bin', kind: 'slow', delayMs: 1500, times: 1 });
    const started = Date.now();
    expect(await text(`${s.url}/noarch/file.bin`, client({ timeoutMs: 150 }))).toEqual({ status: 200, length: BODY.length });
    // The slow answer is only logged once it is sent; the retry answered long before that.
    expect(Date.now() - started).toBeLessThan(1200);
  });

  test('a refused connection is a clear DOWNLOAD_FAILED', async () => {
    const s = await server();
    const dead = s.url;
    await s.close();
    servers.splice(servers.indexOf(s), 1);
    await expect(client({ retries: 1 }).get(`${dead}/noarch/file.bin`)).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringContaining('connection refused'),
    });
  });

  test('mirrors are tried in order, falling back on failure', async () => {
    const broken = await server();
    broken.addFault({ path: /.*/, kind: 'status', status: 500 });
    const good = await server();
    const c = client({ retries: 1, mirrors: { 'https://conda.example/chan': [`${broken.url}/`, good.url] } });
    expect(candidateUrls('https://conda.example/chan/noarch/file.bin', c.mirrors)).toEqual([`${broken.url}/noarch/file.bin`, `${good.url}/noarch/file.bin`]);
    const response = await c.get('https://conda.example/chan/noarch/file.bin');
    await response.body.dump();
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${good.url}/noarch/file.bin`);
    expect(broken.requests.length).toBe(2);
  });

  test('a conda token goes on the wire only, and never into messages', async () => {
    const s = await server({ token: 'sekrit-token-123' });
    const store = new CredentialStore();
    expect(store.addFromUrl(`${s.url}/t/sekrit-token-123/`)).toBe(`${s.url}/`);
    const c = client({ credentials: store });
    expect((await text(`${s.url}/noarch/file.bin`, c)).status).toBe(200);
    expect(s.requests.at(-1)?.rawPath).toBe('/t/sekrit-token-123/noarch/file.bin');

    s.addFault({ path: '/noarch/file.bin', kind: 'status', status: 500 });
    const error = await c.get(`${s.url}/noarch/file.bin`).catch((e: unknown) => e as Error);
    expect(JSON.stringify({ m: error.message, h: (error as { hint?: string }).hint })).not.toContain('sekrit');
    expect(store.redact(`GET ${s.url}/t/sekrit-token-123/x and sekrit-token-123`)).toBe(`GET ${s.url}/x and ***`);
  });

  test('without the token the server refuses: AUTH_FAILED with a hint', async () => {
    const s = await server({ token: 'abcd1234' });
    await expect(client().get(`${s.url}/noarch/file.bin`)).rejects.toMatchObject({ code: 'AUTH_FAILED', hint: expect.stringContaining('credentials') });
  });

  test('basic auth from URL user info and bearer tokens from the credentials file', async () => {
    const basic = await server({ authorization: `Basic ${Buffer.from('me:pa55word').toString('base64')}` });
    const store = new CredentialStore();
    store.addFromUrl(`http://me:pa55word@${basic.url.slice('http://'.length)}/`);
    expect((await text(`${basic.url}/noarch/file.bin`, client({ credentials: store }))).status).toBe(200);
    expect(store.redact('pa55word')).toBe('***');

    const bearer = await server({ authorization: 'Bearer tok-999-xyz' });
    const file = path.join(root, 'credentials.json');
    await writeFile(file, JSON.stringify({ [`127.0.0.1:${new URL(bearer.url).port}`]: { BearerToken: 'tok-999-xyz' } }));
    const fromFile = new CredentialStore();
    fromFile.loadFile(file);
    expect((await text(`${bearer.url}/noarch/file.bin`, client({ credentials: fromFile }))).status).toBe(200);
  });
});

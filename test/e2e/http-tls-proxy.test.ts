/**
 * The real CLI over HTTPS and through a proxy, configured as conda users do it (~/.condarc
 * `ssl_verify`, `proxy_servers`; HTTP_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE), against the demo
 * channel served on 127.0.0.1 behind a TLS front with a certificate made in this test, and a
 * real forward proxy that logs what passes through it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { ChannelServer } from '../helpers/channel-server.js';
import { runCliAsync, type CliResult } from '../helpers/cli.js';
import { ForwardProxy } from '../helpers/forward-proxy.js';
import { describeTls, selfSignedCertificate, TlsFront, type Certificate } from '../helpers/tls.js';

let work: string;
let server: ChannelServer;
let runs = 0;

/** Nothing from the machine's own network settings leaks into a run. */
const CLEAN_NETWORK_ENV: NodeJS.ProcessEnv = {
  HTTP_PROXY: '',
  http_proxy: '',
  HTTPS_PROXY: '',
  https_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
  REQUESTS_CA_BUNDLE: '',
  CURL_CA_BUNDLE: '',
  SSL_CERT_FILE: '',
  CONDA_SSL_VERIFY: '',
};

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-tls-'));
  await makeDemoChannel(path.join(work, 'channel'));
  server = await ChannelServer.start(path.join(work, 'channel'));
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

/** The CLI with a config file of its own (TAIPANRC) and a fresh package cache per run. */
async function cli(args: string[], condarc = '', env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const run = ++runs;
  const rc = path.join(work, `rc-${run}.yml`);
  await writeFile(rc, condarc);
  return runCliAsync(args, { ...CLEAN_NETWORK_ENV, HOME: work, USERPROFILE: work, TAIPANRC: rc, TAIPAN_PKGS_DIRS: path.join(work, `pkgs-${run}`), ...env });
}

describeTls('an HTTPS channel with a self-signed certificate', () => {
  let cert: Certificate;
  let front: TlsFront;
  beforeAll(async () => {
    cert = selfSignedCertificate(work, 'channel');
    front = await TlsFront.start(Number(new URL(server.url).port), cert);
  });
  afterAll(async () => {
    await front.close();
  });

  test('fails by default with a TLS error naming the URL', async () => {
    const result = await cli(['search', '--json', '-c', `${front.url}/`, 'hello-taipan']);
    expect(result.status).not.toBe(0);
    const error = JSON.parse(result.stdout).error;
    expect(error.code).toBe('TLS_ERROR');
    expect(error.message).toContain(`'${front.url}/`);
    expect(error.message).toMatch(/self-signed/);
    expect(error.hint).toMatch(/ssl_verify/);
  });

  test('works with ssl_verify: <CA file> in the config', async () => {
    const result = await cli(['search', '-c', `${front.url}/`, 'hello-taipan'], `ssl_verify: ${cert.certFile}\n`);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/hello-taipan\s+1\.0\.0/);
  });

  test('works with REQUESTS_CA_BUNDLE, as conda does', async () => {
    const result = await cli(['search', '-c', `${front.url}/`, 'hello-taipan'], '', { REQUESTS_CA_BUNDLE: cert.certFile });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/hello-taipan\s+1\.0\.0/);
  });

  test('works with ssl_verify: false, with a warning', async () => {
    const result = await cli(['search', '-c', `${front.url}/`, 'hello-taipan'], 'ssl_verify: false\n');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/hello-taipan\s+1\.0\.0/);
    expect(result.stderr).toMatch(/^warning: ssl_verify is false \(from ssl_verify in .*rc-\d+\.yml\): server certificates are not checked/m);
  });

  test('CONDA_SSL_VERIFY=false from the environment does the same', async () => {
    const result = await cli(['search', '-c', `${front.url}/`, 'hello-taipan'], `ssl_verify: ${cert.certFile}\n`, { CONDA_SSL_VERIFY: 'false' });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/warning: ssl_verify is false \(from CONDA_SSL_VERIFY\)/);
  });
});

describe('a forward proxy', () => {
  let proxy: ForwardProxy;
  const host = (): string => new URL(server.url).host;
  beforeAll(async () => {
    proxy = await ForwardProxy.start({ credentials: 'carol:pr0xy-pa55' });
  });
  afterAll(async () => {
    await proxy.close();
  });
  beforeEach(() => {
    proxy.requests.length = 0;
  });

  test('carries `create` when proxy_servers is set, and the environment works', async () => {
    const prefix = path.join(work, 'env-proxied');
    const result = await cli(['create', '-y', '-p', prefix, '-c', `${server.url}/`, 'hello-taipan'], `proxy_servers:\n  http: ${proxy.url('carol:pr0xy-pa55')}\n`);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(proxy.requests.every((r) => r.status === 200 && r.target.includes(host()))).toBe(true);
    expect(spawnSync(path.join(prefix, 'bin', 'hello-taipan'), [], { encoding: 'utf8' }).status).toBe(0);
  });

  test('carries `search` when HTTP_PROXY is set', async () => {
    const result = await cli(['search', '-c', `${server.url}/`, 'hello-taipan'], '', { HTTP_PROXY: proxy.url('carol:pr0xy-pa55') });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/hello-taipan\s+1\.0\.0/);
    expect(proxy.requests.length).toBeGreaterThan(0);
  });

  test('NO_PROXY sends the host past the proxy', async () => {
    const result = await cli(['search', '-c', `${server.url}/`, 'hello-taipan'], `proxy_servers:\n  http: ${proxy.url('carol:pr0xy-pa55')}\n`, { NO_PROXY: 'localhost,127.0.0.1' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/hello-taipan\s+1\.0\.0/);
    expect(proxy.requests).toEqual([]);
  });

  test('wrong proxy credentials: a 407 explained, the password nowhere in the output', async () => {
    const result = await cli(['search', '--json', '-c', `${server.url}/`, 'hello-taipan'], `proxy_servers:\n  http: ${proxy.url('carol:wr0ng-pa55')}\n`);
    expect(result.status).not.toBe(0);
    const error = JSON.parse(result.stdout).error;
    expect(error.message).toMatch(/HTTP 407, proxy authentication required/);
    expect(error.hint).toContain(proxy.url());
    expect(result.stdout + result.stderr).not.toContain('wr0ng-pa55');
  });

  test('config --show and --show-sources print the proxy without its password', async () => {
    const rc = `proxy_servers:\n  http: ${proxy.url('carol:pr0xy-pa55')}\n  https: ${proxy.url('carol:pr0xy-pa55')}\n`;
    const shown = await cli(['config', '--show', 'proxy_servers', '--json'], rc);
    expect(JSON.parse(shown.stdout)).toEqual({ proxy_servers: { http: proxy.url(), https: proxy.url() } });
    const sources = await cli(['config', '--show-sources'], rc);
    expect(sources.stdout).toContain(proxy.url());
    expect(sources.stdout).not.toContain('pr0xy-pa55');
    const described = await cli(['config', '--describe', 'proxy_servers'], '');
    expect(described.stdout).toMatch(/proxies by scheme/);
  });
});

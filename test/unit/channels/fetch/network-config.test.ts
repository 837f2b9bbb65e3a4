/**
 * Where certificate checks and proxies come from: conda's settings in real config files,
 * over the environment variables conda (through requests) honours.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { networkSettingsFromEnvironment } from '../../../../channels/fetch/network-settings.js';
import { loadConfig } from '../../../../cli/config/load.js';
import { networkSettings } from '../../../../cli/config/network.js';
import { redactSetting } from '../../../../cli/config/redact.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'taipan-netcfg-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFrom(yaml: string, env: NodeJS.ProcessEnv = {}): Promise<ReturnType<typeof loadConfig>> {
  const file = path.join(dir, `rc-${Math.random().toString(36).slice(2)}.yml`);
  await writeFile(file, yaml);
  return loadConfig(env, [file]);
}

describe('network settings from the environment', () => {
  test('nothing set: check certificates with the defaults, no proxy', () => {
    expect(networkSettingsFromEnvironment({})).toEqual({ tls: { verify: true }, proxy: {} });
  });

  test('CA bundle variables in requests order, then SSL_CERT_FILE', () => {
    expect(networkSettingsFromEnvironment({ SSL_CERT_FILE: '/c', REQUESTS_CA_BUNDLE: '/a', CURL_CA_BUNDLE: '/b' }).tls).toEqual({ verify: '/a', verifySource: 'REQUESTS_CA_BUNDLE' });
    expect(networkSettingsFromEnvironment({ SSL_CERT_FILE: '/c' }).tls).toEqual({ verify: '/c', verifySource: 'SSL_CERT_FILE' });
  });

  test('CONDA_SSL_VERIFY=false turns checks off; a path is a CA bundle', () => {
    expect(networkSettingsFromEnvironment({ CONDA_SSL_VERIFY: 'false', REQUESTS_CA_BUNDLE: '/a' }).tls).toEqual({ verify: false, verifySource: 'CONDA_SSL_VERIFY' });
    expect(networkSettingsFromEnvironment({ CONDA_SSL_VERIFY: '/ca.pem' }).tls).toEqual({ verify: '/ca.pem', verifySource: 'CONDA_SSL_VERIFY' });
  });

  test('proxy variables, lower case first; host:port gets http://', () => {
    expect(networkSettingsFromEnvironment({ http_proxy: 'proxy.lan:3128', HTTP_PROXY: 'http://other:1', HTTPS_PROXY: 'http://u:p@secure:8080', NO_PROXY: 'localhost,.corp' }).proxy).toEqual({
      http: 'http://proxy.lan:3128',
      https: 'http://u:p@secure:8080',
      noProxy: 'localhost,.corp',
    });
  });

  test('a proxy of another scheme is refused, without echoing the value', () => {
    expect(() => networkSettingsFromEnvironment({ HTTPS_PROXY: 'socks5://u:secretpw@h:1' })).toThrow(/HTTPS_PROXY uses 'socks5:'/);
  });
});

describe('network settings from config files', () => {
  test('ssl_verify false and a CA path, with where they came from', async () => {
    const off = await configFrom('ssl_verify: false\n', { REQUESTS_CA_BUNDLE: '/env.pem' });
    expect(networkSettings(off, { REQUESTS_CA_BUNDLE: '/env.pem' }).tls).toEqual({ verify: false, verifySource: `ssl_verify in ${off.sources[0]}` });
    const ca = await configFrom('ssl_verify: ~/corp-ca.pem\nclient_ssl_cert: /me.pem\nclient_ssl_cert_key: /me.key\n');
    expect(networkSettings(ca, { HOME: '/home/u' }).tls).toEqual({
      verify: '/home/u/corp-ca.pem',
      verifySource: `ssl_verify in ${ca.sources[0]}`,
      clientCert: '/me.pem',
      clientKey: '/me.key',
    });
  });

  test('ssl_verify true (or truststore) defers to the CA bundle variables', async () => {
    expect(networkSettings(await configFrom('ssl_verify: true\n'), { SSL_CERT_FILE: '/s.pem' }).tls).toEqual({ verify: '/s.pem', verifySource: 'SSL_CERT_FILE' });
    expect(networkSettings(await configFrom('ssl_verify: truststore\n'), {}).tls).toEqual({ verify: true });
  });

  test('CONDA_SSL_VERIFY over the files', async () => {
    const config = await configFrom('ssl_verify: /file.pem\n', { CONDA_SSL_VERIFY: 'no' });
    expect(networkSettings(config, {}).tls).toEqual({ verify: false, verifySource: 'CONDA_SSL_VERIFY' });
  });

  test('proxy_servers per scheme over HTTP(S)_PROXY; NO_PROXY from the environment; other keys warned about', async () => {
    const config = await configFrom('proxy_servers:\n  https: http://u:pw@corp:8080\n  http://special.host: http://x:1\n');
    const warnings: string[] = [];
    const settings = networkSettings(config, { HTTP_PROXY: 'http://envproxy:3128', HTTPS_PROXY: 'http://envproxy:3129', no_proxy: '127.0.0.1' }, (w) => warnings.push(w));
    expect(settings.proxy).toEqual({ http: 'http://envproxy:3128', https: 'http://u:pw@corp:8080', noProxy: '127.0.0.1' });
    expect(warnings).toEqual([expect.stringMatching(/'http:\/\/special\.host' ignored/)]);
  });

  test('a wrong kind of ssl_verify is a CONFIG error naming the file', async () => {
    await expect(configFrom('ssl_verify: [a]\n')).rejects.toThrow(/'ssl_verify' in '.*' must be true, false or a path/);
  });

  test('shown settings lose credentials in URLs, local paths stay as they are', () => {
    expect(redactSetting({ https: 'http://u:pw@corp:8080', list: ['https://h/t/tok-1/chan', '/data/t/x'] })).toEqual({ https: 'http://corp:8080', list: ['https://h/chan', '/data/t/x'] });
    // conda accepts a proxy without a scheme; its password must not show either.
    expect(redactSetting({ https: 'u:s3cret@corp:3128', channels: ['conda-forge', 'python 3.11.*'] })).toEqual({ https: 'corp:3128', channels: ['conda-forge', 'python 3.11.*'] });
  });
});

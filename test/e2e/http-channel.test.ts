/**
 * The real CLI against the demo channel served over HTTP on 127.0.0.1 with a conda token in
 * the channel URL: the environment works, and the token never shows up in output, in the
 * prefix (conda-meta, history) or in the package cache.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { runCli, runCliAsync, type CliResult } from '../helpers/cli.js';
import { ChannelServer } from '../helpers/channel-server.js';

const TOKEN = 'tk-e2e-5ecret-0987';
let work: string;
let server: ChannelServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-http-'));
  await makeDemoChannel(path.join(work, 'channel'));
  server = await ChannelServer.start(path.join(work, 'channel'), { token: TOKEN });
  env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

/** The CLI with this test's HOME and caches, asynchronous so this process's server can answer. */
function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCliAsync(args, { HOME: work, USERPROFILE: work, ...env, ...extraEnv });
}

async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    if ((await stat(file)).size > 5_000_000) continue;
    if ((await readFile(file)).includes(needle)) hits.push(file);
  }
  return hits;
}

describe('an HTTP channel with a token', () => {
  test('create works and the token appears nowhere', async () => {
    expect(runCli(['--version']).status).toBe(0);
    const prefix = path.join(work, 'env');
    const result = await cli(['create', '-y', '-p', prefix, '-c', `${server.url}/t/${TOKEN}/`, 'hello-taipan']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);

    const tool = spawnSync(path.join(prefix, 'bin', 'hello-taipan'), [], { encoding: 'utf8' });
    expect(tool.status).toBe(0);

    const record = JSON.parse(await readFile(path.join(prefix, 'conda-meta', 'hello-taipan-1.0.0-0.json'), 'utf8'));
    expect(record.url).toBe(`${server.url}/noarch/hello-taipan-1.0.0-0.conda`);
    expect(record.channel).toBe(`${server.url}/noarch`);
    // The token went over the wire…
    expect(server.requests.some((r) => r.rawPath === `/t/${TOKEN}/noarch/hello-taipan-1.0.0-0.conda`)).toBe(true);
    // …and nowhere else.
    expect(await filesContaining(prefix, TOKEN)).toEqual([]);
    expect(await filesContaining(path.join(work, 'pkgs'), TOKEN)).toEqual([]);
  });

  test('a wrong token fails with AUTH_FAILED and does not print the token', async () => {
    const result = await cli(['create', '--json', '-y', '-p', path.join(work, 'env-bad'), '-c', `${server.url}/t/wrong-token-77/`, 'hello-taipan']);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('AUTH_FAILED');
    expect(result.stdout + result.stderr).not.toContain('wrong-token-77');
  });

  test('offline (CONDA_OFFLINE=1) works from the warm cache without a request', async () => {
    server.requests.length = 0;
    const result = await cli(['create', '-y', '-p', path.join(work, 'env-offline'), '-c', `${server.url}/t/${TOKEN}/`, 'hello-taipan'], { CONDA_OFFLINE: '1' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(server.requests).toEqual([]);
  });
});

describe("conda's remote_* settings reach the HTTP client", () => {
  afterEach(() => server.clearFaults());

  test('remote_max_retries: 0 fails on the first 500; the default retries and succeeds', async () => {
    const rc = path.join(work, 'retries.condarc');
    await writeFile(rc, 'remote_max_retries: 0\nremote_backoff_factor: 0.01\n');
    const channel = `${server.url}/t/${TOKEN}/`;
    // Fresh caches, so the package itself has to be downloaded.
    server.addFault({ path: '/noarch/hello-taipan-1.0.0-0.conda', kind: 'status', status: 503, times: 1 });
    const noRetry = await cli(['create', '-y', '-p', path.join(work, 'env-r0'), '-c', channel, 'hello-taipan'], { CONDARC: rc, TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-r0') });
    expect(noRetry.status).not.toBe(0);
    expect(noRetry.stderr).toContain('503');

    server.addFault({ path: '/noarch/hello-taipan-1.0.0-0.conda', kind: 'status', status: 503, times: 1 });
    await writeFile(rc, 'remote_backoff_factor: 0.01\n');
    const retried = await cli(['create', '-y', '-p', path.join(work, 'env-r3'), '-c', channel, 'hello-taipan'], { CONDARC: rc, TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-r3') });
    expect(retried.stderr).toBe('');
    expect(retried.status).toBe(0);
  });
});

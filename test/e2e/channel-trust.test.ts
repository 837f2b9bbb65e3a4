/**
 * Issue 13 §3, "channels cannot reach into the local disk", with the real CLI against a
 * real HTTP server on 127.0.0.1: a channel whose repodata says `"base_url": "file:///etc/"`
 * (or names a canary package outside the channel) is refused with UNSAFE_URL naming the
 * channel and the URL, and nothing of /etc/passwd or of the canary reaches the package
 * cache, the prefix or the output; remote records without a hash are refused unless
 * allowed; lock and @EXPLICIT files read from a server may not name local files.
 * test/reliability/cases/channel-trust.ts holds the wider set of hostile variants.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCliAsync, type CliResult } from '../helpers/cli.js';
import { dropHashes, hostileChannel, leaks, makeCanary, serving, PACKAGE, type Canary } from '../reliability/cases/channel-trust.js';
import { sha256 } from '../reliability/fixtures.js';

let work: string;
let canary: Canary;
let runs = 0;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-trust-'));
  canary = await makeCanary(work);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Run {
  result: CliResult;
  pkgs: string;
  prefix: string;
  /** Where the canary or /etc/passwd showed up. */
  leaked: string[];
}

/** `taipan create --json` into a fresh prefix, HOME and package cache. */
async function create(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const id = ++runs;
  const home = path.join(work, `home-${id}`);
  const pkgs = path.join(work, `pkgs-${id}`);
  const prefix = path.join(work, `env-${id}`);
  const result = await runCliAsync(['create', '-y', '--json', '-p', prefix, ...args], { HOME: home, USERPROFILE: home, TAIPAN_PKGS_DIRS: pkgs, ...env });
  return { result, pkgs, prefix, leaked: await leaks(canary, [{ ...result, signal: null, timedOut: false }], [pkgs, prefix]) };
}

function error(run: Run): { code: string; message: string; hint?: string } {
  return (JSON.parse(run.result.stdout) as { error: { code: string; message: string; hint?: string } }).error;
}

/** The package archives in a cache folder (nothing else is expected to land there). */
async function archives(pkgs: string): Promise<string[]> {
  return (await readdir(pkgs).catch(() => [] as string[])).filter((n) => /\.(conda|tar\.bz2)$/.test(n));
}

test('base_url file:///etc/passwd? is refused: nothing copied, the error names the channel and the URL', async () => {
  const channel = await hostileChannel(path.join(work, 'etc'), { repodata: (r) => {
    r.info = { ...r.info, base_url: 'file:///etc/passwd?' };
    dropHashes(r);
  } });
  await serving(channel, async (server) => {
    const run = await create(['--override-channels', '-c', server.url, PACKAGE]);
    expect(run.result.status).toBe(1);
    expect(error(run).code).toBe('UNSAFE_URL');
    expect(error(run).message).toContain(`channel '${server.url}'`);
    expect(error(run).message).toContain("'file:///etc/passwd?'");
    expect(run.leaked).toEqual([]);
    expect(await archives(run.pkgs)).toEqual([]);
    // Not even a request for the package went to the server: the refusal comes before any fetch.
    expect(server.requestsFor(/\.conda$/)).toEqual([]);
  });
});

test('base_url naming a real package outside the channel (the canary) is refused, credentials masked', async () => {
  const channel = await hostileChannel(path.join(work, 'canary'), { repodata: (r) => void (r.info = { ...r.info, base_url: `${pathToFileURL(canary.dir).href}/` }) });
  await serving(channel, async (server) => {
    const withToken = server.url.replace('http://', 'http://user:s3cret-pw@');
    const run = await create(['--override-channels', '-c', withToken, PACKAGE]);
    expect(error(run).code).toBe('UNSAFE_URL');
    expect(error(run).message).toContain(pathToFileURL(canary.dir).href);
    expect(run.result.stdout + run.result.stderr).not.toContain('s3cret-pw');
    expect(run.leaked).toEqual([]);
  });
});

test('a remote record without a hash is refused, and allowed by allow_unhashed_packages; a local one needs none', async () => {
  const channel = await hostileChannel(path.join(work, 'unhashed'), { repodata: dropHashes });
  await serving(channel, async (server) => {
    const refused = await create(['--override-channels', '-c', server.url, PACKAGE]);
    expect(error(refused).code).toBe('MISSING_HASH');
    expect(error(refused).hint).toContain('allow_unhashed_packages');
    expect(await archives(refused.pkgs)).toEqual([]);
    const allowed = await create(['--override-channels', '-c', server.url, PACKAGE], { TAIPAN_ALLOW_UNHASHED_PACKAGES: 'true' });
    expect(allowed.result.status).toBe(0);
  });
  const local = await create(['--override-channels', '-c', pathToFileURL(channel).href, PACKAGE]);
  expect(local.result.status).toBe(0);
});

test('lock and @EXPLICIT files read from a server may not name file: URLs; the same lock file on disk may', async () => {
  const files = path.join(work, 'files');
  const canaryUrl = pathToFileURL(canary.archive).href;
  const hash = sha256(canary.archiveBytes);
  const lock = JSON.stringify({ version: 1, metadata: { channels: [], platforms: ['linux-64'] }, package: [{ name: PACKAGE, version: '1.0', manager: 'conda', platform: 'linux-64', url: canaryUrl, hash: { sha256: hash } }] }, null, 1);
  await hostileChannel(files);
  await writeFile(path.join(files, 'conda-lock.json'), lock);
  await writeFile(path.join(files, 'explicit.txt'), `@EXPLICIT\n${canaryUrl}#sha256:${hash}\n`);
  await serving(files, async (server) => {
    for (const name of ['conda-lock.json', 'explicit.txt']) {
      const run = await create(['--file', `${server.url}/${name}`]);
      expect([name, error(run).code]).toEqual([name, 'UNSAFE_URL']);
      expect(error(run).message).toContain(`'${server.url}/${name}'`);
      expect(error(run).message).toContain(canaryUrl);
      expect(run.leaked).toEqual([]);
    }
  });
  // From disk the user chose the file: a local package is theirs to name.
  const fromDisk = await create(['--file', path.join(files, 'conda-lock.json')]);
  expect(fromDisk.result.status).toBe(0);
});

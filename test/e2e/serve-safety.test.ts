/**
 * `taipan serve` as an attacker meets it, through the real CLI process and real sockets on
 * 127.0.0.1: it listens on this machine only unless told otherwise (and then warns), it
 * never answers with a file whose real path leaves the served folder (symlinks, `..`,
 * percent-encoded and backslash tricks, NUL), refusals look exactly like missing files,
 * and its request log shows neither tokens nor forged lines.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { canConnect, GOOD_ARCHIVE, hostileFolder, hostilePackageCache, leaks, otherAddresses, rawRequest, startServe, TRAVERSAL_TARGETS, type HostileFolder } from '../helpers/serve-process.js';

let work: string;
let folder: HostileFolder;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-serve-'));
  folder = await hostileFolder(work);
  const home = path.join(work, 'home');
  await mkdir(home);
  env = { ...process.env, HOME: home, USERPROFILE: home };
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** otherAddresses, saying so when there are none to try. */
function addressesToTry(): string[] {
  const others = otherAddresses();
  // eslint-disable-next-line no-console
  if (others.length === 0) console.log('no address other than 127.0.0.1 to try here: only the printed URL and the warning are checked');
  return others;
}

describe('taipan serve: where it listens', () => {
  test.each([
    ['a channel folder', (): string[] => [folder.channel]],
    ['--pkgs', (): string[] => ['--pkgs', folder.channel]],
  ])('%s: 127.0.0.1 only by default, without a warning', async (_name, args) => {
    const server = await startServe(args(), env);
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      expect(await canConnect('127.0.0.1', server.port)).toBe(true);
      for (const address of addressesToTry()) expect([address, await canConnect(address, server.port)]).toEqual([address, false]);
    } finally {
      const { stderr } = await server.stop();
      expect(stderr).toBe('');
    }
  });

  test('--host 0.0.0.0 listens everywhere and warns on stderr in one line', async () => {
    const server = await startServe([folder.channel, '--host', '0.0.0.0'], env);
    try {
      for (const address of addressesToTry()) expect([address, await canConnect(address, server.port)]).toEqual([address, true]);
      expect(server.stderr()).toBe(`warning: listening on 0.0.0.0: '${folder.channel}' is reachable from other machines on the network\n`);
    } finally {
      await server.stop();
    }
  });

  test('--host localhost is this machine only: no warning', async () => {
    const server = await startServe([folder.channel, '--host', 'localhost'], env);
    const { stderr } = await server.stop();
    expect(stderr).toBe('');
  });
});

describe('taipan serve: nothing outside the folder', () => {
  let server: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    server = await startServe([folder.channel], env);
  });
  afterAll(async () => {
    await server.stop();
  });

  test('symlinks that stay inside are served', async () => {
    for (const { target, body } of folder.inside) {
      const response = await rawRequest(server.port, target);
      expect([target, response.status, response.body.includes(body)]).toEqual([target, 200, true]);
    }
  });

  test('symlinked files and folders that leave it answer exactly like a missing file', async () => {
    const missing = await rawRequest(server.port, '/noarch/no-such-file.json');
    expect(missing.status).toBe(404);
    for (const target of folder.escaping) {
      const response = await rawRequest(server.port, target);
      expect([target, response.status, response.body, leaks(response, folder.marker)]).toEqual([target, 404, missing.body, false]);
    }
  });

  test('.., percent-encoded dots and slashes, backslashes and NUL are refused', async () => {
    for (const target of TRAVERSAL_TARGETS) {
      const response = await rawRequest(server.port, target);
      expect([target, [400, 403, 404].includes(response.status), leaks(response, folder.marker)]).toEqual([target, true, false]);
    }
  });

  test('a symlink given as DIR is served as the folder it points to', async () => {
    const linked = await startServe([folder.channelLink], env);
    try {
      expect((await rawRequest(linked.port, '/noarch/repodata.json')).body).toBe(folder.repodata);
      expect((await rawRequest(linked.port, '/noarch/secret.txt')).status).toBe(404);
    } finally {
      await linked.stop();
    }
  });
});

test('--pkgs: archives and records that leave the cache are neither listed nor served', async () => {
  const cache = await hostilePackageCache(work, folder);
  const server = await startServe(['--pkgs', cache], env);
  try {
    const repodata = await rawRequest(server.port, '/noarch/repodata.json');
    expect(repodata.status).toBe(200);
    expect(Object.keys((JSON.parse(repodata.body) as { 'packages.conda': object })['packages.conda'])).toEqual(['good-1.0-0.conda']);
    expect((await rawRequest(server.port, GOOD_ARCHIVE.target)).body).toBe(GOOD_ARCHIVE.body);
    const evil = await rawRequest(server.port, '/noarch/evil-1.0-0.conda');
    expect([evil.status, leaks(evil, folder.marker), leaks(repodata, folder.marker)]).toEqual([404, false, false]);
  } finally {
    await server.stop();
  }
});

test('the request log masks tokens and credentials and cannot be given forged lines', async () => {
  const server = await startServe([folder.channel], env);
  const targets = [
    '/t/tk-SECRET-0123456789/noarch/repodata.json',
    `http://alice:PASSWORD-SECRET@127.0.0.1:${server.port}/t/tk-SECRET-abs/noarch/repodata.json?token=QUERY-SECRET`,
    '/noarch/repodata.json%0a2026-01-01T00:00:00.000Z 10.0.0.1 GET /forged 200 1',
    '/noarch/repodata.json',
  ];
  for (const target of targets) await rawRequest(server.port, target.replaceAll(' ', '%20'), { headers: { Range: 'bytes=0-3' } });
  const { stdout } = await server.stop();
  const lines = stdout.trim().split('\n').slice(1);
  expect(lines).toHaveLength(targets.length);
  for (const line of lines) expect(line).toMatch(/^\S+Z 127\.0\.0\.1 GET \/\S* (200|206|404) \d+ range=bytes=0-3$/);
  expect(stdout).not.toMatch(/SECRET|forged 200/);
  expect(lines[0]).toMatch(/ GET \/noarch\/repodata\.json 404 0 /);
});

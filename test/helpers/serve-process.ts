/**
 * `taipan serve` as a user runs it: the built CLI in its own process, asked over real
 * sockets. Requests go out byte for byte (rawRequest), because fetch and http.request
 * would normalise `..`, `\` and `%2e` before the server ever saw them. Also the served
 * folder the server tests attack: symlinks that stay inside it and symlinks that leave it,
 * and a file outside it whose marker must never come back.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

const CLI = path.resolve(process.cwd(), 'dist', 'cli', 'main.js');

export interface ServeProcess {
  readonly url: string;
  readonly port: number;
  /** What the server printed so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** SIGTERM, then wait for the exit; what it printed in all. */
  stop(): Promise<{ stdout: string; stderr: string }>;
}

/** Start `taipan serve args…` (with `--port 0` added) and wait for its `serving … at URL` line. */
export function startServe(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  if (!existsSync(CLI)) throw new Error(`'${CLI}' is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [CLI, 'serve', ...args, '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = async (): Promise<{ stdout: string; stderr: string }> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    return { stdout, stderr };
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void stop().then(() => reject(new Error(`serve did not start in 30 s; stderr: ${stderr}`))), 30_000);
    const ready = (): void => {
      const url = /serving .* at (http:\/\/\S+:(\d+)) /.exec(stdout);
      if (!url) return;
      clearTimeout(timer);
      child.stdout.off('data', ready);
      resolve({ url: url[1] as string, port: Number(url[2]), stdout: () => stdout, stderr: () => stderr, stop });
    };
    child.stdout.on('data', ready);
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before it was ready; stderr: ${stderr}`));
    });
  });
}

export interface RawResponse {
  /** 0 when the connection ended without a status line. */
  readonly status: number;
  /** Everything the server sent: status line, headers, body. */
  readonly raw: string;
  readonly body: string;
}

/** One request sent exactly as written (`target` is not normalised or encoded), on a new connection. */
export function rawRequest(port: number, target: string, options: { host?: string; method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const host = options.host ?? '127.0.0.1';
  const headers = Object.entries({ Host: `${host}:${port}`, Connection: 'close', ...options.headers }).map(([k, v]) => `${k}: ${v}\r\n`);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host, port }, () => socket.write(Buffer.from(`${options.method ?? 'GET'} ${target} HTTP/1.1\r\n${headers.join('')}\r\n`, 'latin1')));
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer to ${target} in 15 s`)));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const split = raw.indexOf('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1] ?? 0), raw, body: split < 0 ? '' : raw.slice(split + 4) });
    });
  });
}

/** True when a TCP connection to host:port is accepted. */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(5_000, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/**
 * An address other than 127.0.0.1 that reaches this machine: on Linux every 127.x.y.z does, so
 * a server bound to 127.0.0.1 refuses 127.0.0.2 while one bound to every interface accepts it.
 * Only the loopback range is tried: tests never connect to the machine's network addresses
 * (macOS configures only 127.0.0.1, so there the check has no address to try).
 */
export function otherAddresses(): string[] {
  return process.platform === 'linux' ? ['127.0.0.2'] : [];
}

export interface HostileFolder {
  /** The channel folder to serve. */
  readonly channel: string;
  /** A symlink to the channel folder (served as DIR, it must work as the folder does). */
  readonly channelLink: string;
  /** A folder next to the channel, with secret.txt holding `marker`. */
  readonly outside: string;
  readonly marker: string;
  /** The channel's repodata body (noarch/repodata.json). */
  readonly repodata: string;
  /** Paths that must be served (symlinks that stay inside), with the body each must give. */
  readonly inside: readonly { target: string; body: string }[];
  /** Paths whose real path leaves the folder. */
  readonly escaping: readonly string[];
}

/** A channel folder with symlinks in and out, next to a secret outside it. */
export async function hostileFolder(work: string): Promise<HostileFolder> {
  const channel = path.join(work, 'channel');
  const outside = path.join(work, 'outside');
  const marker = `OUTSIDE-SECRET-${process.pid}-${Date.now()}`;
  const repodata = JSON.stringify({ info: { subdir: 'noarch' }, packages: {}, 'packages.conda': {}, repodata_version: 1 });
  await mkdir(path.join(channel, 'noarch'), { recursive: true });
  await mkdir(path.join(channel, 'linux-64'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'secret.txt'), `${marker}\n`);
  await writeFile(path.join(channel, 'noarch', 'repodata.json'), repodata);
  await writeFile(path.join(channel, 'linux-64', 'repodata.json'), repodata.replace('noarch', 'linux-64'));
  // Inside: a file link, a folder link, an absolute link into the folder.
  await symlink('repodata.json', path.join(channel, 'noarch', 'current_repodata.json'));
  await symlink('noarch', path.join(channel, 'mirror'));
  await symlink(path.join(channel, 'linux-64', 'repodata.json'), path.join(channel, 'noarch', 'absolute-inside.json'));
  // Outside: folder and file links, relative and absolute, and a chain that leaves on its second hop.
  await symlink('/etc', path.join(channel, 'linux-64', 'etclink'));
  await symlink('/etc/passwd', path.join(channel, 'linux-64', 'passwd'));
  await symlink('../../outside', path.join(channel, 'linux-64', 'outdir'));
  await symlink(path.join(outside, 'secret.txt'), path.join(channel, 'noarch', 'secret.txt'));
  await symlink('../outside', path.join(channel, 'up'));
  await symlink('../up/secret.txt', path.join(channel, 'noarch', 'chained.txt'));
  const channelLink = path.join(work, 'channel-link');
  await symlink(channel, channelLink);
  return {
    channel,
    channelLink,
    outside,
    marker,
    repodata,
    inside: [
      { target: '/noarch/repodata.json', body: repodata },
      { target: '/noarch/current_repodata.json', body: repodata },
      { target: '/mirror/repodata.json', body: repodata },
      { target: '/noarch/absolute-inside.json', body: repodata.replace('noarch', 'linux-64') },
    ],
    escaping: ['/linux-64/etclink/passwd', '/linux-64/etclink/hostname', '/linux-64/passwd', '/linux-64/outdir/secret.txt', '/noarch/secret.txt', '/up/secret.txt', '/noarch/chained.txt'],
  };
}

/** What hostilePackageCache serves: the archive that must be served, and its bytes. */
export const GOOD_ARCHIVE = { target: '/noarch/good-1.0-0.conda', body: 'PK good archive' };

/**
 * A package cache (for `--pkgs`) next to the hostile folder: `good` is whole and inside;
 * `evil`'s archive is a symlink to the outside secret; `leak`'s repodata_record.json is a
 * symlink to a record outside whose name carries the marker.
 */
export async function hostilePackageCache(work: string, folder: HostileFolder): Promise<string> {
  const cache = path.join(work, 'pkgs');
  const record = (name: string): string => JSON.stringify({ name, version: '1.0', build: '0', build_number: 0, subdir: 'noarch', depends: [], fn: `${name}-1.0-0.conda` });
  for (const name of ['good', 'evil', 'leak']) await mkdir(path.join(cache, `${name}-1.0-0`, 'info'), { recursive: true });
  await writeFile(path.join(cache, 'good-1.0-0.conda'), GOOD_ARCHIVE.body);
  await writeFile(path.join(cache, 'good-1.0-0', 'info', 'repodata_record.json'), record('good'));
  await symlink(path.join(folder.outside, 'secret.txt'), path.join(cache, 'evil-1.0-0.conda'));
  await writeFile(path.join(cache, 'evil-1.0-0', 'info', 'repodata_record.json'), record('evil'));
  await writeFile(path.join(cache, 'leak-1.0-0.conda'), 'PK leak archive');
  await writeFile(path.join(folder.outside, 'record.json'), record(`leak-${folder.marker}`));
  await symlink(path.join(folder.outside, 'record.json'), path.join(cache, 'leak-1.0-0', 'info', 'repodata_record.json'));
  return cache;
}

/**
 * Request targets that try to leave the folder by encoding: `..` raw and percent-encoded
 * (once, twice, mixed case, overlong UTF-8), encoded slashes and backslashes, NUL and
 * other control characters, absolute and drive paths, and the absolute request form.
 */
export const TRAVERSAL_TARGETS: readonly string[] = [
  '/../outside/secret.txt',
  '/noarch/../../outside/secret.txt',
  '/noarch/../../../../../../etc/passwd',
  '/%2e%2e/outside/secret.txt',
  '/%2E%2E/%2E%2E/etc/passwd',
  '/.%2e/outside/secret.txt',
  '/noarch/..%2f..%2foutside%2fsecret.txt',
  '/noarch/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
  '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/%252e%252e/outside/secret.txt',
  '/%c0%ae%c0%ae/outside/secret.txt',
  '/noarch/..\\..\\outside\\secret.txt',
  '/noarch/..%5c..%5coutside%5csecret.txt',
  '/noarch/%5c..%5c..%5c..%5c..%5cetc%5cpasswd',
  '/noarch/repodata.json%00',
  '/noarch/repodata.json%00.html',
  '/noarch/%00/../../outside/secret.txt',
  '/noarch/repodata.json\u0000',
  '/noarch/repo%0adata.json',
  '//etc/passwd',
  '/%2fetc%2fpasswd',
  '/C:%5cWindows%5cwin.ini',
  '/./../outside/secret.txt',
  '/noarch/./../../outside/secret.txt',
  'http://127.0.0.1/../outside/secret.txt',
  '../outside/secret.txt',
  '/%',
  '/%zz/../../outside/secret.txt',
];

/** True when a response carries the outside marker or the system's password file. */
export function leaks(response: RawResponse, marker: string): boolean {
  return response.raw.includes(marker) || /root:[^:\n]*:0:0:/.test(response.raw);
}

/**
 * A real nginx serving a folder on 127.0.0.1, for tests that check taipan against a stock
 * static web server (issue 3: "any static web server can host a channel"). No root and no
 * system files: a temp prefix holds the config, pid file, logs and nginx's temp paths.
 * nginx runs in the foreground as a single process (`master_process off`), so when the
 * tests run as root it does not switch its workers to `nobody`, who could not read a
 * mkdtemp folder (mode 0700).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** One access-log line (see LOG_FORMAT). */
export interface NginxAccess {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** The conditional-request headers as sent ('' when absent). */
  readonly ifNoneMatch: string;
  readonly ifModifiedSince: string;
}

export interface NginxServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  /** Every request so far, oldest first. */
  accessLog(): Promise<NginxAccess[]>;
  stop(): Promise<void>;
}

/** Tab-separated, so paths and dates need no quoting rules. */
const LOG_FORMAT = "'$status\\t$request_method\\t$uri\\t$http_if_none_match\\t$http_if_modified_since'";

/**
 * The nginx executable (`command -v nginx`), else /usr/sbin/nginx, where Debian puts it and
 * where a non-root PATH often does not look; undefined when there is none.
 */
export function findNginx(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v nginx || { test -x /usr/sbin/nginx && echo /usr/sbin/nginx; }'], { encoding: 'utf8' });
  const file = found.status === 0 ? found.stdout.trim() : '';
  return file === '' ? undefined : file;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

function config(prefix: string, root: string, port: number): string {
  const temp = (name: string): string => `  ${name}_temp_path ${path.join(prefix, 'temp', name)};`;
  return [
    'daemon off;',
    'master_process off;',
    `pid ${path.join(prefix, 'nginx.pid')};`,
    `error_log ${path.join(prefix, 'error.log')} warn;`,
    'events { worker_connections 64; }',
    'http {',
    `  log_format taipan ${LOG_FORMAT};`,
    `  access_log ${path.join(prefix, 'access.log')} taipan;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp),
    '  default_type application/octet-stream;',
    `  server { listen 127.0.0.1:${port}; root ${root}; }`,
    '}',
    '',
  ].join('\n');
}

/** Resolves once something accepts connections on the port; rejects if nginx exits first. */
function waitForPort(port: number, child: ChildProcess, errorLog: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    let exited = false;
    child.once('exit', async (code) => {
      exited = true;
      const log = await readFile(errorLog, 'utf8').catch(() => '');
      reject(new Error(`nginx exited (${code}) before listening on ${port}: ${log.trim().split('\n').slice(-3).join(' | ')}`));
    });
    const attempt = (): void => {
      if (exited) return;
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nginx did not listen on ${port} within 10 s`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Starts nginx serving `root`; a port taken between probing and binding is retried. */
export async function startNginx(root: string, nginx: string = findNginx() ?? 'nginx'): Promise<NginxServer> {
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'taipan-nginx-'));
  const errorLog = path.join(prefix, 'error.log');
  for (const name of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(path.join(prefix, 'temp', name), { recursive: true });
  // `-e` (nginx >= 1.19.5) keeps nginx from opening the system's error log before it reads the config.
  const help = spawnSync(nginx, ['-h'], { encoding: 'utf8' });
  const earlyLog = `${help.stdout}${help.stderr}`.includes('-e filename') ? ['-e', errorLog] : [];
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const conf = path.join(prefix, 'nginx.conf');
    await writeFile(conf, config(prefix, path.resolve(root), port));
    const child = spawn(nginx, ['-p', prefix, '-c', conf, ...earlyLog], { stdio: 'ignore' });
    try {
      await waitForPort(port, child, errorLog);
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      continue;
    }
    child.removeAllListeners('exit');
    return {
      url: `http://127.0.0.1:${port}`,
      accessLog: async () =>
        (await readFile(path.join(prefix, 'access.log'), 'utf8').catch(() => ''))
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => {
            const [status, method, uri, inm, ims] = line.split('\t');
            const header = (value: string | undefined): string => (value === undefined || value === '-' ? '' : value);
            return { status: Number(status), method: method ?? '', path: uri ?? '', ifNoneMatch: header(inm), ifModifiedSince: header(ims) };
          }),
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill('SIGQUIT'); // graceful: finishes the log
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
        await rm(prefix, { recursive: true, force: true });
      },
    };
  }
  await rm(prefix, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

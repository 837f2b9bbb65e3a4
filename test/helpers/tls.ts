/**
 * HTTPS for tests: self-signed certificates made by the real `openssl` (node's crypto makes
 * keys but not certificates), and a TLS front on 127.0.0.1 that terminates TLS and passes
 * the bytes to a plain HTTP server (a ChannelServer), the way a TLS-terminating load
 * balancer does. The front can demand a client certificate.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

/** Why TLS tests cannot run here, or undefined when `openssl` is on PATH. */
export function opensslMissing(): string | undefined {
  const probe = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'openssl is not on PATH: cannot make test certificates';
}

export interface Certificate {
  certFile: string;
  keyFile: string;
}

/** A self-signed certificate (its own CA) for 127.0.0.1 and localhost, valid for two days. */
export function selfSignedCertificate(dir: string, name: string): Certificate {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  const result = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl req failed: ${result.stderr}`);
  return { certFile, keyFile };
}

export interface TlsFrontOptions {
  /** Demand a client certificate issued by (or equal to) this one. */
  clientCa?: string;
}

export class TlsFront {
  /** TLS handshakes that failed, with the reason OpenSSL gave. */
  readonly failures: string[] = [];
  private readonly sockets = new Set<net.Socket>();
  private server!: tls.Server;
  private port = 0;

  static async start(targetPort: number, certificate: Certificate, options: TlsFrontOptions = {}): Promise<TlsFront> {
    const front = new TlsFront();
    front.server = tls.createServer(
      {
        cert: readFileSync(certificate.certFile),
        key: readFileSync(certificate.keyFile),
        ...(options.clientCa ? { requestCert: true, rejectUnauthorized: true, ca: readFileSync(options.clientCa) } : {}),
      },
      (socket) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        front.track(socket);
        front.track(upstream);
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
      },
    );
    front.server.on('tlsClientError', (error) => front.failures.push(error.message));
    await new Promise<void>((resolve) => front.server.listen(0, '127.0.0.1', resolve));
    front.port = (front.server.address() as AddressInfo).port;
    return front;
  }

  /** `https://127.0.0.1:PORT` (no trailing slash). */
  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get portNumber(): number {
    return this.port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}

/** `describe` for tests that need openssl: skipped with a printed reason where it is missing. */
export function describeTls(name: string, body: () => void): void {
  const missing = opensslMissing();
  if (missing === undefined) {
    describe(name, body);
    return;
  }
  // eslint-disable-next-line no-console
  console.log(`skipping '${name}': ${missing}`);
  describe(name, () => {
    test.skip(missing, () => undefined);
  });
}

/**
 * Channel trust: what a channel served over http, or a lock / @EXPLICIT / environment file
 * downloaded from one, names must not lead taipan into this machine's files. A hostile
 * server sets CEP-15 `base_url` or CEP-16 `shards_base_url` to `file:` URLs and other
 * schemes, puts `url` keys in records, redirects to `file:`, drops hashes, leaves https for
 * http, and serves lock, explicit and environment files naming local files and variables.
 * Outside every channel sits a canary: a real package archive whose payload holds a marker,
 * and a text file holding it. Any file under the package cache, the prefix or HOME, and any
 * output, holding the marker or the canary's bytes (or /etc/passwd's first line) counts as
 * lost. The cases that must work (another http(s) host, allow_unhashed_packages, a local
 * channel without hashes, a lock file on disk) are run too, so refusing everything fails.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { encode } from '@msgpack/msgpack';
import { zstdCompressChecked } from '../../../channels/archive/zstd-compress.js';
import { indexChannel } from '../../../channels/indexer/index-channel.js';
import { decodeMsgpackZst } from '../../../channels/repodata/shards/shard-format.js';
import { ChannelServer } from '../../helpers/channel-server.js';
import { opensslMissing, selfSignedCertificate, TlsFront } from '../../helpers/tls.js';
import { clearError, describeRun, runCase, taipan, type CaseResult, type Category, type CliRun, type Context } from '../harness.js';
import { exists, fresh, listTree, sha256, writePackage } from '../fixtures.js';

/** The package every hostile channel offers (`evil-1.0-0.conda`, noarch). */
export const PACKAGE = 'evil';
export const PACKAGE_FN = 'evil-1.0-0.conda';

export interface Canary {
  /** The folder outside every channel that holds the canaries. */
  readonly dir: string;
  /** Written into both canaries: found anywhere taipan writes or prints, it leaked. */
  readonly marker: string;
  /** `<dir>/evil-1.0-0.conda`: a real package with the marker in its payload. */
  readonly archive: string;
  readonly archiveBytes: Buffer;
  /** `<dir>/secret.txt`: the marker as text. */
  readonly text: string;
}

/** The canaries, made in `<work>/outside`. */
export async function makeCanary(work: string): Promise<Canary> {
  const dir = await fresh(path.join(work, 'outside'));
  const marker = `CANARY-${randomBytes(12).toString('hex')}`;
  // writePackage writes into `<channel>/noarch`: made aside, then moved up beside secret.txt.
  const made = await writePackage(path.join(dir, 'made'), { name: PACKAGE, files: { 'share/evil/secret.txt': `${marker}\n` } });
  const archiveBytes = await readFile(made);
  await rm(path.join(dir, 'made'), { recursive: true, force: true });
  const archive = path.join(dir, PACKAGE_FN);
  await writeFile(archive, archiveBytes);
  const text = path.join(dir, 'secret.txt');
  await writeFile(text, `${marker}\n`);
  return { dir, marker, archive, archiveBytes, text };
}

/** The first line of /etc/passwd when it is readable (the issue's target), else undefined. */
function passwdLine(): string | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n')[0]?.trim();
    return line ? line : undefined;
  } catch {
    return undefined;
  }
}

/** Where the canary (or /etc/passwd) shows up: in the runs' output or in a file under `dirs`. */
export async function leaks(canary: Canary, runs: readonly CliRun[], dirs: readonly string[]): Promise<string[]> {
  const passwd = passwdLine();
  const needles: (string | Buffer)[] = [canary.marker, canary.archiveBytes, ...(passwd ? [passwd] : [])];
  const found: string[] = [];
  const look = (where: string, data: Buffer): void => {
    if (needles.some((n) => data.includes(n))) found.push(where);
  };
  runs.forEach((run, i) => look(`output of run ${i + 1}`, Buffer.from(run.stdout + run.stderr)));
  for (const dir of dirs) {
    for (const rel of await listTree(dir)) {
      const data = await readFile(path.join(dir, rel)).catch(() => undefined);
      if (data) look(`${path.basename(dir)}/${rel}`, data);
    }
  }
  return found;
}

export interface RepodataEdit {
  /** Change noarch/repodata.json (the parsed object) before it is served. */
  repodata?: (repodata: { info?: Record<string, unknown>; 'packages.conda': Record<string, Record<string, unknown>> }) => void;
  /** Keep the CEP-16 shard index and change its `info`; without it the shard index is removed. */
  shardInfo?: Record<string, unknown>;
}

/** A channel offering `evil` with its repodata edited; only the plain repodata.json (and shards when asked) is left to serve. */
export async function hostileChannel(dir: string, edit: RepodataEdit = {}): Promise<string> {
  await fresh(dir);
  await writePackage(dir, { name: PACKAGE, files: { 'share/evil/readme.txt': 'an ordinary package\n' } });
  await indexChannel(dir);
  const noarch = path.join(dir, 'noarch');
  const file = path.join(noarch, 'repodata.json');
  const repodata = JSON.parse(await readFile(file, 'utf8')) as Parameters<NonNullable<RepodataEdit['repodata']>>[0];
  edit.repodata?.(repodata);
  await writeFile(file, JSON.stringify(repodata));
  await rm(path.join(noarch, 'repodata.json.zst'), { force: true });
  await rm(path.join(noarch, 'repodata.json.bz2'), { force: true });
  const shardIndex = path.join(noarch, 'repodata_shards.msgpack.zst');
  if (edit.shardInfo === undefined) {
    await rm(shardIndex, { force: true });
  } else {
    const index = (await decodeMsgpackZst(await readFile(shardIndex), shardIndex)) as { info: Record<string, unknown> };
    index.info = { ...index.info, ...edit.shardInfo };
    await writeFile(shardIndex, await zstdCompressChecked(encode(index), 3, shardIndex));
  }
  return dir;
}

/** Records of `repodata` lose their hashes. */
export function dropHashes(repodata: Parameters<NonNullable<RepodataEdit['repodata']>>[0]): void {
  for (const record of Object.values(repodata['packages.conda'])) {
    delete record.sha256;
    delete record.md5;
  }
}

/** Serve `root` while `body` runs. */
export async function serving<T>(root: string, body: (server: ChannelServer) => Promise<T>): Promise<T> {
  const server = await ChannelServer.start(root);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/** A server that serves `root` but answers every package request with a redirect to `location`. */
async function redirectingServer(root: string, location: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (urlPath.endsWith('.conda')) {
      res.writeHead(302, { location });
      res.end();
      return;
    }
    readFile(path.join(root, ...urlPath.split('/').filter((p) => p !== '' && p !== '..')))
      .then((body) => res.writeHead(200, { 'content-length': body.length }).end(body))
      .catch(() => res.writeHead(404).end('not found'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a case expects: a refusal whose message matches, or a working install of `evil`. */
type Expectation = { refused: RegExp } | { installs: true };

interface TrialOptions {
  /** Extra environment of the run. */
  env?: NodeJS.ProcessEnv;
  /** ~/.taipanrc of the run. */
  taipanrc?: string;
  /** The arguments after `create -y -p PREFIX`; `-c URL evil` by default. */
  args?: string[];
  /** Whether the installed `evil` must be the channel's (not the canary): default true. */
  channelPackage?: boolean;
}

/**
 * One run of `taipan create` in a fresh HOME and package cache, judged: the expectation
 * met, and nothing of the canary anywhere taipan wrote or printed.
 */
async function trial(context: Context, canary: Canary, id: string, channelUrl: string, expect: Expectation, options: TrialOptions = {}): Promise<Omit<CaseResult, 'name'>> {
  const home = await fresh(path.join(context.work, `home-${id}`));
  const pkgs = await fresh(path.join(context.work, `pkgs-${id}`));
  const prefix = path.join(context.work, `env-${id}`);
  if (options.taipanrc !== undefined) await writeFile(path.join(home, '.taipanrc'), options.taipanrc);
  const run = await taipan(['create', '-y', '-p', prefix, ...(options.args ?? ['--override-channels', '-c', channelUrl, PACKAGE])], { home }, { TAIPAN_PKGS_DIRS: pkgs, ...options.env });
  const found = await leaks(canary, [run], [pkgs, prefix, home]);
  let ok: boolean;
  if ('refused' in expect) {
    ok = clearError(run) && expect.refused.test(run.stderr) && !(await exists(path.join(prefix, 'conda-meta')));
  } else {
    const installed = await readFile(path.join(prefix, 'share', 'evil', 'readme.txt'), 'utf8').catch(() => undefined);
    ok = run.status === 0 && (options.channelPackage === false || installed === 'an ordinary package\n');
  }
  return { survived: ok, lost: found.length, detail: `${describeRun(run)}${found.length ? `; canary found in ${found.join(', ')}` : ''}` };
}

const NOT_HTTP = /not an http\(s\) URL/;
const DOWNGRADE = /plain http URL under an https/;
const UNHASHED = /neither a sha256 nor an md5/;

export const channelTrust: Category = {
  name: 'Channel trust',
  async run(context: Context): Promise<CaseResult[]> {
    const canary = await makeCanary(context.work);
    const results: CaseResult[] = [];
    let n = 0;
    const dir = (): string => path.join(context.work, `channel-${++n}`);
    const canaryFolder = pathToFileURL(canary.dir).href;

    // 1. base_url (CEP-15) and shards_base_url (CEP-16) leaving http(s).
    const baseUrls: { name: string; value: string; quick?: boolean }[] = [
      { name: "file:///etc/passwd? (the issue's reproduction)", value: 'file:///etc/passwd?', quick: true },
      { name: 'a file: folder holding a real package (the canary)', value: `${canaryFolder}/`, quick: true },
      { name: 'FILE: in capitals', value: `${canaryFolder.replace(/^file:/, 'FILE:')}/` },
      { name: 'file:/path with one slash', value: `file:${canary.dir}/` },
      { name: 'file://localhost/path', value: `file://localhost${canary.dir}/` },
      { name: 'a file: URL to a text file with a query', value: `${pathToFileURL(canary.text).href}?` },
      { name: 'ftp:', value: 'ftp://127.0.0.1/pub/' },
      { name: 's3:', value: 's3://bucket/noarch/' },
      { name: 'data:', value: `data:application/octet-stream;base64,${canary.archiveBytes.toString('base64').slice(0, 64)}` },
      { name: 'jar:file:', value: `jar:${canaryFolder}/x.jar!/` },
    ];
    for (const [i, variant] of (context.quick ? baseUrls.filter((b) => b.quick) : baseUrls).entries()) {
      results.push(
        await runCase(`base_url ${variant.name}: refused`, async () => {
          const channel = await hostileChannel(dir(), { repodata: (r) => {
            r.info = { ...r.info, base_url: variant.value };
            dropHashes(r);
          } });
          return serving(channel, (server) => trial(context, canary, `base-${i}`, server.url, { refused: NOT_HTTP }));
        }),
      );
    }
    results.push(
      await runCase('base_url an absolute path: resolved on the server, never on the disk', async () => {
        const channel = await hostileChannel(dir(), { repodata: (r) => void (r.info = { ...r.info, base_url: `${canary.dir}/` }) });
        return serving(channel, (server) => trial(context, canary, 'abs-path', server.url, { refused: /does not exist \(HTTP 404\)/ }));
      }),
    );
    if (!context.quick) {
      results.push(
        await runCase('shard index base_url file: (CEP-16): refused', async () => {
          const channel = await hostileChannel(dir(), { shardInfo: { base_url: `${canaryFolder}/` } });
          return serving(channel, (server) => trial(context, canary, 'shard-base', server.url, { refused: NOT_HTTP }));
        }),
        await runCase('shard index shards_base_url file: (CEP-16): refused', async () => {
          const channel = await hostileChannel(dir(), { shardInfo: { shards_base_url: `${canaryFolder}/` } });
          return serving(channel, (server) => trial(context, canary, 'shards-base', server.url, { refused: NOT_HTTP }));
        }),
      );
    }
    results.push(
      await runCase("a record's own url key pointing at the canary: ignored, the package comes from the channel", async () => {
        const channel = await hostileChannel(dir(), { repodata: (r) => {
          for (const record of Object.values(r['packages.conda'])) record.url = pathToFileURL(canary.archive).href;
        } });
        return serving(channel, (server) => trial(context, canary, 'record-url', server.url, { installs: true }));
      }),
      await runCase('a package request redirected to file:: refused', async () => {
        const channel = await hostileChannel(dir());
        const server = await redirectingServer(channel, pathToFileURL(canary.archive).href);
        try {
          return await trial(context, canary, 'redirect', server.url, { refused: /cannot fetch .*http/ });
        } finally {
          await server.close();
        }
      }),
    );

    // 2. Another http(s) host: allowed (CDNs, mirrors); https to http: refused.
    type Serve = (root: string, body: (url: string) => Promise<Omit<CaseResult, 'name'>>) => Promise<Omit<CaseResult, 'name'>>;
    const plain: Serve = (root, body) => serving(root, (server) => body(server.url));
    /** A channel served by `channelAt` whose base_url is the packages' folder served by `packagesAt`. */
    const crossHost = async (id: string, packagesAt: Serve, channelAt: Serve, expect: Expectation, env: NodeJS.ProcessEnv = {}): Promise<Omit<CaseResult, 'name'>> =>
      packagesAt(await hostileChannel(dir()), async (packagesUrl) => {
        const channel = await hostileChannel(dir(), { repodata: (r) => void (r.info = { ...r.info, base_url: `${packagesUrl}/noarch/` }) });
        await rm(path.join(channel, 'noarch', PACKAGE_FN));
        return channelAt(channel, (url) => trial(context, canary, id, url, expect, { env }));
      });
    results.push(await runCase('base_url on another http host: followed', () => crossHost('other-http', plain, plain, { installs: true })));
    const noTls = opensslMissing();
    if (noTls === undefined && !context.quick) {
      const cert = selfSignedCertificate(await fresh(path.join(context.work, 'tls')), 'trust');
      const tlsEnv = { REQUESTS_CA_BUNDLE: cert.certFile };
      const behindTls: Serve = (root, body) =>
        serving(root, async (server) => {
          const front = await TlsFront.start(Number(new URL(server.url).port), cert);
          try {
            return await body(front.url);
          } finally {
            await front.close();
          }
        });
      results.push(
        await runCase('an https channel whose base_url is plain http: refused', () => crossHost('downgrade', plain, behindTls, { refused: DOWNGRADE }, tlsEnv)),
        await runCase('an http channel whose base_url is https on another host: followed', () => crossHost('upgrade', behindTls, plain, { installs: true }, tlsEnv)),
      );
    } else if (noTls !== undefined) {
      context.log(`Channel trust: https cases skipped: ${noTls}`);
    }

    // 3. Records without a hash.
    results.push(
      await runCase('a remote record without sha256 or md5: refused, nothing cached', async () => {
        const channel = await hostileChannel(dir(), { repodata: dropHashes });
        return serving(channel, (server) => trial(context, canary, 'unhashed', server.url, { refused: UNHASHED }));
      }),
      await runCase('the same with TAIPAN_ALLOW_UNHASHED_PACKAGES=1: installed', async () => {
        const channel = await hostileChannel(dir(), { repodata: dropHashes });
        return serving(channel, (server) => trial(context, canary, 'unhashed-env', server.url, { installs: true }, { env: { TAIPAN_ALLOW_UNHASHED_PACKAGES: '1' } }));
      }),
    );
    if (!context.quick) {
      results.push(
        await runCase('the same with allow_unhashed_packages: true in ~/.taipanrc: installed', async () => {
          const channel = await hostileChannel(dir(), { repodata: dropHashes });
          return serving(channel, (server) => trial(context, canary, 'unhashed-rc', server.url, { installs: true }, { taipanrc: 'allow_unhashed_packages: true\n' }));
        }),
        await runCase('a local (file://) channel without hashes: installed', async () => {
          const channel = await hostileChannel(dir(), { repodata: dropHashes });
          return trial(context, canary, 'unhashed-local', pathToFileURL(channel).href, { installs: true });
        }),
      );
    }

    // 4. Lock, @EXPLICIT and environment files downloaded from a server.
    const files = await fresh(path.join(context.work, 'files'));
    const canaryUrl = pathToFileURL(canary.archive).href;
    const canaryHash = sha256(canary.archiveBytes);
    const condaLock = (url: string, hash: string): string =>
      JSON.stringify({ version: 1, metadata: { channels: [], platforms: ['linux-64'] }, package: [{ name: PACKAGE, version: '1.0', manager: 'conda', platform: 'linux-64', url, hash: { sha256: hash } }] });
    const explicit = (url: string, hash: string): string => `# platform: linux-64\n@EXPLICIT\n${url}#sha256:${hash}\n`;
    const served = async (name: string, text: string, expect: Expectation, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Omit<CaseResult, 'name'>> => {
      await writeFile(path.join(files, name), text);
      return serving(files, (server) => trial(context, canary, `file-${name}`, server.url, expect, { args: [...extra, '--file', `${server.url}/${name}`], env }));
    };
    const lockCases: { name: string; body: () => Promise<Omit<CaseResult, 'name'>>; quick?: boolean }[] = [
      { name: 'a conda-lock file from a server naming the canary by file:', body: () => served('conda-lock.json', condaLock(canaryUrl, canaryHash), { refused: NOT_HTTP }), quick: true },
      { name: 'a conda-lock file from a server naming a local path', body: () => served('path-lock.json', condaLock(canary.archive, canaryHash), { refused: NOT_HTTP }) },
      { name: 'a conda-lock file from a server naming a relative path', body: () => served('relative-lock.json', condaLock(`../outside/${PACKAGE_FN}`, canaryHash), { refused: NOT_HTTP }) },
      {
        name: 'a pixi lock (v6) from a server naming the canary by file:',
        body: () =>
          served(
            'pixi.lock',
            `version: 6\nenvironments:\n  default:\n    channels:\n    - url: https://conda.anaconda.org/conda-forge/\n    packages:\n      linux-64:\n      - conda: ${canaryUrl}\npackages:\n- conda: ${canaryUrl}\n  sha256: ${canaryHash}\n  depends: []\n`,
            { refused: NOT_HTTP },
          ),
      },
      { name: 'an @EXPLICIT file from a server naming the canary by file:', body: () => served('explicit.txt', explicit(canaryUrl, canaryHash), { refused: NOT_HTTP }), quick: true },
      {
        name: 'an environment.yml from a server with a local channel',
        body: () => served('local-channel.yml', `name: trust\nchannels:\n  - ${canary.dir}\ndependencies:\n  - ${PACKAGE}\n`, { refused: NOT_HTTP }, ['--override-channels']),
      },
      {
        name: 'an environment.yml from a server with a file: channel',
        body: () => served('file-channel.yml', `name: trust\nchannels:\n  - ${canaryFolder}\ndependencies:\n  - ${PACKAGE}\n`, { refused: NOT_HTTP }, ['--override-channels']),
      },
      {
        name: "an environment.yml from a server reading this machine's variables into a channel URL",
        body: () =>
          served('variable.yml', `name: trust\nchannels:\n  - http://127.0.0.1:9/\${TRUST_SECRET}\ndependencies:\n  - ${PACKAGE}\n`, { refused: /may not read this machine's environment/ }, [], { TRUST_SECRET: canary.marker }),
      },
    ];
    for (const c of context.quick ? lockCases.filter((x) => x.quick) : lockCases) results.push(await runCase(`${c.name}: refused`, c.body));

    // The same files are fine where they should be: from disk, or naming http(s) URLs.
    results.push(
      await runCase('an @EXPLICIT file from a server naming the server\'s own package: installed', async () => {
        const channel = await hostileChannel(dir());
        await mkdir(path.join(files, 'noarch'), { recursive: true });
        const bytes = await readFile(path.join(channel, 'noarch', PACKAGE_FN));
        await writeFile(path.join(files, 'noarch', PACKAGE_FN), bytes);
        await writeFile(path.join(files, 'remote-explicit.txt'), '');
        return serving(files, async (server) => {
          await writeFile(path.join(files, 'remote-explicit.txt'), explicit(`${server.url}/noarch/${PACKAGE_FN}`, sha256(bytes)));
          return trial(context, canary, 'explicit-ok', server.url, { installs: true }, { args: ['--file', `${server.url}/remote-explicit.txt`] });
        });
      }),
    );
    if (!context.quick) {
      results.push(
        await runCase('a conda-lock file on disk naming a local package by file:: installed', async () => {
          const channel = await hostileChannel(dir());
          const archive = path.join(channel, 'noarch', PACKAGE_FN);
          const lock = path.join(files, 'local-lock.json');
          await writeFile(lock, condaLock(pathToFileURL(archive).href, sha256(await readFile(archive))));
          return trial(context, canary, 'local-lock', '', { installs: true }, { args: ['--file', lock] });
        }),
      );
    }
    return results;
  },
};

/**
 * Exact and offline environments through the real CLI on the demo channel: lock → create
 * (byte-identical package files on another prefix and cache), list --explicit --sha256 →
 * create, `serve` → create over HTTP (ETag, Range, the request log), `mirror` → create, and
 * `mirror` refusing a broken package before it writes anything.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { parseLockFile } from '../../environments/lockfile/read.js';
import { CLI, runCli } from '../helpers/cli.js';
import { brokenDemoChannel } from '../helpers/republish-package.js';

let work: string;
let channel: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-ship-'));
  channel = path.join(work, 'channel');
  await makeDemoChannel(channel);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function ok(args: string[], env: NodeJS.ProcessEnv, cwd?: string): string {
  const result = cwd ? runIn(cwd, args, env) : runCli(args, env);
  if (result.status !== 0) throw new Error(`taipan ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

function runIn(cwd: string, args: string[], env: NodeJS.ProcessEnv): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, HOME: work, ...env } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

async function sha256Tree(prefix: string, relative = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(path.join(prefix, relative), { withFileTypes: true })) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (child === 'conda-meta') continue;
    if (entry.isDirectory()) Object.assign(out, await sha256Tree(prefix, child));
    else out[child] = createHash('sha256').update(await readFile(path.join(prefix, child))).digest('hex');
  }
  return out;
}

describe('shipping exact environments', () => {
  test('lock writes conda-lock v1 for several platforms, and create --file installs exactly it', async () => {
    await writeFile(path.join(work, 'environment.yml'), `name: demo\nchannels:\n  - ${channel}\ndependencies:\n  - hello-taipan\n`);
    ok(['lock', '--platform', 'linux-64', '--platform', 'osx-arm64', '--platform', 'win-64'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-a') }, work);
    const text = await readFile(path.join(work, 'conda-lock.yml'), 'utf8');
    const lock = parseLockFile(text, 'conda-lock.yml');
    expect([...lock.platforms.keys()]).toEqual(['linux-64', 'osx-arm64', 'win-64']);
    const linux = lock.environments.get('default')?.packages.get('linux-64') ?? [];
    expect(linux.map((p) => (p.kind === 'conda' ? `${p.record.name} ${p.record.sha256?.length} ${p.record.md5?.length}` : ''))).toEqual(['hello-taipan 64 32', 'taipan-greetings 64 32']);
    // Locking again changes nothing (byte-reproducible).
    ok(['lock', '--platform', 'linux-64', '--platform', 'osx-arm64', '--platform', 'win-64'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-a') }, work);
    expect(await readFile(path.join(work, 'conda-lock.yml'), 'utf8')).toBe(text);

    // "Another machine": another cache, another prefix; the channel has a newer package now, which must not matter.
    const a = path.join(work, 'env-a');
    const b = path.join(work, 'env-b');
    ok(['create', '-y', '-p', a, '-c', channel, 'hello-taipan'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-a') });
    const out = ok(['create', '-y', '-p', b, '--file', path.join(work, 'conda-lock.yml'), '--platform', 'linux-64'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-b') });
    expect(out).toContain('hello-taipan');
    expect(await sha256Tree(b)).toEqual(Object.fromEntries(Object.entries(await sha256Tree(a)).map(([k, v]) => [k, k === 'bin/hello-taipan' ? expect.any(String) : v])));
    const archiveA = await readFile(path.join(work, 'pkgs-a', 'hello-taipan-1.0.0-0.conda'));
    const archiveB = await readFile(path.join(work, 'pkgs-b', 'hello-taipan-1.0.0-0.conda'));
    expect(archiveB.equals(archiveA)).toBe(true);
    const tool = spawnSync(path.join(b, 'bin', 'hello-taipan'), [], { encoding: 'utf8' });
    expect(tool.stdout).toContain('Hello from a taipan environment!');
  });

  test('a lock file whose hash does not match the package is refused', async () => {
    const text = await readFile(path.join(work, 'conda-lock.yml'), 'utf8');
    const sha = /sha256: ([0-9a-f]{64})/.exec(text)?.[1] as string;
    await writeFile(path.join(work, 'tampered-lock.yml'), text.replaceAll(sha, 'f'.repeat(64)));
    const result = runCli(['create', '-y', '-p', path.join(work, 'env-bad'), '--file', path.join(work, 'tampered-lock.yml'), '--platform', 'linux-64'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-c') });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/sha256 of .* is [0-9a-f]{64}, but the channel says f{64}/);
  });

  test('list --explicit --sha256 writes #sha256: lines that create installs', async () => {
    const explicit = ok(['list', '-p', path.join(work, 'env-a'), '--explicit', '--sha256'], {});
    expect(explicit).toMatch(/hello-taipan-1\.0\.0-0\.conda#sha256:[0-9a-f]{64}/);
    await writeFile(path.join(work, 'explicit.txt'), explicit);
    ok(['create', '-y', '-p', path.join(work, 'env-explicit'), '--file', path.join(work, 'explicit.txt')], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-d') });
  });

  test('serve hosts a channel with ETag, Range and a log, and create installs from it', async () => {
    const server: ChildProcess = spawn(process.execPath, [CLI, 'serve', channel, '--port', '0', '--host', '127.0.0.1'], { env: { ...process.env, HOME: work } });
    let log = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        server.stdout?.on('data', (chunk: Buffer) => {
          log += chunk.toString();
          const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
          if (match) resolve(match[1] as string);
        });
        server.once('exit', (code) => reject(new Error(`serve exited (${code})`)));
      });
      const first = await fetch(`${url}/noarch/repodata.json`);
      const etag = first.headers.get('etag') as string;
      expect(first.status).toBe(200);
      expect((await fetch(`${url}/noarch/repodata.json`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
      const part = await fetch(`${url}/noarch/hello-taipan-1.0.0-0.conda`, { headers: { Range: 'bytes=0-3' } });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer()).toString('latin1')).toBe('PK\u0003\u0004');
      expect((await fetch(`${url}/../../etc/passwd`)).status).toBe(404);

      const prefix = path.join(work, 'env-http');
      ok(['create', '-y', '-p', prefix, '-c', url, 'hello-taipan'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-http') });
      expect(spawnSync(path.join(prefix, 'bin', 'hello-taipan'), [], { encoding: 'utf8' }).stdout).toContain('Hello');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(log).toMatch(/GET \/noarch\/hello-taipan-1\.0\.0-0\.conda 200 \d+/);
      expect(log).toMatch(/GET \/noarch\/hello-taipan-1\.0\.0-0\.conda 206 4 range=bytes=0-3/);
    } finally {
      server.kill('SIGTERM');
    }
  });

  test('mirror copies what a request needs into a new channel that create can use alone', async () => {
    const mirror = path.join(work, 'mirror');
    ok(['mirror', '-c', channel, 'hello-taipan', '--platform', 'linux-64', '--platform', 'osx-arm64', '-o', mirror], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-m') });
    const repodata = JSON.parse(await readFile(path.join(mirror, 'noarch', 'repodata.json'), 'utf8'));
    // Only the solution: taipan-greetings 2.0.0 is in the source channel but not needed.
    expect(Object.keys(repodata['packages.conda']).sort()).toEqual(['hello-taipan-1.0.0-0.conda', 'taipan-greetings-1.1.0-0.conda']);
    const prefix = path.join(work, 'env-mirror');
    ok(['create', '-y', '-p', prefix, '-c', mirror, '--override-channels', 'hello-taipan'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-m2') });
    expect(spawnSync(path.join(prefix, 'bin', 'hello-taipan'), [], { encoding: 'utf8' }).stdout).toContain('Hello');
  });

  test('mirror checks every archive first: a package lacking a file its paths.json lists leaves no mirror and no change', async () => {
    const broken = await brokenDemoChannel(channel, path.join(work, 'broken-channel'));
    const parent = path.join(work, 'mirrors');
    await mkdir(parent);
    const fresh = runCli(['mirror', '-c', broken, 'hello-taipan', '-o', path.join(parent, 'fresh'), '--json'], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-mb') });
    expect(fresh.status).toBe(1);
    const error = JSON.parse(fresh.stdout).error;
    expect(error.code).toBe('CORRUPT_ARCHIVE');
    expect(error.message).toContain("'hello-taipan-1.0.0-0.conda'");
    expect(error.message).toContain("lists 'bin/hello-taipan' but the archive does not hold it");
    // Nothing at all was written: no mirror, no staging folder beside it.
    expect(await readdir(parent)).toEqual([]);

    // Into an existing mirror: it is left exactly as it was.
    const existing = path.join(work, 'mirror');
    const before = await sha256Tree(existing);
    const again = runCli(['mirror', '-c', broken, 'hello-taipan', '-o', existing], { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-mb') });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("lists 'bin/hello-taipan' but the archive does not hold it");
    expect(await sha256Tree(existing)).toEqual(before);
    expect((await readdir(work)).filter((n) => n.includes('.mirror-'))).toEqual([]);
  });
});

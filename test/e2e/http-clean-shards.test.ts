/**
 * `taipan clean` and the CEP-16 shard cache: a sharded channel served on 127.0.0.1 is read
 * through its shards, then republished (re-indexed without one package) so the shard of
 * the changed name is replaced. `clean --shards` removes exactly the replaced shard (and a
 * dead process's partial download), keeps what the cached index lists, and
 * `clean --index-cache` removes the shards with the rest of the repodata cache.
 */
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { ChannelServer } from '../helpers/channel-server.js';
import { runCliAsync, type CliResult } from '../helpers/cli.js';

let work: string;
let server: ChannelServer;
let pkgs: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-shards-'));
  await makeDemoChannel(path.join(work, 'first'));
  // The channel republished: one version fewer of taipan-greetings, so its shard changes.
  await cp(path.join(work, 'first'), path.join(work, 'second'), { recursive: true });
  await rm(path.join(work, 'second', 'noarch', 'taipan-greetings-2.0.0-0.conda'));
  server = await ChannelServer.start(path.join(work, 'first'));
  pkgs = path.join(work, 'pkgs');
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCliAsync(args, { HOME: work, USERPROFILE: work, TAIPAN_PKGS_DIRS: pkgs, ...env });
}

async function ok(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await cli(args, env);
  if (result.status !== 0) throw new Error(`taipan ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

async function cachedShards(): Promise<string[]> {
  return (await readdir(path.join(pkgs, 'cache', 'shards')).catch(() => [] as string[])).sort();
}

async function servedShards(channel: string): Promise<string[]> {
  return (await readdir(path.join(work, channel, 'noarch'))).filter((n) => /^[0-9a-f]{64}\.msgpack\.zst$/.test(n)).sort();
}

describe('clean and the shard cache', () => {
  test('--shards removes shards the cached index no longer lists; --index-cache removes them all', async () => {
    const plan = (prefix: string): string[] => ['create', '--dry-run', '--json', '-p', path.join(work, prefix), '-c', `${server.url}/`, 'taipan-greetings'];
    await ok(plan('a'));
    const first = await cachedShards();
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((s) => s.endsWith('.msgpack.zst'))).toBe(true);
    expect((await servedShards('first')).filter((s) => first.includes(s))).toEqual(first);

    // Nothing is unused yet.
    expect(JSON.parse(await ok(['clean', '--shards', '--dry-run', '--json'])).shards).toEqual([]);

    await ok(['index', path.join(work, 'second')]);
    server.setRoot(path.join(work, 'second'));
    await ok(plan('b'));
    const second = await servedShards('second');
    const replaced = first.filter((s) => !second.includes(s));
    expect(replaced.length).toBe(1);
    // A partial download of a process that is gone.
    const leftover = `${second[0]}.tmp-99999999-dead`;
    await writeFile(path.join(pkgs, 'cache', 'shards', leftover), 'partial');

    const dry = JSON.parse(await ok(['clean', '--shards', '--dry-run', '--json']));
    expect(dry.shards.map((f: string) => path.basename(f)).sort()).toEqual([...replaced, leftover].sort());
    expect(dry.indexCache).toEqual([]);
    expect(dry.bytes).toBeGreaterThan(0);

    const text = await ok(['clean', '--shards', '-y']);
    expect(text).toContain(`shard    ${path.join(pkgs, 'cache', 'shards', replaced[0] as string)}`);
    const kept = await cachedShards();
    expect(kept).not.toContain(replaced[0]);
    expect(kept).not.toContain(leftover);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((s) => second.includes(s))).toBe(true);

    // What is kept is enough to plan offline.
    const offline = JSON.parse(await ok(plan('c'), { CONDA_OFFLINE: '1' }));
    expect(offline.success).toBe(true);

    const all = JSON.parse(await ok(['clean', '--index-cache', '-y', '--json']));
    expect(all.indexCache).toEqual([path.join(pkgs, 'cache')]);
    expect(await cachedShards()).toEqual([]);
  });
});


/**
 * HTTP faults on a real server (test/helpers/channel-server.ts on 127.0.0.1): 500s,
 * resets, slow answers, truncated bodies, wrong Content-Length, corrupt .zst/.bz2
 * repodata, a channel that changes between two requests. Each must end in a retry that
 * succeeds or a clear error, and never leave a bad file the caches trust: after every
 * case, a run without faults must succeed and leave the prefix and the cache whole.
 */
import { cp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ChannelServer, type Fault } from '../../helpers/channel-server.js';
import { indexChannel } from '../../../channels/indexer/index-channel.js';
import { clearError, describeRun, runCase, taipan, type CaseResult, type Category, type CliRun, type Context } from '../harness.js';
import { checkCache, checkPrefix, fresh, records, standardChannel, writePackage } from '../fixtures.js';

const PKG = /\/noarch\/app-1\.0-0\.tar\.bz2$/;
const REPODATA = /repodata|\.msgpack\.zst$/;

interface HttpCase {
  name: string;
  faults: Fault[];
  /** 'retry': the faulty run must succeed; 'error': it must fail clearly; 'either'. */
  expect: 'retry' | 'error' | 'either';
  /** Change the served channel before the faulty run (and undo it after). */
  channel?: (dir: string) => Promise<void>;
  quick?: boolean;
}

const CASES: HttpCase[] = [
  { name: 'package: HTTP 500 twice, then fine', faults: [{ path: PKG, kind: 'status', status: 500, times: 2 }], expect: 'retry', quick: true },
  { name: 'package: HTTP 503 on every request', faults: [{ path: PKG, kind: 'status', status: 503 }], expect: 'error' },
  { name: 'package: connection reset mid-body', faults: [{ path: PKG, kind: 'reset', times: 1 }], expect: 'retry' },
  { name: 'package: reset on every request', faults: [{ path: PKG, kind: 'reset' }], expect: 'error' },
  { name: 'package: truncated body once (hash catches it)', faults: [{ path: PKG, kind: 'truncate', times: 1 }], expect: 'retry', quick: true },
  { name: 'package: truncated body always', faults: [{ path: PKG, kind: 'truncate' }], expect: 'error' },
  { name: 'package: wrong Content-Length once', faults: [{ path: PKG, kind: 'wrong-length', times: 1 }], expect: 'retry' },
  { name: 'package: wrong Content-Length always', faults: [{ path: PKG, kind: 'wrong-length' }], expect: 'error' },
  { name: 'package: slow answer (1.5 s)', faults: [{ path: PKG, kind: 'slow', delayMs: 1500 }], expect: 'retry' },
  { name: 'repodata: HTTP 500 twice', faults: [{ path: REPODATA, kind: 'status', status: 500, times: 2 }], expect: 'retry' },
  { name: 'repodata: HTTP 500 always', faults: [{ path: REPODATA, kind: 'status', status: 500 }], expect: 'error' },
  { name: 'repodata: reset mid-body once', faults: [{ path: REPODATA, kind: 'reset', times: 1 }], expect: 'retry' },
  { name: 'repodata: truncated bodies', faults: [{ path: REPODATA, kind: 'truncate' }], expect: 'either', quick: true },
  { name: 'repodata: wrong Content-Length', faults: [{ path: REPODATA, kind: 'wrong-length' }], expect: 'either' },
  { name: 'repodata: slow answers (1 s)', faults: [{ path: REPODATA, kind: 'slow', delayMs: 1000 }], expect: 'retry' },
  {
    name: 'repodata: corrupt repodata.json.zst (no shards)',
    faults: [],
    expect: 'either',
    quick: true,
    channel: async (dir) => {
      await removeShards(dir);
      await writeFile(path.join(dir, 'noarch', 'repodata.json.zst'), Buffer.from('(\xb5/\xfd garbage that is not zstd', 'latin1'));
    },
  },
  {
    name: 'repodata: corrupt repodata.json.bz2 (no .zst, no shards)',
    faults: [],
    expect: 'either',
    channel: async (dir) => {
      await removeShards(dir);
      await rm(path.join(dir, 'noarch', 'repodata.json.zst'), { force: true });
      await writeFile(path.join(dir, 'noarch', 'repodata.json.bz2'), Buffer.concat([Buffer.from('BZh91AY&SY'), Buffer.alloc(200, 7)]));
    },
  },
  {
    name: 'repodata: zst that decodes to invalid JSON',
    faults: [],
    expect: 'error',
    channel: async (dir) => {
      await removeShards(dir);
      const { zstdCompressChecked } = await import('../../../channels/archive/zstd-compress.js');
      await writeFile(path.join(dir, 'noarch', 'repodata.json.zst'), await zstdCompressChecked(Buffer.from('{"packages": {"x": '), 3, 'bad'));
    },
  },
  {
    name: 'package changed on the server after the index (stale sha256)',
    faults: [],
    expect: 'error',
    quick: true,
    channel: async (dir) => {
      const file = path.join(dir, 'noarch', 'app-1.0-0.tar.bz2');
      const bytes = await readFile(file);
      bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 0xff;
      await writeFile(file, bytes);
    },
  },
];

async function removeShards(dir: string): Promise<void> {
  for (const name of await readdir(path.join(dir, 'noarch'))) {
    if (name.endsWith('.msgpack.zst')) await rm(path.join(dir, 'noarch', name));
  }
}

/** Cached repodata the cache vouches for (a state file whose size matches) must parse. */
async function badCachedRepodata(pkgs: string): Promise<string[]> {
  const dir = path.join(pkgs, 'cache');
  const bad: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.state.json')) continue;
    const content = path.join(dir, `${name.slice(0, -'.state.json'.length)}.json`);
    const state = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { size: number };
    const size = await stat(content).then((s) => s.size, () => -1);
    if (size !== state.size) continue; // not vouched for
    try {
      JSON.parse(await readFile(content, 'utf8'));
    } catch {
      bad.push(`cached repodata ${path.basename(content)} is trusted but does not parse`);
    }
  }
  return bad;
}

export const httpFaults: Category = {
  name: 'HTTP faults',
  async run(context: Context): Promise<CaseResult[]> {
    const pristine = path.join(context.work, 'pristine');
    await standardChannel(pristine);
    const served = path.join(context.work, 'served');
    const server = await ChannelServer.start(served);
    const results: CaseResult[] = [];
    try {
      const cases = context.quick ? CASES.filter((c) => c.quick) : CASES;
      for (const [i, c] of cases.entries()) {
        results.push(
          await runCase(c.name, async () => {
            await fresh(served);
            await cp(pristine, served, { recursive: true });
            if (c.channel) await c.channel(served);
            server.clearFaults();
            for (const fault of c.faults) server.addFault(fault);
            const pkgs = path.join(context.work, `pkgs-${i}`);
            const prefix = path.join(context.work, `env-${i}`);
            const env = { TAIPAN_PKGS_DIRS: pkgs };
            const faulty = await taipan(['create', '-y', '-p', prefix, '-c', server.url, 'app', 'tool'], context, env);
            const ok = faulty.status === 0;
            const asExpected = c.expect === 'retry' ? ok : c.expect === 'error' ? clearError(faulty) : ok || clearError(faulty);
            const damage = [...(await checkCache(pkgs)).details, ...(await checkPrefix(prefix)).details, ...(await badCachedRepodata(pkgs))];
            if (ok && (await records(prefix)).length !== 3) damage.push(`the prefix holds ${(await records(prefix)).length} records instead of 3`);
            // The next run, without faults and with the channel repaired, must succeed from whatever was cached.
            server.clearFaults();
            await fresh(served);
            await cp(pristine, served, { recursive: true });
            const again: CliRun = ok
              ? await taipan(['install', '-y', '-p', prefix, '-c', server.url, 'pkg0'], context, env)
              : await taipan(['create', '-y', '-p', prefix, '-c', server.url, 'app', 'tool'], context, env);
            damage.push(...(await checkCache(pkgs)).details, ...(await checkPrefix(prefix)).details, ...(await badCachedRepodata(pkgs)));
            await rm(pkgs, { recursive: true, force: true });
            await rm(prefix, { recursive: true, force: true });
            return {
              survived: asExpected && again.status === 0,
              lost: damage.length,
              detail: `${!asExpected ? `faulty run: ${describeRun(faulty)}; ` : ''}${again.status !== 0 ? `next run: ${describeRun(again)}; ` : ''}${damage.join('; ')}`,
            };
          }),
        );
      }
      results.push(await runCase('repodata changes between two requests (new ETag, new package)', () => changingRepodata(context, server, pristine, served)));
    } finally {
      await server.close();
    }
    return results;
  },
};

async function changingRepodata(context: Context, server: ChannelServer, pristine: string, served: string): Promise<Omit<CaseResult, 'name'>> {
  await fresh(served);
  await cp(pristine, served, { recursive: true });
  const pkgs = path.join(context.work, 'pkgs-change');
  const prefix = path.join(context.work, 'env-change');
  const env = { TAIPAN_PKGS_DIRS: pkgs };
  const first = await taipan(['create', '-y', '-p', prefix, '-c', server.url, 'tool'], context, env);
  // The channel publishes a new package between the two runs.
  await writePackage(served, { name: 'late', version: '3.0', files: { 'share/late.txt': 'late\n' } });
  await indexChannel(served);
  const second = await taipan(['install', '-y', '-p', prefix, '-c', server.url, 'late'], context, env);
  const damage = [...(await checkCache(pkgs)).details, ...(await checkPrefix(prefix)).details, ...(await badCachedRepodata(pkgs))];
  const recs = await records(prefix);
  return {
    survived: first.status === 0 && second.status === 0 && recs.some((r) => r.startsWith('late-3.0')),
    lost: damage.length,
    detail: `${describeRun(first)} | ${describeRun(second)} | ${damage.join('; ')}`,
  };
}

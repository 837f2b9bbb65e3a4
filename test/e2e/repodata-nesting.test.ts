/**
 * Repodata nested 200,000 levels deep, in a record's depends, in `info`, in `removed`, in
 * an extra field and as the whole file, read from a local channel, over HTTP (repodata.json)
 * and as CEP-16 shards: the real CLI ends with INVALID_REPODATA, never with "Maximum call
 * stack size exceeded" (issue 13 §6).
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encode } from '@msgpack/msgpack';
import { zstdCompressChecked } from '../../channels/archive/index.js';
import { ChannelServer } from '../helpers/channel-server.js';
import { runCli, runCliAsync, type CliResult } from '../helpers/cli.js';

const DEPTH = 200_000;
const deepArray = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
const record = (extra = ''): string => `{"name":"a","version":"1","build":"0","build_number":0,"depends":[],"subdir":"noarch"${extra}}`;

/** repodata.json texts, each hostile in one place. */
const REPODATA: Record<string, string> = {
  'depends': `{"info":{"subdir":"noarch"},"packages":{"a-1-0.tar.bz2":{"name":"a","version":"1","build":"0","build_number":0,"subdir":"noarch","depends":${deepArray}}},"packages.conda":{}}`,
  'info': `{"info":{"x":${deepArray}},"packages":{"a-1-0.tar.bz2":${record()}},"packages.conda":{}}`,
  'removed': `{"info":{"subdir":"noarch"},"removed":${deepArray},"packages":{"a-1-0.tar.bz2":${record()}}}`,
  'an extra field': `{"info":{"subdir":"noarch"},"packages":{"a-1-0.tar.bz2":${record(`,"extra":${deepArray}`)}}}`,
  'nested objects': `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`,
  'the whole file': deepArray,
};

function expectInvalidRepodata(run: CliResult): void {
  expect(run.stderr).not.toMatch(/call stack|unexpected failure|RangeError/);
  expect(run.stderr).toMatch(/^error: .*(nested more than 128 levels|holds a JSON object)/m);
  expect(run.status).toBe(1);
}

describe('repodata nested far too deep', () => {
  let work: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-nesting-'));
    env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs'), TAIPAN_SUBDIR: 'linux-64' };
    for (const [name, text] of Object.entries(REPODATA)) {
      await mkdir(path.join(work, name, 'noarch'), { recursive: true });
      await writeFile(path.join(work, name, 'noarch', 'repodata.json'), text);
    }
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test.each(Object.keys(REPODATA))('a local channel, nested in %s: INVALID_REPODATA', (name) => {
    const run = runCli(['create', '--dry-run', '-y', '-p', path.join(work, 'env'), '-c', path.join(work, name), '--override-channels', 'a'], env);
    expectInvalidRepodata(run);
    if (name !== 'the whole file') expect(run.stderr).toContain(`'${path.join(work, name, 'noarch', 'repodata.json')}' is not valid repodata JSON`);
  });

  test.each(['depends', 'info', 'nested objects'])('over HTTP, nested in %s: INVALID_REPODATA, in JSON too', async (name) => {
    const server = await ChannelServer.start(path.join(work, name));
    try {
      const run = await runCliAsync(['create', '--dry-run', '--json', '-y', '-p', path.join(work, 'env'), '-c', server.url, '--override-channels', 'a'], env);
      expect(run.status).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ success: false, error: { code: 'INVALID_REPODATA' } });
      expect(run.stderr).not.toMatch(/call stack|unexpected failure/);
    } finally {
      await server.close();
    }
  });

  test('CEP-16 shards whose depends are nested 200,000 deep: INVALID_REPODATA naming the shard', async () => {
    const channel = path.join(work, 'sharded');
    const noarch = path.join(channel, 'noarch');
    await mkdir(noarch, { recursive: true });
    // msgpack's encoder recurses, so the deep array is spliced in as bytes: fixarray(1) N times.
    const marker = '__deep__';
    const plain = Buffer.from(encode({ packages: {}, 'packages.conda': { 'a-1-0.conda': { name: 'a', version: '1', build: '0', build_number: 0, depends: [marker] } } }));
    const at = plain.indexOf(Buffer.from(marker));
    const shard = Buffer.concat([plain.subarray(0, at - 1), Buffer.alloc(DEPTH, 0x91), Buffer.from([0x90]), plain.subarray(at + marker.length)]);
    const compressed = Buffer.from(await zstdCompressChecked(shard, 3, 'shard'));
    const hash = createHash('sha256').update(compressed).digest();
    await writeFile(path.join(noarch, `${hash.toString('hex')}.msgpack.zst`), compressed);
    const index = encode({ version: 1, info: { base_url: '', shards_base_url: '', subdir: 'noarch' }, shards: { a: hash } });
    await writeFile(path.join(noarch, 'repodata_shards.msgpack.zst'), await zstdCompressChecked(index, 3, 'index'));
    // No repodata.json: the shards are all there is to read.
    const server = await ChannelServer.start(channel);
    try {
      const run = await runCliAsync(['create', '--dry-run', '-y', '-p', path.join(work, 'env'), '-c', server.url, '--override-channels', 'a'], env);
      expect(run.stderr).toContain(`${hash.toString('hex')}.msgpack.zst' holds arrays and maps nested more than 128 levels deep`);
      expect(run.stderr).not.toMatch(/call stack|unexpected failure/);
      expect(run.status).toBe(1);
    } finally {
      await server.close();
    }
  });

  test('nesting at the depth real repodata has still loads', async () => {
    const channel = path.join(work, 'shallow');
    await mkdir(path.join(channel, 'noarch'), { recursive: true });
    const nested = '['.repeat(100) + ']'.repeat(100);
    await writeFile(path.join(channel, 'noarch', 'repodata.json'), `{"info":{"subdir":"noarch","x":${nested}},"packages":{"a-1-0.tar.bz2":${record(`,"extra":${nested}`)}}}`);
    const run = runCli(['create', '--dry-run', '-y', '-p', path.join(work, 'env'), '-c', channel, '--override-channels', 'a'], env);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

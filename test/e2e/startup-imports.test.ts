/**
 * What a command loads: the built CLI, run as a real process with a hook that logs every npm
 * package it loads (test/helpers/import-log), must plan an environment from a folder channel of
 * plain repodata.json without importing the archive, compression, YAML or semver libraries —
 * each costs 10 to 45 ms of start-up. A real create must load them, which also shows the hook
 * sees them.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { runCli, type CliResult } from '../helpers/cli.js';

/** Libraries only archive extraction, compressed repodata, YAML files or odd Node versions need. */
const HEAVY = ['yaml', 'semver', 'tar', 'yauzl', 'yazl', '@msgpack/msgpack', 'unbzip2-stream', 'fzstd', '@bokuweb/zstd-wasm', '@foxglove/wasm-bz2', 'compressjs'];

const REGISTER = pathToFileURL(path.resolve(process.cwd(), 'test', 'helpers', 'import-log', 'register.mjs')).href;

let work: string;
let channel: string;
let runs = 0;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-imports-'));
  channel = path.join(work, 'channel');
  await makeDemoChannel(channel);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Run the CLI with the import log on: its result and the npm packages it loaded. */
async function runLogged(args: readonly string[]): Promise<{ result: CliResult; packages: Set<string> }> {
  const log = path.join(work, `imports-${++runs}.txt`);
  const result = runCli(args, {
    TAIPAN_PKGS_DIRS: path.join(work, 'pkgs'),
    TAIPAN_IMPORT_LOG: log,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${JSON.stringify(REGISTER)}`.trim(),
  });
  if (result.status !== 0) throw new Error(`taipan ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  const packages = new Set((await readFile(log, 'utf8')).split('\n').filter((line) => line !== ''));
  return { result, packages };
}

describe('start-up imports', () => {
  test('create --dry-run from plain repodata.json loads none of the heavy libraries', async () => {
    const { result, packages } = await runLogged(['create', '--dry-run', '--json', '-p', path.join(work, 'never-created'), '-c', channel, 'hello-taipan']);
    expect(JSON.parse(result.stdout)).toMatchObject({ success: true, dry_run: true });
    expect(packages).toContain('commander');
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
  });

  test('a real create extracts (and loads the libraries for it); install --dry-run into it loads none', async () => {
    const prefix = path.join(work, 'env');
    const created = await runLogged(['create', '-y', '--json', '-p', prefix, '-c', channel, 'hello-taipan']);
    expect(JSON.parse(created.result.stdout)).toMatchObject({ success: true });
    expect(['tar', 'yauzl'].filter((name) => created.packages.has(name))).toEqual(['tar', 'yauzl']);

    const { result, packages } = await runLogged(['install', '--dry-run', '--json', '-p', prefix, '-c', channel, 'taipan-greetings']);
    expect(JSON.parse(result.stdout)).toMatchObject({ success: true, dry_run: true });
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
  });
});

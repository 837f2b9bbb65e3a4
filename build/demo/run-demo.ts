/**
 * `npm run demo`: the main job on the embedded demo channel. Builds the channel, then runs
 * the real CLI as a user would: create an environment, list it, run the installed tool.
 * Everything goes under one temporary folder (environment and package cache), which is
 * printed so it can be looked at, and left in place.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDemoChannel } from './make-demo-channel.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'main.js');

function run(shown: string, command: string, args: string[], env: NodeJS.ProcessEnv): void {
  const visible = command === process.execPath ? args.slice(1) : args;
  process.stdout.write(`\n$ ${shown} ${visible.join(" ")}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    process.stderr.write(`demo step failed with exit code ${result.status}\n`);
    process.exit(result.status ?? 1);
  }
}

const work = await mkdtemp(path.join(os.tmpdir(), 'taipan-demo-'));
const channel = path.join(work, 'channel');
const prefix = path.join(work, 'envs', 'demo');
const env = { ...process.env, TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };

await makeDemoChannel(channel);
process.stdout.write(`demo channel written to ${channel}\n`);
run('taipan', process.execPath, [cli, 'create', '-y', '-p', prefix, '-c', channel, 'hello-taipan'], env);
run('taipan', process.execPath, [cli, 'list', '-p', prefix], env);
run(path.join(prefix, 'bin', 'hello-taipan'), path.join(prefix, 'bin', 'hello-taipan'), ['fr'], env);
process.stdout.write(`\nThe demo environment is in ${prefix}; remove ${work} when done.\n`);

/**
 * `npm run demo`: the main job on the embedded demo channel. Builds the channel from the
 * recipes in build/demo/packages (the C library and tool with the machine's compiler, the
 * noarch: python package against its python3), then runs the real CLI as a user would:
 * create an environment, list it, run the installed tools, and install the C tool into a
 * prefix of another length, which rewrites the prefix compiled into its library.
 * Everything goes under one temporary folder (environments and package cache), which is
 * printed so it can be looked at, and left in place.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoSourcesDir, makeDemoChannel } from './make-demo-channel.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'main.js');

function run(shown: string, command: string, args: string[], env: NodeJS.ProcessEnv): void {
  const visible = command === process.execPath ? args.slice(1) : args;
  process.stdout.write(`\n$ ${shown} ${visible.join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    process.stderr.write(`demo step failed with exit code ${result.status}\n`);
    process.exit(result.status ?? 1);
  }
}

const taipan = (args: string[], env: NodeJS.ProcessEnv): void => run('taipan', process.execPath, [cli, ...args], env);
const tool = (prefix: string, name: string, args: string[], env: NodeJS.ProcessEnv): void => {
  const file = path.join(prefix, 'bin', name);
  run(file, file, args, env);
};

const work = await mkdtemp(path.join(os.tmpdir(), 'taipan-demo-'));
const channel = path.join(work, 'channel');
const prefix = path.join(work, 'envs', 'demo');
const env = { ...process.env, TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };

process.stdout.write(`building the demo channel from ${demoSourcesDir()} with taipan's builder...\n`);
const written = await makeDemoChannel(channel, { full: true, onSkip: (reason) => process.stdout.write(`skipped: ${reason}\n`) });
process.stdout.write(`demo channel written to ${channel}:\n${written.map((f) => `  ${path.relative(channel, f)}\n`).join('')}`);
const built = (name: string): boolean => written.some((f) => path.basename(f).startsWith(`${name}-`));
const hasC = built('taipan-hello-c');
const hasPython = built('taipan-hello-py');

taipan(['create', '-y', '-p', prefix, '-c', channel, 'hello-taipan', ...(hasC ? ['taipan-hello-c'] : []), ...(hasPython ? ['taipan-hello-py'] : [])], env);
taipan(['list', '-p', prefix], env);
tool(prefix, 'hello-taipan', ['fr'], env);
if (hasC) tool(prefix, 'taipan-hello-c', ['de'], env);
if (hasPython) tool(prefix, 'taipan-hello-py', ['es'], env);
if (hasC) {
  const longer = path.join(work, 'envs', 'a-prefix-of-another-length', 'for-the-c-tool');
  taipan(['create', '-y', '-q', '-p', longer, '-c', channel, 'taipan-hello-c'], env);
  tool(longer, 'taipan-hello-c', ['en'], env);
}
process.stdout.write(`\nThe demo environment is in ${prefix}; remove ${work} when done.\n`);

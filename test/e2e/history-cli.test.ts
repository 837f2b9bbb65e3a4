/**
 * conda-meta/history through the real CLI (issue 13): after `install --revision N` every
 * later command still works on the environment, and a history with lines nobody can read
 * still lets every command work, with one warning line naming the file and the line.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { useTempChannel } from '../helpers/temp-channel.js';
import { runCli, type CliResult } from '../helpers/cli.js';

let work: string;
let channel: string;
let env: NodeJS.ProcessEnv;
// Spaces in both paths: the channel URL in the history lines carries one.
useTempChannel('e2e history', makeDemoChannel, { channelName: 'my channel', ready: (w) => ({ work, channel, env } = w) });

function run(args: string[]): CliResult {
  const result = runCli(args, env);
  if (result.status !== 0) throw new Error(`taipan ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result;
}

function installed(prefix: string): string[] {
  return JSON.parse(run(['list', '-p', prefix, '--json']).stdout)
    .map((r: { name: string; version: string }) => `${r.name}=${r.version}`)
    .sort();
}

/** Every command that reads the history, run on `prefix`; the stderr of each. */
function everyCommand(prefix: string): string[] {
  const file = path.join(work, `${path.basename(prefix)}.yml`);
  const steps: string[][] = [
    ['install', '-y', '-p', prefix, '-c', channel, 'hello-taipan'],
    ['update', '-y', '-p', prefix, '-c', channel, 'taipan-greetings'],
    ['remove', '-y', '-p', prefix, 'hello-taipan'],
    ['env', 'export', '-p', prefix, '--from-history', '-f', file],
    ['env', 'update', '-p', prefix, '-f', file],
    ['list', '-p', prefix, '--revisions'],
    ['install', '-y', '-p', prefix, '-c', channel, '--revision', '0'],
  ];
  return steps.map((args) => run(args).stderr);
}

test('install --revision N, then install, update, remove, env export --from-history, env update', async () => {
  const prefix = path.join(work, 'envs', 'reverted');
  run(['create', '-y', '-p', prefix, '-c', channel, 'taipan-greetings']);
  run(['install', '-y', '-p', prefix, '-c', channel, 'hello-taipan']);
  run(['install', '-y', '-p', prefix, '-c', channel, '--revision', '0']);
  expect(installed(prefix)).toEqual(['taipan-greetings=2.0.0']);
  // What the user asked for at revision 0, not the exact pins the revert solved with.
  const history = await readFile(path.join(prefix, 'conda-meta', 'history'), 'utf8');
  expect(history.trimEnd().split('\n').slice(-2)).toEqual(["# remove specs: ['hello-taipan']", "# update specs: ['taipan-greetings']"]);

  run(['install', '-y', '-p', prefix, '-c', channel, 'hello-taipan']);
  expect(installed(prefix)).toEqual(['hello-taipan=1.0.0', 'taipan-greetings=1.1.0']);
  run(['update', '-y', '-p', prefix, '-c', channel, 'taipan-greetings']);
  run(['remove', '-y', '-p', prefix, 'hello-taipan']);
  expect(installed(prefix)).toEqual(['taipan-greetings=1.1.0']);
  expect(parseYaml(run(['env', 'export', '-p', prefix, '--from-history']).stdout).dependencies).toEqual(['taipan-greetings']);

  // A spec that carries the channel's file:// URL (with its space) in quoted brackets.
  run(['install', '-y', '-p', prefix, '-c', channel, `taipan-greetings<2[channel='${pathToFileURL(channel).href}']`]);
  expect(installed(prefix)).toEqual(['taipan-greetings=1.1.0']);
  run(['install', '-y', '-p', prefix, '-c', channel, '--revision', '0']);
  const stderrs = everyCommand(prefix);
  expect(stderrs.filter((s) => s.includes('warning'))).toEqual([]);
  expect(installed(prefix)).toEqual(['taipan-greetings=2.0.0']);
});

test('garbage in the history: every command works and warns once, naming the file and the line', async () => {
  const prefix = path.join(work, 'envs', 'damaged');
  run(['create', '-y', '-p', prefix, '-c', channel, 'taipan-greetings']);
  const file = path.join(prefix, 'conda-meta', 'history');
  const lines = (await readFile(file, 'utf8')).split('\n').length;
  await appendFile(file, "this is not a history line\n# update specs: ['unterminated\n");
  for (const stderr of everyCommand(prefix)) {
    const warnings = stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual([
      `warning: skipped line ${lines} of '${file}' (not channel::name-version-build): "this is not a history line"`,
      `warning: skipped line ${lines + 1} of '${file}' (the specs are not a Python list of strings: unterminated string at column 16): "# update specs: ['unterminated"`,
    ]);
  }
  expect(installed(prefix)).toEqual(['taipan-greetings=2.0.0']);
});

test('a history written by conda, with its own quoting, is read by every command', async () => {
  const prefix = path.join(work, 'envs', 'by-conda');
  run(['create', '-y', '-p', prefix, '-c', channel, 'taipan-greetings']);
  const file = path.join(prefix, 'conda-meta', 'history');
  const dist = (await readFile(file, 'utf8')).split('\n').find((l) => l.startsWith('+')) as string;
  // As conda 25 writes a create: channel/subdir dists, and a repr list with both quote styles.
  await writeFile(
    file,
    [
      '==> 2025-03-14 13:51:04 <==',
      `# cmd: /opt/conda/bin/conda create -p ${prefix} "taipan-greetings[version='>=1']"`,
      '# conda version: 25.1.2',
      dist.replace(/::/, '/noarch::'),
      `# update specs: ["taipan-greetings[version='>=1']", 'it\\'s no spec']`,
      '',
    ].join('\n'),
  );
  // The spec that is no spec is skipped with a warning; the rest of its line counts.
  const warning = `warning: skipped line 5 of '${file}' ('it's no spec' is not a match spec): ${JSON.stringify(`# update specs: ["taipan-greetings[version='>=1']", 'it\\'s no spec']`)}`;
  for (const stderr of everyCommand(prefix)) expect(stderr.split('\n').filter((l) => l.startsWith('warning:'))).toEqual([warning]);
  expect(parseYaml(run(['env', 'export', '-p', prefix, '--from-history']).stdout).dependencies).toEqual(["taipan-greetings[version='>=1']"]);
});

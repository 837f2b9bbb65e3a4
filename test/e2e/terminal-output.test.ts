/**
 * What a person sees (issue 14 §3), through the real CLI: the plan table on a 100-column
 * pseudo-terminal (tmux) with short channel names and the total download, the Proceed
 * question asking again and taking Ctrl-D as no, a closed stdout pipe ending quietly, and
 * "did you mean" for package, environment and setting names.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { CLI, runCli } from '../helpers/cli.js';
import { writePackage } from '../reliability/fixtures.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('tmux is not installed: the pseudo-terminal tests are skipped (.ci/run installs it)');
const withTmux = hasTmux ? test : test.skip;

let work: string;
let home: string;
/** A folder name longer than the table has room for. */
let channel: string;
let upstream: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-terminal-'));
  home = path.join(work, 'home');
  channel = path.join(work, 'a-channel-folder-whose-name-is-much-too-long-for-a-terminal-table');
  upstream = path.join(work, 'upstream');
  env = { HOME: home, TAIPAN_PKGS_DIRS: path.join(work, 'pkgs'), TAIPAN_ENVS_DIRS: path.join(work, 'envs') };
  const files = (name: string): Record<string, string> => ({ [`share/${name}/data.txt`]: `${name}\n`.repeat(200) });
  await writePackage(channel, { name: 'hello-world', files: files('hello') });
  await writePackage(channel, {
    name: 'a-package-with-a-rather-long-name-indeed',
    version: '2024.10.15.post1234567',
    build: 'py311h1234567_the_longest_build_string_0',
    files: files('long'),
  });
  await writePackage(channel, { name: 'shared', version: '1.0', files: files('shared') });
  await writePackage(channel, { name: 'needs-typo', depends: ['hello_world'], files: files('typo') });
  await indexChannel(channel);
  await writePackage(upstream, { name: 'shared', version: '2.0', files: files('shared2') });
  await indexChannel(upstream);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A tmux session 100 columns wide running taipan; `keys` typed in turn; the screen, wrapped lines joined. */
function onTerminal(args: string[], keys: string[][]): string {
  const session = `taipan-term-${process.pid}-${Date.now()}`;
  const envText = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ');
  const command = `env ${envText} '${process.execPath}' '${CLI}' ${args.map((a) => `'${a}'`).join(' ')}; echo "EXIT=$?"; sleep 60`;
  spawnSync('tmux', ['new-session', '-d', '-s', session, '-x', '100', '-y', '50', command]);
  try {
    waitFor(session, /Proceed \(\[y\]\/n\)\? $/m);
    for (const sequence of keys) {
      spawnSync('tmux', ['send-keys', '-t', session, ...sequence]);
      spawnSync('sleep', ['0.3']);
    }
    return waitFor(session, /EXIT=\d+/);
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
  }
}

function waitFor(session: string, pattern: RegExp): string {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const screen = spawnSync('tmux', ['capture-pane', '-p', '-J', '-t', session], { encoding: 'utf8' }).stdout;
    if (pattern.test(screen) || Date.now() > deadline) return screen;
    spawnSync('sleep', ['0.2']);
  }
}

describe('the plan on a 100-column terminal', () => {
  withTmux('fits, names the channel by its folder, totals the download; an unclear answer is asked again, n declines', () => {
    const screen = onTerminal(['create', '-n', 'shown', '-c', channel, 'hello-world', 'a-package-with-a-rather-long-name-indeed'], [['maybe', 'Enter'], ['n', 'Enter']]);
    const table = screen.slice(0, screen.indexOf('Proceed'));
    for (const line of table.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    expect(table).toMatch(/hello-world +1\.0 +0 +…\S*-terminal-table +\d+(\.\d)? (B|KB)$/m);
    expect(table).toContain('…');
    expect(table).not.toContain('file://');
    expect(table).toMatch(/^ {2}Total download: \d+\.\d KB \(2 packages\)$/m);
    expect(screen).toMatch(/Invalid choice: maybe/);
    expect(screen.match(/Proceed \(\[y\]\/n\)\?/g)).toHaveLength(2);
    expect(screen).toContain('Nothing was changed.');
    expect(screen).toContain('EXIT=0');
    expect(existsSync(path.join(work, 'envs', 'shown'))).toBe(false);
  });

  withTmux('Ctrl-D at the question is no, and says so', () => {
    const screen = onTerminal(['create', '-n', 'eof', '-c', channel, 'hello-world'], [['C-d']]);
    expect(screen).toContain('no answer (end of input): taken as no');
    expect(screen).toContain('Nothing was changed.');
    expect(existsSync(path.join(work, 'envs', 'eof'))).toBe(false);
  });

  withTmux('Ctrl-C at the question interrupts: exit 130, one line, nothing changed', () => {
    const screen = onTerminal(['create', '-n', 'ctrlc', '-c', channel, 'hello-world'], [['C-c']]);
    expect(screen).toMatch(/^interrupted: nothing was changed$/m);
    expect(screen).toContain('EXIT=130');
    expect(existsSync(path.join(work, 'envs', 'ctrlc'))).toBe(false);
  });

  withTmux('YES (any case) goes ahead', () => {
    const screen = onTerminal(['create', '-n', 'yes', '-c', channel, 'hello-world'], [['YES', 'Enter']]);
    expect(screen).toContain('Done: 1 linked');
    expect(existsSync(path.join(work, 'envs', 'yes', 'conda-meta'))).toBe(true);
  });
});

describe('the plan without a terminal', () => {
  test('a package moving to a higher-priority channel says why; --json keeps conda\'s channel names', () => {
    expect(runCli(['create', '-y', '-n', 'moving', '-c', channel, 'shared'], env).status).toBe(0);
    const result = runCli(['install', '--dry-run', '-n', 'moving', '-c', upstream, '-c', channel, 'shared>=2'], env);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/shared +1\.0 -> 2\.0 +0 +upstream/);
    expect(result.stdout).toMatch(/^  shared: SUPERSEDED by a higher-priority channel \(…\S*-terminal-table -> upstream\)$/m);
    const json = JSON.parse(runCli(['install', '--dry-run', '--json', '-n', 'moving', '-c', upstream, '-c', channel, 'shared>=2'], env).stdout);
    expect(json.actions.LINK[0].channel).toMatch(/^file:\/\/.*\/upstream$/);
  });
});

describe('a closed stdout pipe', () => {
  test.each([
    ['search', `search '*' -c '${'CHANNEL'}'`],
    ['list', "list -n moving"],
    ['help', '--help'],
  ])('%s | (reader gone) ends with status 0 and nothing on stderr', (_label, args) => {
    const line = `'${process.execPath}' '${CLI}' ${args.replace('CHANNEL', channel)} | true; echo "status=\${PIPESTATUS[0]}" >&2`;
    // The reader has gone before node has even started, so every write meets a closed pipe.
    const result = spawnSync('bash', ['-c', line], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(result.stderr).toBe('status=0\n');
  });
});

describe('did you mean', () => {
  test('a package name with _ for - names the close package and its channel', () => {
    const result = runCli(['create', '--dry-run', '-n', 'typo', '-c', channel, 'hello_world'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("did you mean 'hello-world' (a-channel-folder-whose-name-is-much-too-long-for-a-terminal-table)?");
  });

  test('a misspelt package name', () => {
    const result = runCli(['create', '--dry-run', '-n', 'typo', '-c', channel, 'helo-world'], env);
    expect(result.stderr).toContain("did you mean 'hello-world'");
  });

  test('a dependency no channel has names the close package', () => {
    const result = runCli(['create', '--dry-run', '-n', 'typo', '-c', channel, 'needs-typo'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("no package named 'hello_world' is available (perhaps a missing channel); did you mean 'hello-world'");
  });

  test('remove and update of a name not installed name the installed one', () => {
    expect(runCli(['remove', '-y', '-n', 'moving', 'sharde'], env).stderr).toContain("(did you mean 'shared'?)");
    expect(runCli(['update', '-y', '-n', 'moving', '-c', channel, 'Shared_'], env).stderr).toContain("(did you mean 'shared'?)");
  });

  test('an environment name one letter off', () => {
    const result = runCli(['list', '-n', 'movin'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("did you mean 'moving'? (-n moving)");
    expect(runCli(['list', '-n', 'zzzzzz'], env).stderr).not.toContain('did you mean');
  });

  test('a misspelt setting', () => {
    const result = runCli(['config', '--set', 'chanels', 'x'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("unknown setting 'chanels' (did you mean 'channels'?)");
  });
});

/**
 * Activation in real shells: the hook from `taipan shell hook` is evaluated, `taipan
 * activate` puts the environment's tool on PATH with its variables and activate.d
 * scripts, and `taipan deactivate` restores the previous PATH exactly. Also `taipan run`.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { CLI, runCli } from '../helpers/cli.js';
import { sharedAvailable, sharedPath } from '../helpers/shared.js';

let work: string;
let prefix: string;
let env: NodeJS.ProcessEnv;
const withActivateScripts = sharedAvailable();

function installedShells(): string[] {
  return ['bash', 'zsh', 'fish'].filter((shell) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0);
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-shell-'));
  const channel = path.join(work, 'channel');
  await makeDemoChannel(channel);
  if (withActivateScripts) {
    // A real package with etc/conda/activate.d and deactivate.d scripts, indexed with ours.
    await copyFile(sharedPath('fixtures', 'packages', 'activate_deactivate_package-1.0-0.conda'), path.join(channel, 'noarch', 'activate_deactivate_package-1.0-0.conda'));
    await indexChannel(channel);
  }
  env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs'), TAIPAN_ENVS_DIRS: path.join(work, 'envs'), HOME: path.join(work, 'home') };
  await mkdir(path.join(work, 'home'), { recursive: true });
  prefix = path.join(work, 'envs', 'shelltest');
  const specs = ['hello-taipan', ...(withActivateScripts ? ['activate_deactivate_package'] : [])];
  const created = runCli(['create', '-y', '-n', 'shelltest', '-c', channel, ...specs], env);
  if (created.status !== 0) throw new Error(created.stderr);
  const vars = runCli(['env', 'config', 'vars', 'set', '-n', 'shelltest', 'GREETING_LANG=de', 'HOME_TOWN=Taipan'], env);
  if (vars.status !== 0) throw new Error(vars.stderr);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const SCRIPTS: Record<string, (hook: string) => string> = {
  bash: (hook) => `eval "$(${hook} shell hook --shell bash)"\n${POSIX_BODY}`,
  zsh: (hook) => `eval "$(${hook} shell hook --shell zsh)"\n${POSIX_BODY}`,
  fish: (hook) =>
    [
      `${hook} shell hook --shell fish | source`,
      'set before "$PATH"',
      'taipan activate shelltest',
      'echo "tool=$(command -v hello-taipan)"',
      'echo "prefix=$CONDA_PREFIX"',
      'echo "vars=$GREETING_LANG/$HOME_TOWN"',
      'echo "shlvl=$CONDA_SHLVL"',
      'hello-taipan $GREETING_LANG',
      'taipan deactivate',
      'if test "$PATH" = "$before"; echo path=restored; else; echo "path=changed $PATH"; end',
      'echo "after=$CONDA_PREFIX|$GREETING_LANG"',
    ].join('\n'),
};

const POSIX_BODY = [
  'before="$PATH"',
  'taipan activate shelltest',
  'echo "tool=$(command -v hello-taipan)"',
  'echo "prefix=$CONDA_PREFIX"',
  'echo "vars=$GREETING_LANG/$HOME_TOWN"',
  'echo "shlvl=$CONDA_SHLVL"',
  'echo "activate.d=${TEST:-none}"',
  'hello-taipan "$GREETING_LANG"',
  'taipan deactivate',
  '[ "$PATH" = "$before" ] && echo path=restored || echo "path=changed $PATH"',
  'echo "after=${CONDA_PREFIX:-}|${GREETING_LANG:-}"',
].join('\n');

describe('shell activation', () => {
  const shells = installedShells();
  if (shells.length < 3) console.log(`shell tests run in ${shells.join(', ')}; not installed here: ${['bash', 'zsh', 'fish'].filter((s) => !shells.includes(s)).join(', ')}`);

  test.each(shells)('%s: activate and deactivate', async (shell) => {
    const hook = `'${process.execPath}' '${CLI}'`;
    const script = path.join(work, `script.${shell}`);
    await writeFile(script, SCRIPTS[shell]!(hook));
    const result = spawnSync(shell, [script], { encoding: 'utf8', env: { ...process.env, ...env, CONDA_SHLVL: '', CONDA_PREFIX: '' } });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`tool=${path.join(prefix, 'bin', 'hello-taipan')}`);
    expect(result.stdout).toContain(`prefix=${prefix}`);
    expect(result.stdout).toContain('vars=de/Taipan');
    expect(result.stdout).toContain('shlvl=1');
    expect(result.stdout).toContain('Hallo aus einer taipan-Umgebung!');
    expect(result.stdout).toContain('path=restored');
    expect(result.stdout).toContain('after=|');
    if (withActivateScripts && shell !== 'fish') expect(result.stdout).toContain('activate.d=teststringfromactivate');
  });
});

describe('taipan run', () => {
  test('runs the tool with the environment active and passes its exit code through', () => {
    const ok = runCli(['run', '-n', 'shelltest', 'hello-taipan', 'es'], env);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('¡Hola desde un entorno taipan!');
    const failing = runCli(['run', '-n', 'shelltest', 'hello-taipan', 'xx'], env);
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain("no greeting for language 'xx'");
    const vars = runCli(['run', '-n', 'shelltest', 'sh', '-c', 'echo "$CONDA_PREFIX $HOME_TOWN ${TEST:-none}"; exit 7'], env);
    expect(vars.status).toBe(7);
    expect(vars.stdout.trim()).toBe(`${prefix} Taipan ${withActivateScripts ? 'teststringfromactivate' : 'none'}`);
  });

  test('an unknown environment is a clear error', () => {
    const result = runCli(['run', '-n', 'nope', 'true'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is not an environment');
  });
});

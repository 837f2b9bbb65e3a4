/**
 * The prompt in real shells: `taipan activate` puts `(name) ` before it, stacked and plain
 * activations replace the name, `taipan deactivate` restores the prompt byte for byte
 * (escape sequences, quotes, `$(...)`, newlines), and `changeps1: false` leaves it alone.
 * bash and zsh are checked through PS1, fish through what fish_prompt prints, and an
 * interactive bash and zsh in tmux through what the terminal shows.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { CLI, runCli } from '../helpers/cli.js';

let work: string;
let env: NodeJS.ProcessEnv;
const HOOK = `'${process.execPath}' '${CLI}'`;

function installed(shells: readonly string[]): string[] {
  return shells.filter((shell) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0);
}

/** A prompt with everything a user's PS1 may hold: escapes, a real ESC, quotes, expansions, a newline. */
const HOSTILE_PS1 = `\\[\\e[1;32m\\]\\u@\\h\x1b[0m 'q' "dq" $(echo run) \`echo tick\` %# \\$ \\\\ é\n> `;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-prompt-'));
  const channel = path.join(work, 'channel');
  await makeDemoChannel(channel);
  env = { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs'), TAIPAN_ENVS_DIRS: path.join(work, 'envs'), HOME: path.join(work, 'home') };
  await mkdir(path.join(work, 'home'), { recursive: true });
  for (const name of ['one', 'two']) {
    const created = runCli(['create', '-y', '-n', name, '-c', channel, 'hello-taipan'], env);
    if (created.status !== 0) throw new Error(created.stderr);
  }
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs `body` in `shell` with the hook loaded and PS1 set from TEST_PS1; the files it wrote, by name. */
async function inShell(shell: string, body: string, extra: NodeJS.ProcessEnv = {}): Promise<(name: string) => Promise<string>> {
  const out = await mkdtemp(path.join(work, `${shell}-`));
  const script = path.join(out, 'script');
  await writeFile(script, `eval "$(${HOOK} shell hook --shell ${shell})"\nPS1=$TEST_PS1\nOUT='${out}'\n${body}\n`);
  const result = spawnSync(shell, [script], { encoding: 'utf8', env: { ...process.env, ...env, CONDA_PREFIX: '', CONDA_SHLVL: '', TEST_PS1: HOSTILE_PS1, ...extra } });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return (name) => readFile(path.join(out, name), 'utf8');
}

const save = (name: string, value = '$PS1'): string => `printf '%s' "${value}" > "$OUT/${name}"`;

describe('PS1 in bash and zsh', () => {
  const shells = installed(['bash', 'zsh']);
  if (shells.length < 2) console.log(`prompt tests run in ${shells.join(', ') || 'no shell'}; not installed here: ${['bash', 'zsh'].filter((s) => !shells.includes(s)).join(', ')}`);

  test.each(shells)('%s: activate prefixes (name), another activation replaces it, deactivate restores byte for byte', async (shell) => {
    const read = await inShell(
      shell,
      [
        save('0'),
        save('path0', '$PATH'),
        'taipan activate one',
        save('1'),
        'taipan activate two',
        save('2'),
        save('path2', '$PATH'),
        'taipan deactivate',
        save('3'),
        'taipan deactivate',
        save('4'),
        save('path4', '$PATH'),
        save('left', '${CONDA_SHLVL}|${CONDA_PREFIX-unset}|${CONDA_PROMPT_MODIFIER-unset}|${CONDA_DEFAULT_ENV-unset}|${_TAIPAN_PS1_1-unset}'),
      ].join('\n'),
    );
    expect(await read('0')).toBe(HOSTILE_PS1);
    expect(await read('1')).toBe(`(one) ${HOSTILE_PS1}`);
    expect(await read('2')).toBe(`(two) ${HOSTILE_PS1}`);
    // Not stacked: the first environment leaves PATH.
    expect(await read('path2')).not.toContain(path.join(work, 'envs', 'one', 'bin'));
    expect(await read('3')).toBe(`(one) ${HOSTILE_PS1}`);
    expect(Buffer.from(await read('4'))).toEqual(Buffer.from(HOSTILE_PS1));
    expect(await read('path4')).toBe(await read('path0'));
    expect(await read('left')).toBe('0|unset|unset|unset|unset');
  });

  test.each(shells)('%s: stacked activation keeps both on PATH, and unwinds level by level', async (shell) => {
    const read = await inShell(
      shell,
      [
        'taipan activate one',
        save('path1', '$PATH'),
        'taipan activate --stack two',
        save('2'),
        save('path2', '$PATH'),
        save('lvl2', '$CONDA_SHLVL'),
        'taipan deactivate',
        save('3'),
        save('path3', '$PATH'),
        'taipan deactivate',
        save('4'),
      ].join('\n'),
    );
    const bin = (name: string): string => path.join(work, 'envs', name, 'bin');
    expect(await read('2')).toBe(`(two) ${HOSTILE_PS1}`);
    expect(await read('path2')).toBe(`${bin('two')}:${await read('path1')}`);
    expect(await read('lvl2')).toBe('2');
    expect(await read('3')).toBe(`(one) ${HOSTILE_PS1}`);
    expect(await read('path3')).toBe(await read('path1'));
    expect(await read('4')).toBe(HOSTILE_PS1);
  });

  test.each(shells)('%s: changeps1 false (in ~/.condarc, or CONDA_CHANGEPS1) leaves the prompt alone', async (shell) => {
    const home = path.join(work, `home-${shell}-nops1`);
    await mkdir(home, { recursive: true });
    await writeFile(path.join(home, '.condarc'), 'changeps1: false\n');
    const body = ['taipan activate one', save('1'), save('mod', '${CONDA_PROMPT_MODIFIER-unset}|$CONDA_DEFAULT_ENV'), 'taipan deactivate', save('2')].join('\n');
    for (const extra of [{ HOME: home }, { CONDA_CHANGEPS1: 'false' }]) {
      const read = await inShell(shell, body, extra);
      expect(await read('1')).toBe(HOSTILE_PS1);
      expect(await read('mod')).toBe('|one');
      expect(await read('2')).toBe(HOSTILE_PS1);
    }
  });

  test('bash: a child shell (no saved prompt) takes the name off its prompt on deactivate', async () => {
    if (!shells.includes('bash')) return;
    const read = await inShell(
      'bash',
      [
        'taipan activate one',
        // A non-interactive bash drops an inherited PS1: hand it over under another name.
        'export OUT PARENT_PS1="$PS1"',
        `bash -c 'PS1=$PARENT_PS1; eval "$(${HOOK} shell hook --shell bash)"; taipan deactivate; printf "%s" "$PS1" > "$OUT/child"'`,
      ].join('\n'),
    );
    expect(await read('child')).toBe(HOSTILE_PS1);
  });

  test.each(shells)('%s: an environment named with shell syntax runs nothing from the prompt', async (shell) => {
    const hostile = path.join(work, `hostile-${shell}`, '$(touch PWNED)`touch PWNED2`%F{red}\\w');
    const created = runCli(['create', '-y', '-p', hostile, '-c', path.join(work, 'channel'), 'hello-taipan'], env);
    expect(created.status).toBe(0);
    // bash expands the prompt as it shows it (${PS1@P}); zsh with prompt_subst (print -P).
    const shown = shell === 'bash' ? `printf '%s' "\${PS1@P}" > "$OUT/shown"` : `setopt prompt_subst; print -rn -- "\${(%)PS1}" > "$OUT/shown"`;
    const read = await inShell(shell, [`cd "$OUT"`, 'PS1="> "', `taipan activate "${hostile.replace(/[$`"\\]/g, '\\$&')}"`, save('1'), shown, 'ls > "$OUT/listing"'].join('\n'));
    expect(await read('1')).toBe(`(${path.join(work, `hostile-${shell}`)}/??touch PWNED??touch PWNED2??F?red??w) > `);
    expect(await read('shown')).toContain('??touch PWNED??touch PWNED2??F?red??w) > ');
    expect(await read('listing')).not.toContain('PWNED');
  });
});

describe('fish_prompt', () => {
  const fish = installed(['fish']);
  if (fish.length === 0) console.log('fish prompt test skipped: fish is not installed here');

  test.each(fish)('%s: prints (name) first while active, and exactly what it printed before once deactivated', async () => {
    const out = await mkdtemp(path.join(work, 'fish-'));
    const script = path.join(out, 'script.fish');
    await writeFile(
      script,
      [
        `${HOOK} shell hook --shell fish | source`,
        `function fish_prompt; set_color green; printf '%s' "me \\\\ '%s' > "; set_color normal; return 3; end`,
        `fish_prompt > ${out}/0`,
        'taipan activate one',
        `fish_prompt > ${out}/1`,
        'taipan activate --stack two',
        `fish_prompt > ${out}/2`,
        'taipan deactivate',
        `fish_prompt > ${out}/3`,
        'taipan deactivate',
        `fish_prompt > ${out}/4`,
        `functions -q __taipan_fish_prompt; and echo leftover > ${out}/left; or echo clean > ${out}/left`,
      ].join('\n'),
    );
    const result = spawnSync('fish', [script], { encoding: 'utf8', env: { ...process.env, ...env, CONDA_PREFIX: '', CONDA_SHLVL: '' } });
    expect(result.stderr).toBe('');
    const read = (name: string): Promise<Buffer> => readFile(path.join(out, name));
    const before = await read('0');
    expect(before.toString()).toContain("me \\ '%s' > ");
    expect((await read('1')).toString()).toBe(`(one) ${before.toString()}`);
    expect((await read('2')).toString()).toBe(`(two) ${before.toString()}`);
    expect((await read('3')).toString()).toBe(`(one) ${before.toString()}`);
    expect(await read('4')).toEqual(before);
    expect((await read('left')).toString()).toBe('clean\n');
  });
});

describe('on a terminal (tmux)', () => {
  const tmux = installed(['tmux']).length > 0;
  const shells = tmux ? installed(['bash', 'zsh']) : [];
  if (!tmux) console.log('terminal prompt tests skipped: tmux is not installed here');

  test.each(shells)('interactive %s shows (one) before the prompt, and the old prompt after deactivate', async (shell) => {
    const socket = `taipan-test-${process.pid}-${shell}`;
    const t = (...args: string[]): string => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).stdout;
    const start = shell === 'bash' ? 'bash --norc --noprofile' : 'zsh -f';
    const vars = Object.entries({ ...env, CONDA_PREFIX: '', CONDA_SHLVL: '' }).map(([k, v]) => `${k}='${v}'`).join(' ');
    spawnSync('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-x', '200', '-y', '20', `env ${vars} ${start}`]);
    try {
      const screen = async (want: RegExp): Promise<string> => {
        for (let i = 0; i < 100; i++) {
          const text = t('capture-pane', '-p');
          if (want.test(text)) return text;
          await new Promise((r) => setTimeout(r, 100));
        }
        return t('capture-pane', '-p');
      };
      const type = (line: string): void => void t('send-keys', '-l', line) + t('send-keys', 'Enter');
      type(`PS1='mark> '; eval "$(${HOOK} shell hook --shell ${shell})"; clear`);
      await screen(/^mark>$/m);
      type('taipan activate one; clear');
      // capture-pane drops the trailing space of the prompt.
      expect((await screen(/^\(one\) mark>$/m)).split('\n')[0]).toBe('(one) mark>');
      type('taipan deactivate; clear');
      expect((await screen(/^mark>$/m)).split('\n')[0]).toBe('mark>');
    } finally {
      t('kill-server');
    }
  });
});

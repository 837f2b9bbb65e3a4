/**
 * The active environment and the shell. What this checks:
 * - generated hostile prompts (escape sequences, quotes, `$(...)`, backquotes, `%` and `\`
 *   escapes, newlines, any byte but NUL) come back byte for byte after activate, a stacked
 *   activate and two deactivates, in real bash and zsh;
 * - environment names and folders holding shell syntax run nothing when the prompt is shown
 *   (bash's prompt expansion, zsh's prompt_subst);
 * - with no -n/-p and nothing active, every command that acts on an environment stops with a
 *   clear error and writes nothing; `create` never falls back to the active environment;
 * - an "active environment" that is an envs folder, holds one, or is `/` is refused, and no
 *   environment is removed through it.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeDemoChannel } from '../../../build/demo/make-demo-channel.js';
import { CLI, clearError, describeRun, runCase, taipan, type CaseResult, type Category, type Context } from '../harness.js';
import { listTree, records } from '../fixtures.js';

/** A small seeded generator, so a failing prompt can be found again. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const PIECES = ['\\[\\e[1;32m\\]', '\x1b[0m', "'", '"', '$(echo ran)', '`echo ran`', '%#', '%F{red}', '\\$', '\\\\', '\\w', '\n', '(base) ', '(one) ', ' ', '!', 'é', '${HOME}', '\t', '\\'];

function hostilePrompt(next: () => number): string {
  let text = '';
  const length = 1 + Math.floor(next() * 8);
  for (let i = 0; i < length; i++) {
    text += next() < 0.8 ? (PIECES[Math.floor(next() * PIECES.length)] as string) : String.fromCharCode(1 + Math.floor(next() * 254));
  }
  return text;
}

function installed(shell: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
}

export const activeEnvironment: Category = {
  name: 'The active environment and the shell',
  async run(context: Context): Promise<CaseResult[]> {
    const results: CaseResult[] = [];
    const channel = path.join(context.work, 'channel');
    await makeDemoChannel(channel);
    const envs = path.join(context.work, 'envs');
    const env = { TAIPAN_PKGS_DIRS: path.join(context.work, 'pkgs'), TAIPAN_ENVS_DIRS: envs };
    for (const name of ['one', 'two']) {
      const created = await taipan(['create', '-y', '-n', name, '-c', channel, 'hello-taipan'], context, env);
      if (created.status !== 0) throw new Error(describeRun(created));
    }
    const hook = `'${process.execPath}' '${CLI}'`;
    const shellEnv = { ...process.env, ...env, HOME: context.home, CONDA_PREFIX: '', CONDA_SHLVL: '' };

    const count = context.quick ? 6 : 40;
    for (const shell of ['bash', 'zsh'].filter(installed)) {
      const next = generator(shell === 'bash' ? 1 : 2);
      const prompts = Array.from({ length: count }, () => hostilePrompt(next));
      const out = path.join(context.work, `prompts-${shell}`);
      await mkdir(out, { recursive: true });
      const body = prompts
        .map((_, i) => [`PS1=$P${i}`, 'taipan activate one', 'taipan activate --stack two', 'taipan deactivate', 'taipan deactivate', `printf '%s' "$PS1" > "${out}/${i}"`].join('\n'))
        .join('\n');
      await writeFile(path.join(out, 'script'), `eval "$(${hook} shell hook --shell ${shell})"\n${body}\n`);
      const vars = Object.fromEntries(prompts.map((p, i) => [`P${i}`, p]));
      const ran = spawnSync(shell, [path.join(out, 'script')], { env: { ...shellEnv, ...vars }, encoding: 'utf8' });
      for (const [i, prompt] of prompts.entries()) {
        results.push(
          await runCase(`${shell}: hostile prompt ${i} restored byte for byte`, async () => {
            const after = spawnSync('cat', [path.join(out, String(i))], { encoding: 'buffer' }).stdout;
            const same = Buffer.compare(after, Buffer.from(prompt)) === 0;
            return { survived: same && ran.stderr === '', lost: same ? 0 : 1, detail: `prompt ${JSON.stringify(prompt)} came back as ${JSON.stringify(after.toString())}; stderr ${ran.stderr}` };
          }),
        );
      }
    }

    const names = ['$(touch PWNED)', '`touch PWNED`', '$((6*7))', '${HOME}', '%F{red}%~', '\\w\\u', 'x;touch PWNED', '\x1b]0;title\x07'];
    for (const [i, name] of names.entries()) {
      results.push(
        await runCase(`a hostile environment name in the prompt runs nothing: ${JSON.stringify(name)}`, async () => {
          const where = path.join(context.work, `hostile-${i}`);
          const prefix = path.join(where, name);
          const created = await taipan(['create', '-y', '-p', prefix, '-c', channel, 'hello-taipan'], context, env);
          const problems: string[] = [];
          for (const shell of ['bash', 'zsh'].filter(installed)) {
            const show = shell === 'bash' ? 'printf "%s" "${PS1@P}"' : 'setopt prompt_subst; print -rn -- "${(%)PS1}"';
            const script = `cd '${where}'; eval "$(${hook} shell hook --shell ${shell})"; PS1='> '; taipan activate "$TARGET"; ${show}`;
            const ran = spawnSync(shell, ['-c', script], { env: { ...shellEnv, TARGET: prefix }, encoding: 'utf8' });
            if (!ran.stdout.startsWith('(') || /[$`%\\\x1b]|\/42/.test(ran.stdout)) problems.push(`${shell} showed ${JSON.stringify(ran.stdout)} (${ran.stderr.trim()})`);
          }
          const pwned = (await listTree(where)).filter((f) => f.includes('PWNED') && !f.startsWith(name));
          return { survived: created.status === 0 && problems.length === 0 && pwned.length === 0, lost: pwned.length, detail: `${describeRun(created)}; ${problems.join('; ')}; ${pwned.join(', ')}` };
        }),
      );
    }

    const commands = [
      ['list'],
      ['install', '-y', '-c', channel, 'hello-taipan'],
      ['remove', '-y', 'hello-taipan'],
      ['remove', '-y', '--all'],
      ['update', '-y', '--all', '-c', channel],
      ['env', 'export'],
      ['env', 'remove', '-y'],
      ['env', 'config', 'vars', 'set', 'X=1'],
      ['run', 'true'],
      ['pack', '-o', path.join(context.work, 'packed.tar.gz')],
    ];
    for (const args of commands) {
      results.push(
        await runCase(`nothing active: \`taipan ${args.join(' ')}\` stops and writes nothing`, async () => {
          const before = await listTree(context.work);
          const run = await taipan(args, context, { ...env, CONDA_PREFIX: '' });
          const after = await listTree(context.work);
          const changed = after.filter((f) => !before.includes(f)).concat(before.filter((f) => !after.includes(f)));
          return { survived: clearError(run) && /-n NAME or -p PREFIX/.test(run.stderr), lost: changed.length, detail: `${describeRun(run)}; changed: ${changed.slice(0, 5).join(', ')}` };
        }),
      );
    }

    results.push(
      await runCase('create without -n/-p never goes into the active environment', async () => {
        const one = path.join(envs, 'one');
        const before = await records(one);
        const run = await taipan(['create', '-y', '-c', channel, 'hello-taipan'], context, { ...env, CONDA_PREFIX: one, CONDA_SHLVL: '1' });
        const after = await records(one);
        const same = JSON.stringify(before) === JSON.stringify(after);
        return { survived: clearError(run) && same, lost: same ? 0 : 1, detail: describeRun(run) };
      }),
    );

    for (const active of [envs, context.work, '/', `${envs}/one/..`]) {
      for (const args of [['install', '-y', '-c', channel, 'hello-taipan'], ['remove', '-y', '--all'], ['env', 'remove', '-y']]) {
        results.push(
          await runCase(`CONDA_PREFIX=${active}: \`taipan ${args[0]} ${args[1]}\` is refused`, async () => {
            const before = await listTree(envs);
            const run = await taipan(args, context, { ...env, CONDA_PREFIX: active, CONDA_SHLVL: '1' });
            const after = await listTree(envs);
            const lost = before.filter((f) => !after.includes(f)).length;
            return { survived: clearError(run) && lost === 0, lost, detail: describeRun(run) };
          }),
        );
      }
    }
    return results;
  },
};

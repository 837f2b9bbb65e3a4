/**
 * Link scripts and the prefix. What taipan can enforce, and this checks:
 * - the documented variables (PREFIX, PKG_NAME, PKG_VERSION, PKG_BUILDNUM) hold the real
 *   prefix and the record's values, and those values cannot contain a path separator or
 *   `..` (hostile channels are refused with INVALID_REPODATA), so `$PREFIX/…/$PKG_NAME`
 *   paths stay in the prefix and the script run is always `<prefix>/bin/.<name>-….sh`;
 * - the variables reach the script through the environment, never through a shell command
 *   line, so a value with `$(…)` or `;` is inert;
 * - nothing else of the user's environment reaches it (tokens, cloud keys), and PREFIX is
 *   the normalized prefix however the user spelled it;
 * - a script file that is a symlink leading out of the package is refused at extraction
 *   and never run;
 * - a failing post-link rolls the whole transaction back.
 * What cannot be enforced without an OS sandbox: a script is a program run with the
 * user's rights, so `touch "$PREFIX/../x"` or an absolute path can write anywhere the user
 * can. conda, mamba and pixi are in the same position; install only trusted packages.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { indexChannel } from '../../../channels/indexer/index-channel.js';
import { clearError, describeRun, runCase, taipan, type CaseResult, type Category, type Context } from '../harness.js';
import { checkCache, checkPrefix, exists, listTree, records, writePackage } from '../fixtures.js';

const PROBE = `#!/bin/bash
set -u
printf '%s\\n' "PREFIX=$PREFIX" "PKG_NAME=$PKG_NAME" "PKG_VERSION=$PKG_VERSION" "PKG_BUILDNUM=$PKG_BUILDNUM" "PWD=$PWD" > "$PREFIX/share/probe-vars.txt"
`;

export const linkScripts: Category = {
  name: 'Link scripts',
  async run(context: Context): Promise<CaseResult[]> {
    const results: CaseResult[] = [];
    const channel = path.join(context.work, 'channel');
    await writePackage(channel, { name: 'probe', version: '1.2', files: { 'share/probe.txt': 'probe\n' }, postLink: PROBE, preUnlink: '#!/bin/bash\necho "bye from $PKG_NAME" >> "$PREFIX/.messages.txt"\n' });
    await writePackage(channel, { name: 'envdump', files: { 'share/envdump.txt': 'x\n' }, postLink: '#!/bin/bash\nenv > "$PREFIX/share/envdump-vars.txt"\n' });
    await writePackage(channel, { name: 'failing', files: { 'share/failing.txt': 'x\n' }, postLink: '#!/bin/bash\necho "cannot" >&2\nexit 3\n' });
    await writePackage(channel, {
      name: 'linkout',
      files: { 'share/linkout.txt': 'x\n' },
      raw: [{ path: 'bin/.linkout-post-link.sh', type: 'SymbolicLink', linkpath: '../../../../outside/evil.sh' }],
    });
    await indexChannel(channel);
    const outside = path.join(context.work, 'outside');
    await mkdir(outside, { recursive: true });
    const pkgs = path.join(context.work, 'pkgs');
    const env = { TAIPAN_PKGS_DIRS: pkgs };
    const outsideBefore = async (): Promise<string[]> => listTree(outside);

    results.push(
      await runCase('documented variables: the real prefix and the record, cwd in the prefix', async () => {
        const prefix = path.join(context.work, 'env-probe');
        const run = await taipan(['create', '-y', '-p', prefix, '-c', channel, 'probe'], context, env);
        const vars = await readFile(path.join(prefix, 'share', 'probe-vars.txt'), 'utf8').catch(() => '');
        const expected = [`PREFIX=${prefix}`, 'PKG_NAME=probe', 'PKG_VERSION=1.2', 'PKG_BUILDNUM=0', `PWD=${prefix}`].join('\n');
        const removed = await taipan(['remove', '-y', '-p', prefix, 'probe'], context, env);
        const lost = [...(await checkPrefix(prefix, ['share/probe-vars.txt'])).details, ...(await outsideBefore())];
        return { survived: run.status === 0 && vars.trim() === expected && removed.status === 0 && /bye from probe/.test(removed.stdout + removed.stderr), lost: lost.length, detail: `${describeRun(run)}; vars: ${vars}; ${describeRun(removed)}; ${lost.join('; ')}` };
      }),
    );
    if (!context.quick) results.push(
      await runCase("the user's secrets stay out; PREFIX is normalized even when typed with '..'", async () => {
        const prefix = path.join(context.work, 'env-scrubbed');
        const secret = 'link-script-secret-8d41a7';
        const run = await taipan(['create', '-y', '-p', path.join(context.work, 'outside', '..', 'env-scrubbed'), '-c', channel, 'envdump'], context, {
          ...env,
          AWS_SECRET_ACCESS_KEY: secret,
          TAIPAN_TEST_TOKEN: secret,
          GITHUB_TOKEN: secret,
        });
        const dumped = await readFile(path.join(prefix, 'share', 'envdump-vars.txt'), 'utf8').catch(() => '');
        const lost = [...(await outsideBefore())];
        if (dumped.includes(secret)) lost.push('a secret reached the post-link script');
        const fine = run.status === 0 && dumped.split('\n').includes(`PREFIX=${prefix}`);
        return { survived: fine, lost: lost.length, detail: `${describeRun(run)}; ${lost.join('; ')}` };
      }),
    );
    if (!context.quick) results.push(
      await runCase('a failing post-link rolls the transaction back', async () => {
        const prefix = path.join(context.work, 'env-fail');
        await taipan(['create', '-y', '-p', prefix, '-c', channel, 'probe'], context, env);
        const before = await records(prefix);
        const run = await taipan(['install', '-y', '-p', prefix, '-c', channel, 'failing'], context, env);
        const lost = [...(await checkPrefix(prefix, ['share/probe-vars.txt'])).details];
        if ((await records(prefix)).join() !== before.join()) lost.push('records changed');
        return { survived: clearError(run) && /LINK_SCRIPT_FAILED|post-link script/.test(run.stderr), lost: lost.length, detail: `${describeRun(run)}; ${lost.join('; ')}` };
      }),
    );
    if (!context.quick) results.push(
      await runCase('a link script that is a symlink out of the package is refused, never run', async () => {
        const prefix = path.join(context.work, 'env-linkout');
        const run = await taipan(['create', '-y', '-p', prefix, '-c', channel, 'linkout'], context, env);
        const lost = [...(await outsideBefore()), ...(await checkCache(pkgs)).details];
        if (await exists(prefix)) lost.push('prefix left behind');
        return { survived: clearError(run) && /UNSAFE|unsafe/.test(run.stderr), lost: lost.length, detail: `${describeRun(run)}; ${lost.join('; ')}` };
      }),
    );
    // Hostile values of the documented variables, from the channel's repodata.
    const hostile: [string, Record<string, unknown>][] = [
      ['a package name climbing out of the prefix', { name: '../../../outside/x' }],
      ['a version with a path separator', { version: '1/../../../outside' }],
      ['a version with shell syntax $(…) ;', { version: '1$(touch${IFS}' + outside + '/pwned);touch${IFS}' + outside + '/pwned2' }],
    ];
    for (const [i, [label, override]] of (context.quick ? hostile.slice(0, 1) : hostile).entries()) {
      results.push(
        await runCase(`hostile repodata: ${label}`, async () => {
          const ch = path.join(context.work, `hostile-${i}`);
          await writePackage(ch, { name: 'probe', version: '1.2', files: { 'share/probe.txt': 'probe\n' }, postLink: PROBE });
          await indexChannel(ch);
          const file = path.join(ch, 'noarch', 'repodata.json');
          const data = JSON.parse(await readFile(file, 'utf8')) as { 'packages.conda': Record<string, Record<string, unknown>> };
          for (const rec of Object.values(data['packages.conda'])) Object.assign(rec, override);
          const { writeFile, rm } = await import('node:fs/promises');
          await writeFile(file, JSON.stringify(data));
          for (const name of ['repodata.json.zst', 'repodata.json.bz2']) await rm(path.join(ch, 'noarch', name), { force: true });
          for (const name of await import('node:fs/promises').then((f) => f.readdir(path.join(ch, 'noarch')))) if (name.endsWith('.msgpack.zst')) await rm(path.join(ch, 'noarch', name));
          const prefix = path.join(context.work, `env-hostile-${i}`);
          const spec = typeof override.name === 'string' ? 'x' : 'probe';
          const run = await taipan(['create', '-y', '-p', prefix, '-c', ch, '--override-channels', spec], context, { TAIPAN_PKGS_DIRS: path.join(context.work, `pkgs-h${i}`) });
          const lost = [...(await outsideBefore())];
          // Either refused, or installed with the value inert (nothing executed, nothing outside).
          const fine = clearError(run) || (run.status === 0 && (await checkPrefix(prefix, ['share/probe-vars.txt'])).count === 0);
          return { survived: fine, lost: lost.length, detail: `${describeRun(run)}; ${lost.join('; ')}` };
        }),
      );
    }
    return results;
  },
};

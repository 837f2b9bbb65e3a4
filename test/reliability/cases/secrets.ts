/**
 * Secrets: conda tokens (`/t/<token>/`), basic-auth passwords in channel URLs and bearer
 * tokens from the credentials file must never appear in stdout, stderr, `--json`, error
 * messages, `-v` stack traces, conda-meta, history, the package cache (urls.txt,
 * repodata_record.json, the repodata cache states) or anything else a run writes — nor
 * reach a link script's environment. Every byte written is scanned; each hit counts as lost.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ChannelServer } from '../../helpers/channel-server.js';
import { clearError, describeRun, runCase, taipan, type CaseResult, type Category, type CliRun, type Context } from '../harness.js';
import { fresh, listTree, standardChannel, writePackage } from '../fixtures.js';
import { indexChannel } from '../../../channels/indexer/index-channel.js';

const TOKEN = 'tk-0123456789abcdef-SECRET';
const USER = 'alice';
const PASSWORD = 'pa55-W0RD-SECRET';
const BEARER = 'bearer-SECRET-fedcba9876543210';

function needles(): string[] {
  return [TOKEN, PASSWORD, BEARER, Buffer.from(`${USER}:${PASSWORD}`).toString('base64'), encodeURIComponent(PASSWORD)];
}

/** Occurrences of any secret in the runs' output and in every file under `dirs`. */
async function scan(runs: readonly CliRun[], dirs: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  const look = (where: string, text: string): void => {
    for (const needle of needles()) if (text.includes(needle)) hits.push(`${needle.slice(0, 8)}… in ${where}`);
  };
  runs.forEach((run, i) => {
    look(`stdout of run ${i + 1}`, run.stdout);
    look(`stderr of run ${i + 1}`, run.stderr);
  });
  for (const dir of dirs) {
    for (const rel of await listTree(dir)) {
      const data = await readFile(path.join(dir, rel)).catch(() => undefined);
      if (data) look(`${path.basename(dir)}/${rel}`, data.toString('latin1'));
    }
  }
  return hits;
}

export const secrets: Category = {
  name: 'Secrets',
  async run(context: Context): Promise<CaseResult[]> {
    const channel = path.join(context.work, 'channel');
    await standardChannel(channel);
    // A post-link that dumps its whole environment into the messages the user sees.
    await writePackage(channel, { name: 'envdump', files: { 'share/envdump.txt': 'x\n' }, postLink: '#!/bin/bash\nenv >> "$PREFIX/.messages.txt"\n' });
    await indexChannel(channel);
    const results: CaseResult[] = [];
    const tokenServer = await ChannelServer.start(channel, { token: TOKEN });
    const basicServer = await ChannelServer.start(channel, { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` });
    const bearerServer = await ChannelServer.start(channel, { authorization: `Bearer ${BEARER}` });
    const authFile = path.join(context.work, 'credentials.json');
    await writeFile(authFile, JSON.stringify({ [bearerServer.url.replace(/^http:\/\//, '')]: { BearerToken: BEARER } }));
    try {
      const basicUrl = basicServer.url.replace('http://', `http://${USER}:${encodeURIComponent(PASSWORD)}@`);
      const variants: { name: string; url: string; env?: NodeJS.ProcessEnv; server: ChannelServer; quick?: boolean }[] = [
        { name: 'a conda token in the channel URL', url: tokenServer.tokenUrl, server: tokenServer, quick: true },
        { name: 'a basic-auth password in the channel URL', url: basicUrl, server: basicServer },
        { name: 'a bearer token from the credentials file', url: bearerServer.url, env: { TAIPAN_AUTH_FILE: authFile }, server: bearerServer },
      ];
      for (const [i, v] of (context.quick ? variants.filter((x) => x.quick) : variants).entries()) {
        results.push(await runCase(`${v.name}: create, list, --json, errors, -v, faults, link-script env`, () => secretRuns(context, i, v.url, v.server, v.env ?? {})));
      }
      results.push(
        await runCase('a wrong token: AUTH_FAILED without printing the token', async () => {
          const pkgs = await fresh(path.join(context.work, 'pkgs-wrong'));
          const home = await fresh(path.join(context.work, 'home-wrong'));
          const run = await taipan(['create', '-y', '--json', '-p', path.join(context.work, 'env-wrong'), '-c', `${tokenServer.url}/t/${TOKEN}-WRONG`, 'tool'], { home }, { TAIPAN_PKGS_DIRS: pkgs });
          const hits = await scan([run], [pkgs, home]);
          return { survived: run.status === 1 && /AUTH_FAILED/.test(run.stdout + run.stderr), lost: hits.length, detail: `${describeRun(run)}; ${hits.join('; ')}` };
        }),
      );
    } finally {
      await Promise.all([tokenServer.close(), basicServer.close(), bearerServer.close()]);
    }
    return results;
  },
};

async function secretRuns(context: Context, i: number, url: string, server: ChannelServer, env: NodeJS.ProcessEnv): Promise<Omit<CaseResult, 'name'>> {
  const pkgs = await fresh(path.join(context.work, `pkgs-${i}`));
  const home = await fresh(path.join(context.work, `home-${i}`));
  const prefix = path.join(context.work, `env-${i}`);
  const ctx = { home };
  const e = { TAIPAN_PKGS_DIRS: pkgs, ...env };
  const runs: CliRun[] = [];
  const ok: boolean[] = [];
  const run = async (args: string[], expect: 'ok' | 'error', extra: NodeJS.ProcessEnv = {}): Promise<void> => {
    const r = await taipan(args, ctx, { ...e, ...extra });
    runs.push(r);
    // With -v a stack trace is asked for; otherwise the error must be clear.
    const failedClearly = args.includes('-v') ? r.status === 1 && /^error: /m.test(r.stderr) && !/unexpected failure/.test(r.stderr) : clearError(r) || (r.status === 1 && /"success":\s*false/.test(r.stdout));
    ok.push(expect === 'ok' ? r.status === 0 : failedClearly);
  };
  await run(['create', '-y', '-p', prefix, '-c', url, 'app', 'envdump'], 'ok');
  await run(['list', '--json', '-p', prefix], 'ok');
  if (!context.quick) {
    await run(['list', '-p', prefix], 'ok');
    await run(['install', '-y', '--json', '-p', prefix, '-c', url, 'no-such-package'], 'error');
    await run(['install', '-y', '-v', '-p', prefix, '-c', url, 'no-such-package'], 'error');
  }
  server.addFault({ path: /pkg1-1\.0-0\.conda$/, kind: 'status', status: 404 });
  await run(['install', '-y', '-v', '-p', prefix, '-c', url, 'pkg1'], 'error');
  if (!context.quick) await run(['install', '-y', '--json', '-p', prefix, '-c', url, 'pkg1'], 'error');
  server.clearFaults();
  await run(['install', '-y', '--json', '-p', prefix, '-c', url, 'pkg1'], 'ok');
  if (!context.quick) await run(['remove', '-y', '-p', prefix, 'envdump'], 'ok');
  const hits = await scan(runs, [prefix, pkgs, home]);
  const failed = ok.map((v, n) => (v ? '' : `run ${n + 1}: ${describeRun(runs[n] as CliRun)}`)).filter(Boolean);
  return { survived: failed.length === 0, lost: hits.length, detail: `${failed.join(' | ')}; ${hits.join('; ')}` };
}

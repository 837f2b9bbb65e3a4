/**
 * Server: `taipan serve` attacked through the real CLI process and real sockets.
 * - Bind address: this machine only by default (a folder, and `--pkgs`); another address
 *   only with `--host`, with a one-line warning. An address answering unasked counts as lost.
 * - Symlinks in are served; symlinks out (files, folders, chains, DIR itself a link, `--pkgs`
 *   archives and records) answer like a missing file. Also a folder swapped for a symlink to
 *   outside while it is being downloaded from.
 * - Encoded traversal: `..`, `%2e%2e`, `%2f`, `%5c`, backslashes, NUL, double encoding,
 *   overlong UTF-8, the absolute request form.
 * - Logs: tokens, user info and queries never reach the log, and no request forges a line.
 * Every byte of an outside file (or of /etc/passwd) in an answer counts as lost, as does a
 * secret in the log.
 */
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { canConnect, GOOD_ARCHIVE, hostileFolder, hostilePackageCache, leaks, otherAddresses, rawRequest, startServe, TRAVERSAL_TARGETS, type HostileFolder, type ServeProcess } from '../../helpers/serve-process.js';
import { runCase, type CaseResult, type Category, type Context } from '../harness.js';

const TOKEN = 'tk-SERVE-0123456789-SECRET';
const PASSWORD = 'pw-SERVE-SECRET';
const QUERY_SECRET = 'q-SERVE-SECRET';

export const server: Category = {
  name: 'Server',
  async run(context: Context): Promise<CaseResult[]> {
    const folder = await hostileFolder(context.work);
    const env = { PATH: process.env.PATH, HOME: context.home, USERPROFILE: context.home };
    const results: CaseResult[] = [];
    results.push(...(await bindCases(context, folder, env)));
    const running = await startServe([folder.channel], env);
    try {
      const missing = await rawRequest(running.port, '/noarch/no-such-file.json');
      for (const { target, body } of folder.inside) {
        results.push(
          await runCase(`symlink in: ${target} is served`, async () => {
            const response = await rawRequest(running.port, target);
            return { survived: response.status === 200 && response.body === body, lost: 0, detail: `status ${response.status}` };
          }),
        );
      }
      for (const target of folder.escaping) {
        results.push(await runCase(`symlink out: ${target} answers like a missing file`, () => refused(running, target, folder.marker, missing.body)));
      }
      for (const target of TRAVERSAL_TARGETS) {
        results.push(await runCase(`encoded traversal: ${JSON.stringify(target)}`, () => refused(running, target, folder.marker)));
      }
      results.push(await runCase('a folder swapped for a symlink to outside while it is requested', () => swapRace(context, running, folder)));
      results.push(
        await runCase('still serving after every attack', async () => {
          const response = await rawRequest(running.port, '/noarch/repodata.json');
          return { survived: response.status === 200 && response.body === folder.repodata, lost: 0, detail: `status ${response.status}` };
        }),
      );
    } finally {
      await running.stop();
    }
    results.push(await runCase('symlink out: DIR given as a symlink still keeps its links in', () => linkedRoot(folder, env)));
    results.push(...(await packageCacheCases(context, folder, env)));
    results.push(...(await logCases(folder, env)));
    return results;
  },
};

/** A refused request: 400/403/404 (exactly the missing-file answer when `missingBody` is given), nothing leaked. */
async function refused(running: ServeProcess, target: string, marker: string, missingBody?: string): Promise<Omit<CaseResult, 'name'>> {
  const response = await rawRequest(running.port, target);
  const lost = leaks(response, marker) ? 1 : 0;
  const statusOk = missingBody === undefined ? [400, 403, 404].includes(response.status) : response.status === 404 && response.body === missingBody;
  return { survived: statusOk && lost === 0, lost, detail: `status ${response.status}: ${response.raw.slice(0, 200)}` };
}

async function bindCases(context: Context, folder: HostileFolder, env: NodeJS.ProcessEnv): Promise<CaseResult[]> {
  const variants: { name: string; args: string[]; everywhere: boolean }[] = [
    { name: 'a channel folder: 127.0.0.1 only by default', args: [folder.channel], everywhere: false },
    { name: '--pkgs: 127.0.0.1 only by default', args: ['--pkgs', folder.channel], everywhere: false },
    { name: '--host localhost: this machine only, no warning', args: [folder.channel, '--host', 'localhost'], everywhere: false },
    { name: '--host 0.0.0.0: every interface, with a one-line warning', args: [folder.channel, '--host', '0.0.0.0'], everywhere: true },
  ];
  const results: CaseResult[] = [];
  for (const v of variants) {
    results.push(
      await runCase(`bind address: ${v.name}`, async () => {
        const running = await startServe(v.args, env);
        const answering: string[] = [];
        for (const address of otherAddresses()) if (await canConnect(address, running.port)) answering.push(address);
        const { stderr } = await running.stop();
        const warning = /^warning: listening on 0\.0\.0\.0: '.*' is reachable from other machines on the network\n$/.test(stderr);
        if (v.everywhere) {
          return { survived: warning && answering.length === otherAddresses().length, lost: 0, detail: `stderr ${JSON.stringify(stderr)}; answering on ${answering.join(', ')}` };
        }
        context.log(`Server: ${v.name}: tried ${otherAddresses().join(', ') || 'no other address'}`);
        return { survived: stderr === '' && answering.length === 0, lost: answering.length, detail: `stderr ${JSON.stringify(stderr)}; answering unasked on ${answering.join(', ')}` };
      }),
    );
  }
  return results;
}

/**
 * A folder of the channel is replaced, again and again, by a symlink to the outside folder
 * (whose secret.txt has the marker) while secret.txt is requested through it: every answer
 * must be the inside file or a 404.
 */
async function swapRace(context: Context, running: ServeProcess, folder: HostileFolder): Promise<Omit<CaseResult, 'name'>> {
  const swap = path.join(folder.channel, 'swap');
  const parked = path.join(folder.channel, 'swap-parked');
  const link = path.join(folder.channel, 'swap-link');
  await mkdir(swap, { recursive: true });
  await writeFile(path.join(swap, 'secret.txt'), 'inside\n');
  await symlink(folder.outside, link);
  const rounds = context.quick ? 150 : 1500;
  let swapping = true;
  const swapper = (async () => {
    while (swapping) {
      await rename(swap, parked);
      await rename(link, swap);
      await rename(swap, link);
      await rename(parked, swap);
    }
  })();
  let lost = 0;
  let served = 0;
  let other = '';
  try {
    for (let i = 0; i < rounds; i += 1) {
      const response = await rawRequest(running.port, '/swap/secret.txt');
      if (leaks(response, folder.marker)) lost += 1;
      if (response.status === 200 && response.body === 'inside\n') served += 1;
      else if (response.status !== 404) other = `status ${response.status}`;
    }
  } finally {
    swapping = false;
    await swapper;
    await rm(link, { force: true });
  }
  return { survived: lost === 0 && other === '', lost, detail: `${rounds} requests, ${served} served from inside, ${lost} leaked ${other}` };
}

async function linkedRoot(folder: HostileFolder, env: NodeJS.ProcessEnv): Promise<Omit<CaseResult, 'name'>> {
  const running = await startServe([folder.channelLink], env);
  try {
    const inside = await rawRequest(running.port, '/noarch/repodata.json');
    const out = await rawRequest(running.port, '/noarch/secret.txt');
    const lost = leaks(out, folder.marker) ? 1 : 0;
    return { survived: inside.body === folder.repodata && out.status === 404 && lost === 0, lost, detail: `inside ${inside.status}, outside ${out.status}` };
  } finally {
    await running.stop();
  }
}

async function packageCacheCases(context: Context, folder: HostileFolder, env: NodeJS.ProcessEnv): Promise<CaseResult[]> {
  const cache = await hostilePackageCache(context.work, folder);
  const running = await startServe(['--pkgs', cache], env);
  try {
    const repodata = await rawRequest(running.port, '/noarch/repodata.json');
    const listed = Object.keys((JSON.parse(repodata.body || '{}') as { 'packages.conda'?: object })['packages.conda'] ?? {});
    return [
      await runCase('--pkgs: an archive symlinked out of the cache is not served', () => refused(running, '/noarch/evil-1.0-0.conda', folder.marker)),
      await runCase('--pkgs: only archives and records inside the cache are listed', async () => ({
        survived: listed.join() === 'good-1.0-0.conda',
        lost: leaks(repodata, folder.marker) ? 1 : 0,
        detail: `listed ${listed.join(', ')}`,
      })),
      await runCase('--pkgs: an archive inside the cache is served', async () => {
        const good = await rawRequest(running.port, GOOD_ARCHIVE.target);
        return { survived: good.status === 200 && good.body === GOOD_ARCHIVE.body, lost: 0, detail: `status ${good.status}` };
      }),
    ];
  } finally {
    await running.stop();
  }
}

async function logCases(folder: HostileFolder, env: NodeJS.ProcessEnv): Promise<CaseResult[]> {
  const running = await startServe([folder.channel], env);
  const asks: { name: string; target: string; headers?: Record<string, string> }[] = [
    { name: 'a conda token in the path', target: `/t/${TOKEN}/noarch/repodata.json` },
    { name: 'user info and a token in the absolute request form', target: `http://alice:${PASSWORD}@127.0.0.1:${running.port}/t/${TOKEN}/noarch/repodata.json` },
    { name: 'a secret in the query', target: `/noarch/repodata.json?token=${QUERY_SECRET}` },
    { name: 'a forged line (%0a, %0d) in the path', target: '/noarch/x%0d%0a2026-01-01T00:00:00.000Z%2010.9.9.9%20GET%20/forged%20200%201' },
    { name: 'bytes outside ASCII in the Range header', target: '/noarch/repodata.json', headers: { Range: 'bytes=0-3\u00ff\u0085 forged' } },
  ];
  for (const ask of asks) await rawRequest(running.port, ask.target, { headers: ask.headers });
  const { stdout } = await running.stop();
  const lines = stdout.split('\n').filter((line) => line !== '' && !line.startsWith('serving '));
  return asks.map((ask, i) => {
    const line = lines[i] ?? '';
    const lost = [TOKEN, PASSWORD, QUERY_SECRET].filter((secret) => line.includes(secret)).length;
    const wellFormed = lines.length === asks.length && /^\S+Z 127\.0\.0\.1 GET \/\S* \d{3} \d+( range=\S+)?$/.test(line);
    return { name: `log: ${ask.name}`, survived: wellFormed && lost === 0, lost, detail: `${lines.length} lines; ${JSON.stringify(line)}` };
  });
}

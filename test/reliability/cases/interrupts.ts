/**
 * Ctrl-C and SIGTERM from outside, as a user or a service manager sends them: during a slow
 * download (nothing changed yet) and while a transaction links (its journal is live). The
 * CLI must stop within a second, print one line saying what was undone, exit 130 / 143,
 * and leave the prefix as it was (checked file by file) with nothing to repair next time.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ChannelServer } from '../../helpers/channel-server.js';
import { CLI, runCase, taipan, describeRun, type CaseResult, type Category, type Context } from '../harness.js';
import { checkCache, checkPrefix, exists, fresh, records, standardChannel } from '../fixtures.js';

interface SignalledRun {
  status: number | null;
  stderr: string;
  /** Milliseconds from the signal to the process's exit; undefined when never signalled. */
  stoppedAfterMs: number | undefined;
}

/** Run taipan; send `signal` (to its pid only) once `when` says so; time how long it takes to end. */
function signalled(args: readonly string[], context: Context, env: NodeJS.ProcessEnv, signal: NodeJS.Signals, when: () => boolean): Promise<SignalledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: context.home, USERPROFILE: context.home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sentAt: number | undefined;
    const poll = setInterval(() => {
      if (sentAt === undefined && when()) {
        sentAt = Date.now();
        child.kill(signal);
      }
    }, 10);
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ status, stderr, stoppedAfterMs: sentAt === undefined ? undefined : Date.now() - sentAt });
    });
  });
}

const EXPECTED_STATUS: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** What went wrong with an interrupted run, as damage lines. */
function judge(run: SignalledRun, signal: NodeJS.Signals, line: RegExp): string[] {
  const problems: string[] = [];
  if (run.stoppedAfterMs === undefined) problems.push('the run ended before the signal could be sent');
  else if (run.stoppedAfterMs > 1000) problems.push(`took ${run.stoppedAfterMs} ms to stop`);
  if (run.status !== EXPECTED_STATUS[signal]) problems.push(`exit ${run.status}, not ${EXPECTED_STATUS[signal]}`);
  const lines = run.stderr.split('\n').filter((l) => /interrupted/.test(l));
  if (lines.length !== 1 || !line.test(lines[0] as string)) problems.push(`stderr: ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  if (/    at |TypeError|EPIPE/.test(run.stderr)) problems.push('a stack trace on stderr');
  return problems;
}

const isPackage = /\.(conda|tar\.bz2)$/;

async function duringDownload(context: Context, server: ChannelServer, signal: NodeJS.Signals): Promise<Omit<CaseResult, 'name'>> {
  const tag = `download-${signal}`;
  const pkgs = await fresh(path.join(context.work, `pkgs-${tag}`));
  const prefix = path.join(context.work, `env-${tag}`);
  const env = { TAIPAN_PKGS_DIRS: pkgs };
  server.requests.length = 0;
  server.addFault({ path: isPackage, kind: 'trickle', delayMs: 20 });
  let run: SignalledRun;
  try {
    run = await signalled(['create', '-y', '-p', prefix, '-c', server.url, 'app', 'tool'], context, env, signal, () => server.requests.some((r) => isPackage.test(r.path)));
  } finally {
    server.clearFaults();
  }
  const damage = judge(run, signal, /^interrupted: nothing was changed$/);
  if (await exists(prefix)) damage.push(`'${prefix}' was left behind`);
  const next = await taipan(['create', '-y', '-p', prefix, '-c', server.url, 'app', 'tool'], context, env);
  damage.push(...(await checkCache(pkgs)).details, ...(await checkPrefix(prefix)).details);
  if (next.status !== 0) damage.push(`next run: ${describeRun(next)}`);
  return { survived: damage.length === 0, lost: damage.length, detail: `stopped after ${run.stoppedAfterMs} ms; ${damage.join('; ')}` };
}

/**
 * `install` into an environment (or `create` a new one) while a slow post-link script runs:
 * the journal rolls it back; a new prefix goes altogether.
 */
async function duringLink(context: Context, channel: string, signal: NodeJS.Signals, mode: 'install' | 'create'): Promise<Omit<CaseResult, 'name'>> {
  const tag = `link-${mode}-${signal}`;
  const pkgs = path.join(context.work, 'pkgs-link');
  const prefix = path.join(context.work, `env-${tag}`);
  const env = { TAIPAN_PKGS_DIRS: pkgs };
  if (mode === 'install') {
    const created = await taipan(['create', '-y', '-p', prefix, '-c', channel, 'base', 'tool'], context, env);
    if (created.status !== 0) return { survived: false, lost: 0, detail: `setup: ${describeRun(created)}` };
  }
  const before = await records(prefix);
  // The journal is in conda-meta for as long as the transaction changes the prefix.
  const journalLive = (): boolean => {
    try {
      return readdirSync(path.join(prefix, 'conda-meta')).some((n) => n.startsWith('.taipan-transaction'));
    } catch {
      return false;
    }
  };
  // Sent a little after the journal appears, so that files are in place (a post-link script sleeps).
  let seenAt: number | undefined;
  const wellInto = (): boolean => {
    if (seenAt === undefined && journalLive()) seenAt = Date.now();
    return seenAt !== undefined && Date.now() - seenAt > 300;
  };
  const run = await signalled([mode, '-y', '-p', prefix, '-c', channel, 'pkg0', 'pkg1'], context, env, signal, wellInto);
  const damage = judge(run, signal, /^interrupted: the transaction was rolled back; nothing was changed$/);
  if (mode === 'create' && (await exists(prefix))) damage.push(`the new prefix '${prefix}' was left behind`);
  damage.push(...(await checkPrefix(prefix)).details);
  const after = await records(prefix);
  if (after.join() !== before.join()) damage.push(`records ${after.join(', ')} instead of ${before.join(', ')}`);
  return { survived: damage.length === 0, lost: damage.length, detail: `stopped after ${run.stoppedAfterMs} ms; ${damage.join('; ')}` };
}

export const interrupts: Category = {
  name: 'Interrupts (SIGINT, SIGTERM)',
  async run(context: Context): Promise<CaseResult[]> {
    const channel = path.join(context.work, 'channel');
    await standardChannel(channel, { slowPostLinkSeconds: 3 });
    const server = await ChannelServer.start(channel);
    const results: CaseResult[] = [];
    try {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        results.push(await runCase(`${signal} during a slow download: stops, nothing changed`, () => duringDownload(context, server, signal)));
        results.push(await runCase(`${signal} while install links: rolled back by the journal`, () => duringLink(context, channel, signal, 'install')));
        results.push(await runCase(`${signal} while create links: the new prefix is gone`, () => duringLink(context, channel, signal, 'create')));
      }
    } finally {
      await server.close();
    }
    return results;
  },
};

/**
 * Link scripts: `bin/.<name>-post-link.sh` runs after a package is linked and
 * `bin/.<name>-pre-unlink.sh` before it is unlinked (`Scripts/.<name>-<action>.bat` on
 * Windows), with conda's variables and little else (see link-script-env.ts), in the
 * prefix as working folder. What a script appends to `$PREFIX/.messages.txt` is meant for
 * the user: it is read, removed and handed back, never printed here.
 */
import { spawn } from 'node:child_process';
import { access, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { MESSAGES_FILE } from '../../channels/model/prefix-layout.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { linkScriptEnv } from './link-script-env.js';

export type LinkAction = 'post-link' | 'pre-unlink';

export interface LinkScriptResult {
  readonly status: number;
  /** The script's stdout and stderr, for an error message. */
  readonly output: string;
}

/** Prefix-relative path of a package's link script for `action`. */
export function linkScriptPath(name: string, action: LinkAction, windows: boolean): string {
  return windows ? `Scripts/.${name}-${action}.bat` : `bin/.${name}-${action}.sh`;
}

/** The `.messages.txt` file link scripts write to. */
export function messagesPath(prefix: string): string {
  return path.join(prefix, MESSAGES_FILE);
}

/**
 * Run the package's script for `action` when the prefix has one; undefined when it has
 * none. `bash` on POSIX, as conda (scripts are not executable, so never run directly).
 */
export async function runLinkScript(
  prefix: string,
  record: RepoDataRecord,
  action: LinkAction,
  windows: boolean,
): Promise<LinkScriptResult | undefined> {
  const root = path.resolve(prefix);
  const script = path.join(root, linkScriptPath(record.name, action, windows));
  try {
    await access(script);
  } catch {
    return undefined;
  }
  const env = linkScriptEnv(root, record, windows);
  const [command, args] = windows
    ? [process.env.COMSPEC ?? 'cmd.exe', ['/d', '/c', script]]
    : ['/bin/bash', [script]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ status: code ?? (signal ? 128 : 1), output }));
  });
}

/** The text link scripts left in `.messages.txt` (then removed), or undefined. */
export async function takeMessages(prefix: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(messagesPath(prefix), 'utf8');
  } catch {
    return undefined;
  }
  await rm(messagesPath(prefix), { force: true });
  return text.trim() === '' ? undefined : text;
}

/**
 * Link scripts run by the real bash: the variables they get, the prefix they are told,
 * and the one thing no package manager can stop (a script writing outside on purpose).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RepoDataRecord } from '../../../../channels/model/package-record.js';
import { isTaipanError } from '../../../../channels/model/errors.js';
import { linkScriptEnv } from '../../../../environments/link/link-script-env.js';
import { runLinkScript } from '../../../../environments/link/link-scripts.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-link-env-'));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function record(fields: Partial<RepoDataRecord> = {}): RepoDataRecord {
  return { name: 'probe', version: '1.0', build: '0', build_number: 3, depends: [], subdir: 'noarch', fn: 'probe-1.0-0.conda', url: 'file:///x/probe-1.0-0.conda', channel: 'file:///x', ...fields } as unknown as RepoDataRecord;
}

async function withScript(prefix: string, body: string): Promise<void> {
  await mkdir(path.join(prefix, 'bin'), { recursive: true });
  await writeFile(path.join(prefix, 'bin', '.probe-post-link.sh'), `#!/bin/bash\n${body}\n`);
}

test('only the kept variables of the user pass, with conda’s own on top', () => {
  const base = { PATH: '/usr/bin:/bin', HOME: '/home/u', LANG: 'de_DE.UTF-8', LC_ALL: 'C', TMPDIR: '/var/tmp', AWS_SECRET_ACCESS_KEY: 'k', TAIPAN_TOKEN: 't', GITHUB_TOKEN: 'g', PREFIX: '/evil', PKG_NAME: 'evil' };
  expect(linkScriptEnv('/envs/a/../b/', record(), false, base)).toEqual({
    PATH: '/envs/b/bin:/usr/bin:/bin',
    HOME: '/home/u',
    LANG: 'de_DE.UTF-8',
    LC_ALL: 'C',
    TMPDIR: '/var/tmp',
    PREFIX: '/envs/b',
    CONDA_PREFIX: '/envs/b',
    ROOT_PREFIX: '/envs/b',
    PKG_NAME: 'probe',
    PKG_VERSION: '1.0',
    PKG_BUILDNUM: '3',
  });
});

test('Windows keeps what cmd.exe needs and spells PATH however the user does', () => {
  const env = linkScriptEnv('C:\\envs\\b', record(), true, { Path: 'C:\\Windows\\system32', SystemRoot: 'C:\\Windows', ComSpec: 'C:\\Windows\\system32\\cmd.exe', AZURE_TOKEN: 'x' });
  expect(env.SystemRoot).toBe('C:\\Windows');
  expect(env.ComSpec).toBe('C:\\Windows\\system32\\cmd.exe');
  expect(env.AZURE_TOKEN).toBeUndefined();
  expect(env.PATH?.endsWith(';C:\\Windows\\system32')).toBe(true);
});

test.each([
  ['a version climbing out', { version: '..' }],
  ['a version with a separator', { version: '1/../../x' }],
  ['a name with a separator', { name: 'a/b' }],
])('a record with %s is refused before its script runs', async (_label, fields) => {
  const prefix = path.join(work, 'env');
  await withScript(prefix, 'touch "$PREFIX/ran"');
  const outcome = await runLinkScript(prefix, record(fields), 'post-link', false).catch((error: unknown) => error);
  // A name with a separator has no script at its (impossible) path: nothing runs either.
  if (fields.name !== undefined) expect(outcome).toBeUndefined();
  else expect(isTaipanError(outcome) && outcome.code === 'LINK_SCRIPT_FAILED').toBe(true);
  await expect(readFile(path.join(prefix, 'ran'))).rejects.toThrow();
});

test('a prefix spelled with `..` reaches the script as the absolute, normalized prefix, which is also its cwd', async () => {
  const prefix = path.join(work, 'env');
  await mkdir(path.join(work, 'other'));
  await withScript(prefix, 'printf "%s\\n%s\\n" "$PREFIX" "$PWD" > "$PREFIX/seen.txt"');
  const result = await runLinkScript(path.join(work, 'other', '..', 'env') + path.sep, record(), 'post-link', false);
  expect(result?.status).toBe(0);
  expect(await readFile(path.join(prefix, 'seen.txt'), 'utf8')).toBe(`${prefix}\n${prefix}\n`);
});

test('a secret in the parent environment is invisible to the script', async () => {
  const prefix = path.join(work, 'env');
  await withScript(prefix, 'printf "[%s]" "${TAIPAN_LINK_SECRET:-}" > "$PREFIX/secret.txt"');
  process.env.TAIPAN_LINK_SECRET = 'do-not-leak-5e2a';
  try {
    expect((await runLinkScript(prefix, record(), 'post-link', false))?.status).toBe(0);
  } finally {
    delete process.env.TAIPAN_LINK_SECRET;
  }
  expect(await readFile(path.join(prefix, 'secret.txt'), 'utf8')).toBe('[]');
});

test('the documented limit: a script that writes to "$PREFIX/../x" on purpose is not stopped', async () => {
  // Not a guarantee but its boundary, kept visible: scripts run with the user's rights and
  // no sandbox, so `..` written by the script itself goes where it says (see link-script-env.ts).
  const prefix = path.join(work, 'env');
  await withScript(prefix, 'echo out > "$PREFIX/../x"');
  expect((await runLinkScript(prefix, record(), 'post-link', false))?.status).toBe(0);
  expect(await readFile(path.join(work, 'x'), 'utf8')).toBe('out\n');
});

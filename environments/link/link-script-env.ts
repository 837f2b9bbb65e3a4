/**
 * The environment a link script runs with: conda's documented variables and what a shell
 * needs to work, nothing else of the user's. A package's scripts are code from a channel;
 * the user's shell may hold tokens, cloud keys (AWS_*, GITHUB_TOKEN) or taipan's own
 * credential variables, and none of that is the package's business.
 *
 * What this guarantees: PREFIX (and CONDA_PREFIX, ROOT_PREFIX) is the absolute, normalized
 * path of the prefix being changed, and PKG_NAME, PKG_VERSION and PKG_BUILDNUM hold no
 * path separator, `..` or NUL, so `$PREFIX/...` and `$PREFIX/$PKG_NAME...` name paths
 * inside the prefix. What it cannot guarantee: a script is a program run with the user's
 * rights, so one that writes `"$PREFIX/../x"` or an absolute path on purpose can write
 * anywhere the user can. Without an OS sandbox no package manager (conda, mamba, pixi)
 * can stop that; install only packages you trust.
 */
import os from 'node:os';
import path from 'node:path';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { TaipanError } from '../../channels/model/errors.js';

/** The user's variables a script keeps: locale, home, temp folder. */
const KEPT = /^(HOME|LANG|LANGUAGE|LC_[A-Z]+|TMPDIR)$/;

/** What cmd.exe and Windows programs cannot start without (matched without case, as Windows does). */
const KEPT_WINDOWS = /^(SYSTEMROOT|WINDIR|COMSPEC|PATHEXT|TEMP|TMP|USERPROFILE|SYSTEMDRIVE|HOMEDRIVE|HOMEPATH|APPDATA|LOCALAPPDATA|PROGRAMDATA|NUMBER_OF_PROCESSORS|PROCESSOR_ARCHITECTURE)$/i;

/** A PATH to fall back on when the user has none. */
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * The variables for `record`'s link script in `prefix`. `base` is the environment to take
 * the kept variables from (the user's, by default).
 */
export function linkScriptEnv(prefix: string, record: RepoDataRecord, windows: boolean, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const root = path.resolve(prefix);
  for (const [field, value] of [['name', record.name], ['version', record.version], ['build_number', String(record.build_number)]] as const) {
    if (value === '' || /[/\\\0]/.test(value) || value.split('.').every((part) => part === '') || value.includes('..')) {
      throw new TaipanError('LINK_SCRIPT_FAILED', `refusing to run a link script of '${record.fn}': its ${field} '${value}' could name a path outside the prefix '${root}'`, {
        hint: 'the channel serves a malformed record; report it to the channel, or install without this package',
      });
    }
  }
  const env = keptUserVariables(base, windows);
  const binDir = path.join(root, windows ? 'Scripts' : 'bin');
  const userPath = pathOf(base) ?? (windows ? '' : DEFAULT_PATH);
  Object.assign(env, {
    PATH: userPath === '' ? binDir : `${binDir}${windows ? ';' : ':'}${userPath}`,
    PREFIX: root,
    CONDA_PREFIX: root,
    // conda's root (base) prefix; a taipan environment stands on its own.
    ROOT_PREFIX: root,
    PKG_NAME: record.name,
    PKG_VERSION: record.version,
    PKG_BUILDNUM: String(record.build_number),
  });
  if (env.HOME === undefined && !windows) env.HOME = os.homedir();
  return env;
}

/**
 * The user's variables a script of a package (link script) or a recipe (build script)
 * keeps: locale, home, temp folder, what Windows programs need, and those `extra` names.
 * Everything else, tokens and cloud keys included, stays out.
 */
export function keptUserVariables(base: NodeJS.ProcessEnv, windows: boolean, extra?: RegExp): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    // Windows spells it Path, and a copied environment loses Windows' case-insensitivity.
    if (value !== undefined && (KEPT.test(key) || (windows && KEPT_WINDOWS.test(key)) || extra?.test(key) === true)) env[key.toUpperCase() === 'PATH' ? 'PATH' : key] = value;
  }
  return env;
}

/** PATH, whatever its case (Windows spells it Path). */
function pathOf(env: NodeJS.ProcessEnv): string | undefined {
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH');
  return key === undefined ? undefined : env[key];
}

/**
 * Where the package cache lives: `TAIPAN_PKGS_DIRS` or `CONDA_PKGS_DIRS` (comma separated,
 * as conda reads it), else `pkgs_dirs` from config, else `~/.taipan/pkgs`. The first folder
 * is the one taipan writes to.
 */
import os from 'node:os';
import path from 'node:path';
import { expandUser } from '../model/home-path.js';

export function resolvePkgsDirs(env: NodeJS.ProcessEnv = process.env, configured: readonly string[] = []): string[] {
  const fromEnv = env.TAIPAN_PKGS_DIRS ?? env.CONDA_PKGS_DIRS;
  const dirs = fromEnv
    ? fromEnv.split(',').map((d) => d.trim()).filter((d) => d !== '')
    : configured.length > 0
      ? [...configured]
      : [path.join(os.homedir(), '.taipan', 'pkgs')];
  return dirs.map((d) => path.resolve(expandUser(d, env.HOME ?? os.homedir())));
}

/**
 * The `pip:` section of an environment.yml, installed as conda does it: by the
 * environment's own pip, after the conda packages, from a requirements file written next
 * to the environment file so that relative paths in it keep their meaning.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TaipanError } from '../channels/model/errors.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import { isWindows, type Platform } from '../channels/model/platform.js';

export function environmentPython(prefix: string, platform: Platform): string {
  return isWindows(platform) ? path.join(prefix, 'python.exe') : path.join(prefix, 'bin', 'python');
}

/** Refuse, before anything is installed, a pip section that no python in the environment could run. */
export function checkPipPossible(requirements: readonly string[], finalRecords: readonly RepoDataRecord[]): void {
  if (requirements.length === 0) return;
  if (!finalRecords.some((r) => r.name === 'python')) {
    throw new TaipanError('PIP_FAILED', "the environment file has a 'pip:' section, but the environment will have no python to run pip", {
      hint: "add 'python' and 'pip' to the dependencies, or remove the pip section",
    });
  }
}

export async function runPipInstall(prefix: string, platform: Platform, requirements: readonly string[], cwd: string): Promise<void> {
  if (requirements.length === 0) return;
  const python = environmentPython(prefix, platform);
  if (!existsSync(python)) {
    throw new TaipanError('PIP_FAILED', `cannot run pip: '${python}' does not exist`, { hint: "add 'python' and 'pip' to the environment's dependencies" });
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'taipan-pip-'));
  const file = path.join(dir, 'requirements.txt');
  try {
    await writeFile(file, requirements.map((r) => `${r}\n`).join(''));
    const result = spawnSync(python, ['-m', 'pip', 'install', '-U', '-r', file], { cwd, stdio: 'inherit' });
    if (result.status !== 0) {
      throw new TaipanError('PIP_FAILED', `pip failed (exit code ${result.status ?? 'none'}) installing the 'pip:' section into '${prefix}'`, {
        hint: 'the conda packages are installed; fix the pip requirements and run `taipan env update -f FILE`',
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What `--file` brings to a request, whatever the file is: an environment.yml (by its
 * .yml/.yaml name, as conda and mamba decide it), a lock file (by content), a spec list,
 * or an @EXPLICIT file.
 * Several files add up; explicit files cannot be mixed with specs (conda refuses too).
 */
import { readFile } from 'node:fs/promises';
import { TaipanError } from '../../channels/model/errors.js';
import type { Platform } from '../../channels/model/platform.js';
import { parseEnvironmentYaml, type EnvironmentFile } from './environment-yaml.js';
import { parseSpecFile, type ExplicitPackage } from './spec-file.js';
import { looksLikeLockFile, parseLockFile } from '../lockfile/read.js';
import { lockedExplicitPackages } from '../lockfile/select.js';

export interface FileRequest {
  readonly specs: readonly string[];
  readonly channels: readonly string[];
  readonly pip: readonly string[];
  readonly explicit: readonly ExplicitPackage[];
  readonly variables: Readonly<Record<string, string>>;
  /** The environment files read (for their `name` and warnings). */
  readonly environments: readonly EnvironmentFile[];
}

export const EMPTY_FILE_REQUEST: FileRequest = { specs: [], channels: [], pip: [], explicit: [], variables: {}, environments: [] };

export function isEnvironmentYamlName(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

export async function readRequestFiles(files: readonly string[], platform: Platform, env: NodeJS.ProcessEnv = process.env): Promise<FileRequest> {
  const specs: string[] = [];
  const channels: string[] = [];
  const pip: string[] = [];
  const explicit: ExplicitPackage[] = [];
  const variables: Record<string, string> = {};
  const environments: EnvironmentFile[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new TaipanError('INVALID_ARGUMENT', `cannot read '${file}': ${(error as Error).message}`, { cause: error });
    }
    // A lock file (conda-lock.yml, pixi.lock, micromamba's JSON) is told apart by content:
    // it installs exactly its packages for this platform, hash-checked, like @EXPLICIT.
    if (looksLikeLockFile(text)) {
      explicit.push(...lockedExplicitPackages(parseLockFile(text, file), platform));
      continue;
    }
    if (isEnvironmentYamlName(file)) {
      const parsed = parseEnvironmentYaml(text, file, { env, platform });
      environments.push(parsed);
      specs.push(...parsed.dependencies);
      channels.push(...parsed.channels.filter((c) => !channels.includes(c)));
      pip.push(...parsed.pip);
      Object.assign(variables, parsed.variables);
      continue;
    }
    const parsed = parseSpecFile(text, file);
    if (parsed.kind === 'explicit') explicit.push(...parsed.packages);
    else specs.push(...parsed.specs);
  }
  if (explicit.length > 0 && (specs.length > 0 || pip.length > 0)) {
    throw new TaipanError('INVALID_ARGUMENT', 'an @EXPLICIT file cannot be combined with package specs', {
      hint: 'install the explicit file on its own; it already names every package',
    });
  }
  return { specs, channels, pip, explicit, variables, environments };
}

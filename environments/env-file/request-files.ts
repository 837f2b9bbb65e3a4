/**
 * What `--file` brings to a request, whatever the file is: an environment.yml (by its
 * .yml/.yaml name, as conda and mamba decide it), a lock file (by content), a spec list,
 * or an @EXPLICIT file. Each may be a path or an http(s) URL; what a downloaded file names
 * may not lead back to this machine's files (see fetch/url-trust.ts).
 * Several files add up; explicit files cannot be mixed with specs (conda refuses too).
 */
import { Channel } from '../../channels/model/channel.js';
import { TaipanError } from '../../channels/model/errors.js';
import type { HttpClient } from '../../channels/fetch/http-client.js';
import { checkReferencedUrl, type Referrer } from '../../channels/fetch/url-trust.js';
import type { Platform } from '../../channels/model/platform.js';
import { parseEnvironmentYaml, type EnvironmentFile } from './environment-yaml.js';
import { parseSpecFile, type ExplicitPackage } from './spec-file.js';
import { looksLikeLockFile, parseLockFile } from '../lockfile/read.js';
import { lockedExplicitPackages } from '../lockfile/select.js';
import { readRequestFileText } from './request-file-text.js';

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

export async function readRequestFiles(files: readonly string[], platform: Platform, env: NodeJS.ProcessEnv = process.env, client?: HttpClient): Promise<FileRequest> {
  const specs: string[] = [];
  const channels: string[] = [];
  const pip: string[] = [];
  const explicit: ExplicitPackage[] = [];
  const variables: Record<string, string> = {};
  const environments: EnvironmentFile[] = [];
  for (const file of files) {
    const { text, source, remote, fileName } = await readRequestFileText(file, client);
    // A lock file (conda-lock.yml, pixi.lock, micromamba's JSON) is told apart by content:
    // it installs exactly its packages for this platform, hash-checked, like @EXPLICIT.
    if (looksLikeLockFile(text)) {
      explicit.push(...checkedPackages(lockedExplicitPackages(parseLockFile(text, source), platform), { url: source, kind: 'lock file' }));
      continue;
    }
    if (isEnvironmentYamlName(fileName)) {
      const parsed = remote ? remoteEnvironment(parseEnvironmentYaml(text, source, { env: refusedEnvironment(source), platform })) : parseEnvironmentYaml(text, source, { env, platform });
      environments.push(parsed);
      specs.push(...parsed.dependencies);
      channels.push(...parsed.channels.filter((c) => !channels.includes(c)));
      pip.push(...parsed.pip);
      Object.assign(variables, parsed.variables);
      continue;
    }
    const parsed = parseSpecFile(text, source);
    if (parsed.kind === 'explicit') explicit.push(...checkedPackages(parsed.packages, { url: source, kind: '@EXPLICIT file' }));
    else specs.push(...parsed.specs);
  }
  if (explicit.length > 0 && (specs.length > 0 || pip.length > 0)) {
    throw new TaipanError('INVALID_ARGUMENT', 'an @EXPLICIT file cannot be combined with package specs', {
      hint: 'install the explicit file on its own; it already names every package',
    });
  }
  return { specs, channels, pip, explicit, variables, environments };
}

/** The packages of a lock or @EXPLICIT file, once each URL is one its source may name. */
function checkedPackages(packages: readonly ExplicitPackage[], source: Referrer): readonly ExplicitPackage[] {
  for (const pkg of packages) checkReferencedUrl(source, `the url of '${pkg.fn}'`, pkg.url);
  return packages;
}

/**
 * An environment.yml from the network: its channels may not be local folders (a URL or a
 * path is held to the rules of fetch/url-trust.ts; a channel name resolves as the user's
 * configuration says), and its `prefix`, a folder of this machine chosen by the server, is
 * not followed: the environment goes where -n/-p or the file's `name` says.
 */
function remoteEnvironment(parsed: EnvironmentFile): EnvironmentFile {
  for (const channel of parsed.channels) {
    const location = /^[a-z][a-z0-9+.-]*:\/\//i.test(channel) ? channel : Channel.parse(channel).localPath() !== undefined ? Channel.parse(channel).baseUrl : undefined;
    if (location !== undefined) checkReferencedUrl({ url: parsed.source, kind: 'environment file' }, `the channel '${channel}'`, location);
  }
  if (parsed.prefix === undefined) return parsed;
  const { prefix, ...rest } = parsed;
  return { ...rest, warnings: [...parsed.warnings, `${parsed.source}: 'prefix: ${prefix}' ignored: a file read from the network does not choose a folder of this machine; give -p or -n`] };
}

/**
 * conda expands `${VAR}` in an environment file's channels; a file from the network could
 * use it to send this machine's variables (a token, a cloud key) to a channel URL of its
 * choosing, so every lookup is refused.
 */
function refusedEnvironment(source: string): NodeJS.ProcessEnv {
  return new Proxy({} as NodeJS.ProcessEnv, {
    get(_target, key) {
      throw new TaipanError('INVALID_ARGUMENT', `environment file '${source}' uses the environment variable '${String(key)}': a file read from the network may not read this machine's environment`, {
        hint: 'download the file, check it, and use it from disk',
      });
    },
  });
}

/**
 * Checks that need no SAT call: does every requested name exist, and does any of its
 * records match the requested version/build? These answer with PACKAGE_NOT_FOUND, which
 * tells "typo, missing channel or missing version" apart from a real conflict (the users'
 * most common complaint about conda's old UnsatisfiableError).
 */
import { channelLabel } from '../channels/model/channel-label.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import { similarNames } from '../channels/model/suggest.js';
import { channelKey } from './candidates.js';
import { isVirtualName, type CandidateProvider } from './provider.js';
import type { RootConstraint } from './roots.js';
import { SolveError, type SolverTask } from './task.js';

const MAX_LISTED_VERSIONS = 12;

/** Throws a PACKAGE_NOT_FOUND SolveError naming every requested spec with no candidate. */
export function preflight(provider: CandidateProvider, roots: readonly RootConstraint[], task: SolverTask): void {
  const problems: string[] = [];
  const failed: string[] = [];
  for (const root of roots) {
    if (root.kind !== 'spec') continue;
    const name = root.spec.name;
    const candidates = provider.candidatesOf(name);
    if (candidates.length === 0) {
      problems.push(missingName(name, root, provider, task));
      failed.push(root.text);
    } else if (provider.matching(root.spec).length === 0) {
      const versions = distinctVersions(provider, candidates);
      const what = isVirtualName(name) ? `the system provides '${name}'` : `available versions of '${name}'`;
      problems.push(`no record of '${name}' matches ${root.label}; ${what}: ${listVersions(versions)}`);
      failed.push(root.text);
    }
  }
  if (problems.length === 0) return;
  const message =
    problems.length === 1 ? (problems[0] as string) : `some requested packages are not available:\n  - ${problems.join('\n  - ')}`;
  throw new SolveError('PACKAGE_NOT_FOUND', message, { specs: failed, chains: [] }, hintFor(failed, provider));
}

function missingName(name: string, root: RootConstraint, provider: CandidateProvider, task: SolverTask): string {
  if (isVirtualName(name)) {
    const known = (task.virtualPackages ?? []).map((record) => record.name);
    return `virtual package '${name}' (needed for ${root.label}) is not available on this system` +
      (known.length > 0 ? `; it provides ${[...new Set(known)].sort().join(', ')}` : '');
  }
  const channels = channelNames(provider, task);
  let message = `no package named '${name}' in ${channels} (perhaps a typo or a missing channel)`;
  return message + didYouMeanPackage(name, task);
}

function hintFor(failed: readonly string[], provider: CandidateProvider): string {
  const virtual = failed.some((text) => isVirtualName(text));
  if (virtual) return 'virtual packages describe the system; CONDA_OVERRIDE_* variables (e.g. CONDA_OVERRIDE_CUDA) can declare one';
  return provider.names.length > 0
    ? 'check the spelling, the version and the channel list (-c)'
    : 'check the spelling and the channel list (-c)';
}

function channelNames(provider: CandidateProvider, task: SolverTask): string {
  let channels = task.channels !== undefined ? [...task.channels] : [];
  if (channels.length === 0) {
    channels = [...new Set(provider.candidates.filter((c) => !c.virtual).map((c) => channelKey(c.record)))];
  }
  if (channels.length === 0) return 'the configured channels';
  return `channel${channels.length > 1 ? 's' : ''} ${channels.map((c) => `'${c}'`).join(', ')}`;
}

/** Versions newest first, each once. */
export function distinctVersions(provider: CandidateProvider, ids: readonly number[]): string[] {
  const versions: string[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    const version = provider.candidate(id).record.version;
    if (!seen.has(version)) {
      seen.add(version);
      versions.push(version);
    }
  }
  return versions;
}

/** At most a dozen versions, then how many more there are. */
export function listVersions(versions: readonly string[]): string {
  if (versions.length === 0) return '(none)';
  const shown = versions.slice(0, MAX_LISTED_VERSIONS).join(', ');
  const more = versions.length - MAX_LISTED_VERSIONS;
  return more > 0 ? `${shown} (and ${more} older)` : shown;
}

/**
 * `; did you mean 'x' (channel)?` for a name no channel has: close names (case, `-`/`_`,
 * one or two edits) among the names the channels list, each with the channel that has it. A lookup function is listed through `task.knownNames`
 * (the channel index lists names without building records); without it, no suggestions.
 */
export function didYouMeanPackage(name: string, task: SolverTask): string {
  if (isVirtualName(name)) return '';
  const names = typeof task.available === 'function' ? task.knownNames?.() : task.available.keys();
  if (names === undefined) return '';
  const records = typeof task.available === 'function' ? task.available : (n: string) => (task.available as ReadonlyMap<string, readonly RepoDataRecord[]>).get(n) ?? [];
  const similar = similarNames(name, names).map((candidate) => {
    // Only the few suggested names are looked up; a sharded channel answers [] for a name not fetched.
    const first = records(candidate)[0];
    return first === undefined ? `'${candidate}'` : `'${candidate}' (${channelLabel(first.channel)})`;
  });
  return similar.length > 0 ? `; did you mean ${similar.join(' or ')}?` : '';
}

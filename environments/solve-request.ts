/**
 * From a user's request to a transaction plan: load the channels, read the prefix, solve
 * (before anything is touched), and diff the solution against what is installed.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Channel } from '../channels/model/channel.js';
import { TaipanError } from '../channels/model/errors.js';
import { MatchSpec } from '../channels/model/match-spec/index.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import { didYouMean } from '../channels/model/suggest.js';
import type { Platform } from '../channels/model/platform.js';
import { ChannelIndex, type ChannelIndexOptions } from '../channels/repodata/channel-index.js';
import { solve, type ChannelPriority, type SolverBackend } from '../solver/index.js';
import { readRequestedSpecs } from './prefix/history.js';
import { isEnvironment, type PrefixRecord } from './prefix/prefix-record.js';
import { Prefix } from './prefix/prefix.js';
import { pinnedFile } from './prefix/prefix-files.js';
import { planTransaction, type TransactionPlan } from './transaction/plan.js';
import { detectVirtualPackages } from './virtual-packages.js';

export interface InstallRequest {
  readonly prefix: string;
  readonly platform: Platform;
  readonly channels: readonly Channel[];
  readonly specs: readonly string[];
  /** `create` needs a new (or empty) prefix; `install` an existing environment. */
  readonly mode: 'create' | 'install';
  readonly noDeps?: boolean;
  readonly forceReinstall?: boolean;
  /** `env update --prune`: drop installed packages the new request does not need. */
  readonly prune?: boolean;
  /** From config `channel_priority`; strict when absent. */
  readonly channelPriority?: ChannelPriority;
  /** Config `pinned_packages`; the prefix's conda-meta/pinned is read as well. */
  readonly pinnedSpecs?: readonly string[];
  /**
   * `update`: these installed names are no longer held at their installed records, so
   * the solver moves them to the newest it can; `'all'` frees every installed name.
   */
  readonly update?: readonly string[] | 'all';
  /** How repodata is fetched: HTTP client, cache folder, offline, ttl, progress. */
  readonly indexOptions?: ChannelIndexOptions;
  /** The solver (CDCL by default; `logic-solver` as a cross-check). */
  readonly backend?: SolverBackend;
  /**
   * conda's update modifiers. By default installed packages are kept where possible and
   * changed where the request needs it (`--no-update-deps`); `freeze-installed` forbids
   * changing them; `update-deps` moves the requested packages' dependencies forward too.
   */
  readonly updateModifier?: 'freeze-installed' | 'update-deps';
  /** `--only-deps`: install what the requested packages need, not the packages themselves. */
  readonly onlyDeps?: boolean;
  /** conda's add_pip_as_python_dependency (default true): python pulls pip in. */
  readonly addPipAsPythonDependency?: boolean;
  /** `prefix`, opened once by the caller so one command reads its records once; opened here when absent. */
  readonly opened?: Prefix;
}

export interface SolvedRequest {
  readonly plan: TransactionPlan<PrefixRecord>;
  /** What the prefix holds once the plan is carried out. */
  readonly finalRecords: readonly RepoDataRecord[];
  /** The spec the user wrote, by package name. */
  readonly requestedSpecs: ReadonlyMap<string, string>;
  /** What the prefix held when this was solved: under the prefix lock, a difference means solve again. */
  readonly installed?: readonly RepoDataRecord[];
}

export async function solveInstall(request: InstallRequest): Promise<SolvedRequest> {
  const specs = request.specs.map((s) => MatchSpec.parse(s));
  if (specs.length === 0 && request.update !== 'all') {
    throw new TaipanError('INVALID_ARGUMENT', 'no package specs given', { hint: 'name at least one package, e.g. `taipan create -p ./env zlib`' });
  }
  await checkPrefix(request);
  if (request.channels.length === 0) {
    throw new TaipanError('INVALID_ARGUMENT', 'no channels given', { hint: 'pass a channel with -c (a folder, a file:// URL or a name), or list `channels` in ~/.condarc or ~/.taipanrc' });
  }
  const installed = request.mode === 'install' ? await (request.opened ?? (await Prefix.open(request.prefix))).records() : [];
  const requestedNames = new Set(specs.map((s) => s.name));
  // In an existing environment the specs the user asked for earlier stay in force, and
  // every other installed package stays installed (possibly changed), as in conda; with
  // `prune` only the new request counts, so whatever it does not need goes.
  const keep = request.mode === 'install' && !request.prune;
  const earlier = keep ? (await readRequestedSpecs(request.prefix)).map((s) => MatchSpec.parse(s)) : [];
  const keptSpecs = earlier.filter((s) => !requestedNames.has(s.name));
  const keptNames = new Set([...requestedNames, ...keptSpecs.map((s) => s.name)]);
  if (keep) {
    for (const record of installed) {
      if (!keptNames.has(record.name)) {
        keptSpecs.push(MatchSpec.parse(record.name));
        keptNames.add(record.name);
      }
    }
  }
  const pinned = [...(request.pinnedSpecs ?? []), ...(await readPinnedFile(request.prefix))].map((p) => MatchSpec.parse(p));
  if (Array.isArray(request.update)) {
    const missing = request.update.filter((name) => !installed.some((r) => r.name === name));
    if (missing.length > 0) {
      const suggestion = missing.length === 1 ? didYouMean(missing[0] as string, installed.map((r) => r.name)) : '';
      throw new TaipanError('NOT_INSTALLED', `cannot update ${missing.map((n) => `'${n}'`).join(', ')}: not installed in '${request.prefix}'${suggestion}`, {
        hint: 'install it with `taipan install`',
      });
    }
  }
  // Sharded channels fetch only what these names reach.
  const index = await ChannelIndex.load(request.channels, request.platform, {
    ...request.indexOptions,
    names: [...keptNames, ...installed.map((r) => r.name), ...pinned.map((p) => p.name)],
  });
  const freed = request.update === 'all' ? new Set(installed.map((r) => r.name)) : new Set(request.update ?? []);
  if (request.updateModifier === 'update-deps') for (const name of dependencyClosure(installed, requestedNames)) freed.add(name);
  if (request.updateModifier === 'freeze-installed') {
    for (const r of installed) if (!requestedNames.has(r.name)) pinned.push(MatchSpec.parse(`${r.name}==${r.version}=${r.build}`));
  }
  const result = await solve({
    specs: [...specs, ...keptSpecs],
    pinned,
    channelPriority: request.channelPriority,
    available: request.addPipAsPythonDependency === false ? (name) => index.get(name) : withPipForPython((name) => index.get(name)),
    installed: installed.filter((r) => !freed.has(r.name)),
    virtualPackages: detectVirtualPackages(request.platform),
    noDeps: request.noDeps,
    channels: request.channels.map((c) => c.name),
    // For "did you mean": the index lists names without building records.
    knownNames: () => index.names(),
  }, request.backend ? { backend: request.backend } : {});
  // --no-deps only changes the requested names; everything else installed stays.
  let finalRecords = request.noDeps ? mergeByName(installed, result.records) : result.records;
  if (request.onlyDeps) {
    const installedNames = new Set(installed.map((r) => r.name));
    finalRecords = finalRecords.filter((r) => !requestedNames.has(r.name) || installedNames.has(r.name));
  }
  const plan = planTransaction(installed, finalRecords, {
    forceReinstall: request.forceReinstall ? requestedNames : undefined,
  });
  const requestedSpecs = new Map(request.specs.map((text, i) => [specs[i]?.name ?? text, text]));
  return { plan, finalRecords, requestedSpecs, installed };
}

/**
 * conda's add_pip_as_python_dependency: python records depend on pip, so an environment
 * with python has pip, as users of conda and mamba expect. Applied only where the
 * channels offer pip at all, so python stays installable from channels without it.
 */
function withPipForPython(get: (name: string) => readonly RepoDataRecord[]): (name: string) => readonly RepoDataRecord[] {
  let python: readonly RepoDataRecord[] | undefined;
  return (name) => {
    if (name !== 'python') return get(name);
    if (python === undefined) {
      const records = get('python');
      python = get('pip').length === 0 ? records : records.map((r) => (r.depends.some((d) => MatchSpec.parse(d).name === 'pip') ? r : Object.freeze({ ...r, depends: [...r.depends, 'pip'] })));
    }
    return python;
  };
}

/** Installed names that the given names depend on, directly or not. */
function dependencyClosure(installed: readonly RepoDataRecord[], roots: ReadonlySet<string>): Set<string> {
  const byName = new Map(installed.map((r) => [r.name, r]));
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const record = byName.get(queue.pop() as string);
    for (const dep of record?.depends ?? []) {
      const name = MatchSpec.parse(dep).name;
      if (!seen.has(name) && !roots.has(name)) {
        seen.add(name);
        queue.push(name);
      }
    }
  }
  return seen;
}

/** conda-meta/pinned: one spec a line, `#` comments, as conda reads it. */
async function readPinnedFile(prefix: string): Promise<string[]> {
  const text = await readFile(pinnedFile(prefix), 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '');
}

function mergeByName(installed: readonly RepoDataRecord[], chosen: readonly RepoDataRecord[]): RepoDataRecord[] {
  const chosenNames = new Set(chosen.map((r) => r.name));
  return [...installed.filter((r) => !chosenNames.has(r.name)), ...chosen];
}

async function checkPrefix(request: InstallRequest): Promise<void> {
  if (request.mode === 'install') {
    if (!(await isEnvironment(request.prefix))) {
      throw new TaipanError('PREFIX_NOT_FOUND', `'${request.prefix}' is not an environment (it has no conda-meta folder)`, {
        hint: 'create it first with `taipan create -p PREFIX SPEC...`',
      });
    }
    return;
  }
  let entries: string[];
  try {
    entries = await readdir(request.prefix);
  } catch {
    return;
  }
  if (entries.length > 0) {
    throw new TaipanError('PREFIX_EXISTS', `'${request.prefix}' already exists and is not empty`, {
      hint: (await isEnvironment(request.prefix))
        ? 'install into it with `taipan install -p PREFIX SPEC...`, or remove it first'
        : 'choose a new folder for the environment',
    });
  }
}

/**
 * What `remove` takes out: the installed records the specs name, and every installed
 * record that depends on one of them (it could not work without it).
 */
export async function solveRemove(prefix: string, specTexts: readonly string[], opened?: Prefix): Promise<SolvedRequest> {
  if (!(await isEnvironment(prefix))) {
    throw new TaipanError('PREFIX_NOT_FOUND', `'${prefix}' is not an environment (it has no conda-meta folder)`);
  }
  const installed = await (opened ?? (await Prefix.open(prefix))).records();
  const specs = specTexts.map((s) => MatchSpec.parse(s));
  const removed = new Set<string>();
  for (const spec of specs) {
    const hits = installed.filter((r) => spec.matches(r));
    if (hits.length === 0) {
      const suggestion = installed.some((r) => r.name === spec.name) ? '' : didYouMean(spec.name, installed.map((r) => r.name));
      throw new TaipanError('NOT_INSTALLED', `no installed package matches '${spec.toString()}' in '${prefix}'${suggestion}`, {
        hint: 'see what is installed with `taipan list -p PREFIX`',
      });
    }
    for (const hit of hits) removed.add(hit.name);
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const record of installed) {
      if (removed.has(record.name)) continue;
      if (record.depends.some((d) => removed.has(MatchSpec.parse(d).name))) {
        removed.add(record.name);
        grew = true;
      }
    }
  }
  // Dependencies that only the removed packages needed go too, unless the user asked for
  // them by name at some point (conda-meta/history): conda's remove prunes the same way.
  const askedFor = new Set((await readRequestedSpecs(prefix)).map((s) => MatchSpec.parse(s).name));
  const orphanCandidates = dependencyClosure(installed, new Set(removed));
  for (let pruned = true; pruned; ) {
    pruned = false;
    const remaining = installed.filter((r) => !removed.has(r.name));
    const needed = new Set(remaining.flatMap((r) => r.depends.map((d) => MatchSpec.parse(d).name)));
    for (const record of remaining) {
      if (orphanCandidates.has(record.name) && !askedFor.has(record.name) && !needed.has(record.name)) {
        removed.add(record.name);
        pruned = true;
      }
    }
  }
  const finalRecords = installed.filter((r) => !removed.has(r.name));
  return { plan: planTransaction(installed, finalRecords), finalRecords, requestedSpecs: new Map(), installed };
}

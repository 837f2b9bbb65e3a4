/**
 * Names: every name taipan turns into a file or folder, hostile or at the file system's
 * limits, through the real CLI: environment names (`-n .`, `..`, '', `a/b`, 256 bytes,
 * unicode, the envs folder itself), package names in index.json (`../x`, newline, NUL, 300
 * bytes) through `taipan index` and through hand-written repodata, entry point names of
 * link.json, and payload file names (a 255-byte name installs, 256 is refused; paths near
 * PATH_MAX). Besides fixed lists, fast-check generates names from a grammar of segments
 * (`.`, `..`, separators, NUL, newlines, long runs, unicode).
 *
 * A case survives when taipan either did what was asked (the environment, script or file
 * is exactly where its name says) or ended with a clear typed error. Everything happens in
 * one sandbox folder; any path added or removed in it outside the package cache and the
 * environment the case names counts as lost, as does a sentinel file changed.
 */
import { readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { indexChannel } from '../../../channels/indexer/index-channel.js';
import { clearError, describeRun, runCase, taipan, type CaseResult, type Category, type CliRun, type Context } from '../harness.js';
import { condaZip, exists, listTree, rawTar, sha256, writePackage, type RawEntry } from '../fixtures.js';

// ---------------------------------------------------------------------------------------
// The grammar of hostile names.

/** Pieces a name is made of: the dot names, separators, NUL and control bytes, unicode. */
const PIECES = ['.', '..', '/', '\\', '\0', '\n', '\t', ' ', ':', '#', '=', '~', '$', '*', '-', '_', 'a', 'Z', '9', 'é', '环', '🐍', '\u202e', 'CON', 'conda-meta', '.taipan'];
/** Characters repeated in long runs: one, two, three and four UTF-8 bytes each. */
const RUNS = ['n', 'é', '环', '🐍'];

const nameArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }).map((p) => p.join('')) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...RUNS), fc.integer({ min: 50, max: 300 })).map(([c, n]) => c.repeat(n)) },
  { weight: 1, arbitrary: fc.string({ minLength: 0, maxLength: 12, unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', '..', '...', '/', '//', './a', '../a', 'a/..', 'a\0b', 'a\nb') },
);

/** `count` distinct names from the grammar, the same ones on every run. */
function generatedNames(count: number, seed: number, keep: (name: string) => boolean = () => true): string[] {
  const names = new Set<string>();
  for (const name of fc.sample(nameArbitrary, { numRuns: count * 4, seed })) {
    if (keep(name)) names.add(name);
    if (names.size === count) break;
  }
  return [...names];
}

const shown = (name: string): string => {
  const text = JSON.stringify(name);
  return text.length > 40 ? `${text.slice(0, 36)}…" (${Buffer.byteLength(name)} bytes)` : text;
};

// ---------------------------------------------------------------------------------------
// Packages.

/** A stand-in `python` (noarch: python packages need one in the environment). */
export async function pythonStandIn(channel: string): Promise<void> {
  await writePackage(channel, { name: 'python', version: '3.12.1', files: { 'bin/python3.12': '#!/bin/sh\nexit 0\n' } });
}

/** A noarch: python package whose link.json declares the console script `entryPoint`. */
export async function entryPointPackage(channel: string, name: string, entryPoint: string): Promise<void> {
  const stem = `${name}-1.0-0`;
  const body = 'def main():\n    return 0\n';
  const info = rawTar([
    { path: 'info/index.json', body: JSON.stringify({ name, version: '1.0', build: '0', build_number: 0, depends: ['python'], noarch: 'python', subdir: 'noarch' }) },
    { path: 'info/paths.json', body: JSON.stringify({ paths: [{ _path: 'site-packages/mod_x/__init__.py', path_type: 'hardlink', sha256: sha256(body), size_in_bytes: body.length }], paths_version: 1 }) },
    { path: 'info/link.json', body: JSON.stringify({ noarch: { type: 'python', entry_points: [entryPoint] }, package_metadata_version: 1 }) },
  ]);
  await mkdir(path.join(channel, 'noarch'), { recursive: true });
  await writeFile(path.join(channel, 'noarch', `${stem}.conda`), await condaZip(stem, rawTar([{ path: 'site-packages/mod_x/__init__.py', body }]), info));
}

/** A `.conda` named `<stem>.conda` whose info/index.json gives the package `name`. */
async function packageCalled(channel: string, stem: string, name: string): Promise<void> {
  const index = { name, version: '1.0', build: '0', build_number: 0, depends: [], noarch: 'generic', subdir: 'noarch' };
  const info = rawTar([
    { path: 'info/index.json', body: JSON.stringify(index) },
    { path: 'info/paths.json', body: JSON.stringify({ paths: [{ _path: `share/${stem}.txt`, path_type: 'hardlink', sha256: sha256('x\n'), size_in_bytes: 2 }], paths_version: 1 }) },
  ]);
  await mkdir(path.join(channel, 'noarch'), { recursive: true });
  await writeFile(path.join(channel, 'noarch', `${stem}.conda`), await condaZip(stem, rawTar([{ path: `share/${stem}.txt`, body: 'x\n' }]), info));
}

/** A payload path of exactly `bytes` bytes: 200-byte folders under `share/`, then a file. */
export function deepPath(bytes: number): string {
  const segments = ['share'];
  let length = 'share'.length;
  while (length + 201 + 2 <= bytes) {
    segments.push('d'.repeat(200));
    length += 201;
  }
  segments.push('f'.repeat(bytes - length - 1));
  return segments.join('/');
}

// ---------------------------------------------------------------------------------------
// The sandbox and what may change in it.

interface Sandbox {
  /** Everything of the category lives below this folder. */
  readonly root: string;
  readonly channel: string;
  readonly pkgs: string;
  readonly envs: string;
  /** A file no case may change. */
  readonly sentinel: string;
}

const SENTINEL = 'keep me exactly as I am\n';

async function makeSandbox(work: string): Promise<Sandbox> {
  // Three levels deep, so that a name climbing out of the envs or cache folder still lands inside `root`.
  const root = path.join(work, 'names');
  const base = path.join(root, 'a', 'b', 'sandbox');
  const sandbox = { root, channel: path.join(base, 'channel'), pkgs: path.join(base, 'pkgs'), envs: path.join(base, 'envs'), sentinel: path.join(root, 'a', 'sentinel.txt') };
  await mkdir(sandbox.envs, { recursive: true });
  await mkdir(sandbox.channel, { recursive: true });
  await writeFile(sandbox.sentinel, SENTINEL);
  await writePackage(sandbox.channel, { name: 'tool', files: { 'bin/tool': '#!/bin/sh\necho tool\n', 'share/tool/readme.txt': 'tool\n' } });
  await pythonStandIn(sandbox.channel);
  await indexChannel(sandbox.channel);
  return sandbox;
}

/**
 * Paths added to or removed from the sandbox between `before` and now, other than those
 * `allowed` says a case may change (the package cache, the environment it names); plus a
 * changed sentinel. Each counts as lost.
 */
async function strayChanges(sandbox: Sandbox, before: ReadonlySet<string>, allowed: (relative: string) => boolean): Promise<string[]> {
  const after = new Set(await listTree(sandbox.root));
  const stray = [...after].filter((p) => !before.has(p) && !allowed(p)).map((p) => `added ${JSON.stringify(p).slice(0, 120)}`);
  stray.push(...[...before].filter((p) => !after.has(p) && !allowed(p)).map((p) => `removed ${JSON.stringify(p).slice(0, 120)}`));
  if ((await readFile(sandbox.sentinel, 'utf8').catch(() => '')) !== SENTINEL) stray.push('the sentinel file changed');
  return stray;
}

/** `allowed` for a case that may write the package cache and the folders `inside`. */
function under(sandbox: Sandbox, ...inside: string[]): (relative: string) => boolean {
  const roots = [sandbox.pkgs, ...inside].map((p) => path.relative(sandbox.root, p));
  return (relative) => roots.some((r) => relative === r || relative.startsWith(`${r}/`));
}

const env = (sandbox: Sandbox): NodeJS.ProcessEnv => ({ TAIPAN_PKGS_DIRS: sandbox.pkgs, TAIPAN_ENVS_DIRS: sandbox.envs });

function outcome(run: CliRun, works: boolean, stray: string[], what: string): Omit<CaseResult, 'name'> {
  const survived = works || clearError(run);
  return { survived, lost: stray.length, detail: `${what}: ${works ? 'works' : describeRun(run)}${stray.length ? `; ${stray.join('; ')}` : ''}` };
}

// ---------------------------------------------------------------------------------------
// The category.

export const names: Category = {
  name: 'Names',
  async run(context: Context): Promise<CaseResult[]> {
    const sandbox = await makeSandbox(context.work);
    const results: CaseResult[] = [];
    results.push(...(await environmentNames(context, sandbox)));
    results.push(...(await packageNames(context, sandbox)));
    results.push(...(await entryPointNames(context, sandbox)));
    results.push(...(await fileNames(context, sandbox)));
    return results;
  },
};

// Environment names -------------------------------------------------------------------

const FIXED_ENV_NAMES = ['.', '..', '', 'a/b', '../escape', 'a\\b', 'a:b', 'a#b', ' lead', 'n'.repeat(255), 'n'.repeat(256), 'é'.repeat(127), 'é'.repeat(128), 'café-环境-🐍', '\u202eevil', 'envs', 'pkgs', '-', '--yes', 'conda-meta'];

async function environmentNames(context: Context, sandbox: Sandbox): Promise<CaseResult[]> {
  // argv cannot carry a NUL byte: those names are tried where a file can carry them.
  const generated = generatedNames(context.quick ? 4 : 24, 7, (n) => !n.includes('\0'));
  const cases = context.quick ? ['.', '..', '', 'a/b', 'n'.repeat(256), 'café-环境-🐍', 'envs', ...generated] : [...FIXED_ENV_NAMES, ...generated];
  const results: CaseResult[] = [];
  for (const name of new Set(cases)) results.push(await runCase(`environment name ${shown(name)}`, () => environmentName(context, sandbox, name)));
  results.push(await runCase('-p the envs folder itself', () => prefixPath(context, sandbox, sandbox.envs)));
  results.push(await runCase('-p the envs folder\'s parent', () => prefixPath(context, sandbox, path.dirname(sandbox.envs))));
  results.push(await runCase('-p with a 300-byte folder name', () => prefixPath(context, sandbox, path.join(sandbox.envs, 'p'.repeat(300)))));
  return results;
}

/** create --name=NAME then env remove --name=NAME: each works on envs/NAME exactly, or fails clearly. */
async function environmentName(context: Context, sandbox: Sandbox, name: string): Promise<Omit<CaseResult, 'name'>> {
  const before = new Set(await listTree(sandbox.root));
  const prefix = path.join(sandbox.envs, name);
  const inEnvs = path.dirname(prefix) === sandbox.envs && name !== '' && name !== '.' && name !== '..';
  const created = await taipan(['create', '-y', '-q', `--name=${name}`, '-c', sandbox.channel, '--override-channels', 'tool'], context, env(sandbox));
  const works = created.status === 0 && inEnvs && (await exists(path.join(prefix, 'conda-meta', 'tool-1.0-0.json'))) && (await exists(path.join(prefix, 'bin', 'tool')));
  let removal = '';
  if (created.status === 0) {
    const removed = await taipan(['env', 'remove', '-y', '-q', `--name=${name}`], context, env(sandbox));
    if (removed.status !== 0 || (await exists(prefix))) removal = `env remove: ${describeRun(removed)}`;
  }
  const stray = await strayChanges(sandbox, before, under(sandbox, ...(inEnvs ? [prefix] : [])));
  if (removal) stray.push(removal);
  return outcome(created, works, stray, `create ${shown(name)}`);
}

/** create -p PATH for a path that must be refused. */
async function prefixPath(context: Context, sandbox: Sandbox, prefix: string): Promise<Omit<CaseResult, 'name'>> {
  const before = new Set(await listTree(sandbox.root));
  const run = await taipan(['create', '-y', '-q', '-p', prefix, '-c', sandbox.channel, '--override-channels', 'tool'], context, env(sandbox));
  const stray = await strayChanges(sandbox, before, under(sandbox));
  return outcome(run, false, stray, `create -p '${prefix.slice(0, 80)}'`);
}

// Package names in index.json ---------------------------------------------------------

const FIXED_PACKAGE_NAMES = ['../x', '../../../../x', 'a/b', 'a\\b', '.', '..', '', 'a\nb', 'a\0b', 'a b', 'l'.repeat(300), 'é', 'UPPER', 'ok-name_1.2', 'conda-meta', '.taipan'];

/** Whether conda tools would index the name (letters, digits, `-`, `_`, `.`; not `.`/`..`; short enough for a record file). */
const indexable = (name: string): boolean => /^[A-Za-z0-9_.-]+$/.test(name) && name !== '.' && name !== '..' && Buffer.byteLength(`${name}-1.0-0.json`) <= 255;

async function packageNames(context: Context, sandbox: Sandbox): Promise<CaseResult[]> {
  const generated = generatedNames(context.quick ? 6 : 30, 11);
  const list = [...new Set([...(context.quick ? FIXED_PACKAGE_NAMES.slice(0, 10) : FIXED_PACKAGE_NAMES), ...generated])];
  const channel = path.join(path.dirname(sandbox.channel), 'names-channel');
  await writePackage(channel, { name: 'goodpkg', files: { 'share/goodpkg.txt': 'good\n' } });
  const stems = new Map(list.map((name, i) => [name, `pkg${i}-1.0-0`]));
  for (const [name, stem] of stems) await packageCalled(channel, stem, name);
  const before = new Set(await listTree(sandbox.root));
  const run = await taipan(['index', channel], context, {});
  const indexed = JSON.parse(await readFile(path.join(channel, 'noarch', 'repodata.json'), 'utf8').catch(() => '{}')) as { 'packages.conda'?: Record<string, { name: string }> };
  const stray = await strayChanges(sandbox, before, under(sandbox, channel));
  const results: CaseResult[] = [];
  for (const [name, stem] of stems) {
    results.push(
      await runCase(`index.json name ${shown(name)} (taipan index)`, async () => {
        const record = indexed['packages.conda']?.[`${stem}.conda`];
        const warned = run.stderr.includes(`warning: skipped 'noarch/${stem}.conda': `);
        // Indexed exactly when it is a package name; otherwise left out with a warning, never silently.
        const ok = indexable(name) ? record?.name === name && !warned : record === undefined && warned;
        return { survived: ok && run.status === 1 && !/unexpected failure/.test(run.stderr), lost: 0, detail: `${ok ? '' : `record ${JSON.stringify(record)} warned ${warned}; `}${describeRun(run)}` };
      }),
    );
  }
  results.push(
    await runCase('taipan index: the good package indexed next to the bad ones, nothing written outside the channel', async () => ({
      survived: indexed['packages.conda']?.['goodpkg-1.0-0.conda']?.name === 'goodpkg' && /^error: \d+ archive\(s\) could not be indexed/m.test(run.stderr),
      lost: stray.length,
      detail: `${describeRun(run)}; ${stray.join('; ')}`,
    })),
  );
  // The indexer is not the only way in: a channel's repodata can say anything.
  const hostile = list.filter((n) => !indexable(n)).slice(0, context.quick ? 3 : 12);
  for (const name of hostile) results.push(await runCase(`repodata name ${shown(name)} (hand-written repodata, create)`, () => repodataName(context, sandbox, channel, name, stems.get(name) as string)));
  results.push(await runCase('repodata file name of 300 bytes (create)', () => repodataName(context, sandbox, channel, 'goodpkg', 'goodpkg-1.0-0', `${'x'.repeat(300)}.conda`)));
  return results;
}

/** A channel whose repodata gives the archive `stem`.conda the name `name` (and file name `fn`). */
async function repodataName(context: Context, sandbox: Sandbox, source: string, name: string, stem: string, fn = `${stem}.conda`): Promise<Omit<CaseResult, 'name'>> {
  const channel = path.join(path.dirname(sandbox.channel), `repodata-${sha256(name + fn).slice(0, 12)}`);
  await rm(channel, { recursive: true, force: true });
  await mkdir(path.join(channel, 'noarch'), { recursive: true });
  const archive = await readFile(path.join(source, 'noarch', `${stem}.conda`));
  await writeFile(path.join(channel, 'noarch', `${stem}.conda`), archive);
  const record = { name, version: '1.0', build: '0', build_number: 0, depends: [], subdir: 'noarch', sha256: sha256(archive), size: archive.length };
  await writeFile(path.join(channel, 'noarch', 'repodata.json'), JSON.stringify({ info: { subdir: 'noarch' }, packages: {}, 'packages.conda': { [fn]: record }, repodata_version: 1 }));
  const prefix = path.join(sandbox.envs, `repodata-${sha256(name + fn).slice(0, 12)}`);
  const before = new Set(await listTree(sandbox.root));
  // The name as a spec: a hostile name may not even parse as one, which is a clear error too.
  const run = await taipan(['create', '-y', '-q', '-p', prefix, '-c', channel, '--override-channels', name === '' ? 'x' : name.split('\0')[0] || 'x'], context, env(sandbox));
  const stray = await strayChanges(sandbox, before, under(sandbox, prefix, channel));
  return outcome(run, false, stray, 'create');
}

// Entry point names --------------------------------------------------------------------

const FIXED_ENTRY_POINTS = ['.', '..', 'a/b', 'a\\b', '../../escape', 'e'.repeat(255), 'e'.repeat(256), '环'.repeat(85), '环'.repeat(86), 'a\0b', 'conda-meta', 'good-tool', '工具', '.hidden'];

async function entryPointNames(context: Context, sandbox: Sandbox): Promise<CaseResult[]> {
  const generated = generatedNames(context.quick ? 4 : 20, 13);
  const list = [...new Set([...(context.quick ? ['.', '..', 'a/b', 'e'.repeat(256), 'good-tool'] : FIXED_ENTRY_POINTS), ...generated])];
  const channel = path.join(path.dirname(sandbox.channel), 'entry-points');
  await pythonStandIn(channel);
  const packages = new Map(list.map((name, i) => [name, `ep${i}`]));
  for (const [name, pkg] of packages) await entryPointPackage(channel, pkg, `${name} = mod_x:main`);
  await indexChannel(channel);
  // One environment with python; each package is installed into it on its own.
  const prefix = path.join(sandbox.envs, 'entry-points');
  const setup = await taipan(['create', '-y', '-q', '-p', prefix, '-c', channel, '--override-channels', 'python'], context, env(sandbox));
  if (setup.status !== 0) return [{ name: 'entry points: the environment with python', survived: false, lost: 0, detail: describeRun(setup) }];
  const results: CaseResult[] = [];
  for (const [name, pkg] of packages) {
    results.push(
      await runCase(`entry point name ${shown(name)}`, async () => {
        const before = new Set(await listTree(sandbox.root));
        const run = await taipan(['install', '-y', '-q', '-p', prefix, '-c', channel, '--override-channels', pkg], context, env(sandbox));
        // Installed: the script is one file in bin/, named exactly as link.json says.
        const script = path.join(prefix, 'bin', name);
        const works = run.status === 0 && path.dirname(script) === path.join(prefix, 'bin') && (await exists(script));
        const stray = await strayChanges(sandbox, before, under(sandbox, prefix));
        if (run.status === 0 && !works) stray.push(`installed, but no script at bin/${shown(name)}`);
        return outcome(run, works, stray, `install ${pkg}`);
      }),
    );
  }
  return results;
}

// File names at the file system's limits ------------------------------------------------

interface PayloadCase {
  readonly name: string;
  readonly entries: RawEntry[];
  /** 'works', 'refused', or 'either' (depends on where the cache and prefix are). */
  readonly expect: 'works' | 'refused' | 'either';
  readonly quick?: boolean;
}

const PAYLOADS: PayloadCase[] = [
  { name: 'a 255-byte file name', entries: [{ path: `share/${'c'.repeat(255)}`, body: 'ok\n' }], expect: 'works', quick: true },
  { name: 'a 256-byte file name', entries: [{ path: `share/${'c'.repeat(256)}`, body: 'x\n' }], expect: 'refused', quick: true },
  { name: 'a 255-byte name of 3-byte characters', entries: [{ path: `share/${'环'.repeat(85)}`, body: 'ok\n' }], expect: 'works' },
  { name: 'a 258-byte name of 3-byte characters', entries: [{ path: `share/${'环'.repeat(86)}`, body: 'x\n' }], expect: 'refused' },
  { name: 'a 256-byte folder name', entries: [{ path: `share/${'d'.repeat(256)}/f`, body: 'x\n' }], expect: 'refused' },
  { name: 'a path of 4096 bytes', entries: [{ path: deepPath(4096), body: 'x\n' }], expect: 'refused', quick: true },
  { name: 'a path of 4060 bytes (fits no cache folder)', entries: [{ path: deepPath(4060), body: 'x\n' }], expect: 'refused' },
  { name: 'a path of 3500 bytes', entries: [{ path: deepPath(3500), body: 'ok\n' }], expect: 'works' },
  // A dangling link: its target is never created, so only the link's own name must fit.
  { name: 'a symlink whose target has a 300-byte name', entries: [{ path: 'share/link', type: 'SymbolicLink', linkpath: `${'t'.repeat(300)}` }], expect: 'either' },
  { name: 'a symlink with a 4000-byte target', entries: [{ path: 'share/link', type: 'SymbolicLink', linkpath: deepPath(4000).replace(/^share\//, '') }], expect: 'either' },
  { name: 'a hard link to a 256-byte name', entries: [{ path: 'share/a.txt', body: 'x\n' }, { path: 'share/b.txt', type: 'Link', linkpath: `share/${'h'.repeat(256)}` }], expect: 'refused' },
];

async function fileNames(context: Context, sandbox: Sandbox): Promise<CaseResult[]> {
  const channel = path.join(path.dirname(sandbox.channel), 'file-names');
  const fixed = context.quick ? PAYLOADS.filter((p) => p.quick) : PAYLOADS;
  // Generated: payload paths of one to four segments from the grammar, as written in the archive.
  const generated = fc
    .sample(fc.array(nameArbitrary, { minLength: 1, maxLength: 4 }), { numRuns: context.quick ? 5 : 25, seed: 17 })
    .map((segments, i): PayloadCase => ({ name: `generated path ${i}: ${shown(segments.join('/'))}`, entries: [{ path: segments.join('/'), body: 'x\n' }], expect: 'either' }));
  const cases = [...fixed, ...generated];
  for (const [i, c] of cases.entries()) {
    // paths.json lists the entries too, so what extraction lets through is linked as well.
    const declared = c.entries.map((e) =>
      e.type === 'SymbolicLink' ? { _path: e.path as string, path_type: 'softlink' } : { _path: e.path as string, path_type: 'hardlink', sha256: sha256(e.body ?? ''), size_in_bytes: Buffer.byteLength(e.body ?? '') },
    );
    await writePackage(channel, { name: `payload${i}`, files: { [`share/payload${i}/ok.txt`]: 'ok\n' }, raw: c.entries, editPaths: (paths) => [...paths, ...declared] });
  }
  await indexChannel(channel);
  const results: CaseResult[] = [];
  for (const [i, c] of cases.entries()) {
    results.push(
      await runCase(`payload ${c.name}`, async () => {
        const prefix = path.join(sandbox.envs, `payload${i}`);
        const before = new Set(await listTree(sandbox.root));
        const run = await taipan(['create', '-y', '-q', '-p', prefix, '-c', channel, '--override-channels', `payload${i}`], context, env(sandbox));
        const target = c.entries[0]?.path as string;
        const works = run.status === 0 && (await exists(path.join(prefix, 'share', `payload${i}`, 'ok.txt'))) && (c.expect !== 'works' || (await exists(path.join(prefix, target))));
        const stray = await strayChanges(sandbox, before, under(sandbox, prefix));
        const expected = c.expect === 'works' ? works : c.expect === 'refused' ? clearError(run) : works || clearError(run);
        await rm(prefix, { recursive: true, force: true });
        return { ...outcome(run, works, stray, 'create'), survived: expected };
      }),
    );
  }
  return results;
}

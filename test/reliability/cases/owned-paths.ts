/**
 * Paths taipan owns: package payload and conda-meta records aimed at the files taipan keeps
 * in a prefix (records, history, lock, journal, trash, the pack plan) or, through a record,
 * at anything outside the prefix. Generated from the grammar of such paths (each reserved
 * name under every alias a file system may take, reached directly, through a folder
 * symlink or by a symlink's target; records listing hostile paths, fast-check generated)
 * rather than from a fixed list, and run through the real package cache and the real CLI.
 *
 * Lost counts anything outside a prefix or the cache that changed, a record taipan did not
 * write that it trusts, and a refused package left trusted in the cache.
 */
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { isTaipanError } from '../../../channels/model/errors.js';
import type { RepoDataRecord } from '../../../channels/model/package-record.js';
import { indexChannel } from '../../../channels/indexer/index-channel.js';
import { PackageCache } from '../../../environments/package-cache/package-cache.js';
import { clearError, describeRun, runCase, taipan, type CaseResult, type Category, type Context } from '../harness.js';
import { exists, listTree, sha256, writePackage, type RawEntry } from '../fixtures.js';

/** Each top-level name taipan keeps in a prefix, with a file a planted entry would replace. */
const OWNED: readonly [string, string][] = [
  ['conda-meta', 'fake-9.9-0.json'],
  ['conda-meta', 'history'],
  ['conda-meta', '.taipan.lock-owner'],
  ['conda-meta', '.taipan-transaction.json'],
  ['.taipan-trash', 'x/file'],
  ['.taipan-pack', 'plan'],
  ['__clobbers__', 'other/share/file'],
];

/** The names a file system may resolve to the same folder. */
const ALIASES: readonly [string, (name: string) => string][] = [
  ['as is', (n) => n],
  ['upper case', (n) => n.toUpperCase()],
  ['mixed case', (n) => n.replace(/^./, (c) => c.toUpperCase())],
  ['a trailing dot', (n) => `${n}.`],
  ['a trailing space', (n) => `${n} `],
  ['an NTFS stream suffix', (n) => `${n}::$INDEX_ALLOCATION`],
];

/** How an entry reaches the owned file. */
type Reach = 'entry' | 'folder symlink' | 'symlink target';

function payloadEntries(top: string, file: string, reach: Reach): RawEntry[] {
  const record = JSON.stringify({ name: 'fake', version: '9.9', build: '0', build_number: 0, channel: 'x', files: ['../outside/secret'] });
  if (reach === 'entry') return [{ path: `${top}/${file}`, body: record }];
  if (reach === 'folder symlink') return [{ path: 'share/door', type: 'SymbolicLink', linkpath: `../${top}` }, { path: `share/door/${file}`, body: record }];
  return [{ path: 'share/pointer', type: 'SymbolicLink', linkpath: `../${top}/${file}` }];
}

export const ownedPaths: Category = {
  name: 'Paths taipan owns',
  async run(context: Context): Promise<CaseResult[]> {
    const results: CaseResult[] = [];
    const reaches: Reach[] = ['entry', 'folder symlink', 'symlink target'];
    const aliases = context.quick ? ALIASES.slice(0, 2) : ALIASES;
    const owned = context.quick ? OWNED.filter(([, f]) => f === 'fake-9.9-0.json' || f === 'x/file') : OWNED;
    let n = 0;
    for (const [top, file] of owned) {
      for (const [aliasName, alias] of aliases) {
        for (const how of reaches) {
          // A symlink's target is resolved by the file system: only the exact name reaches the folder on Linux.
          if (how !== 'entry' && aliasName !== 'as is') continue;
          const tag = `payload-${n++}`;
          results.push(await runCase(`payload ${how} '${alias(top)}/${file}' (${aliasName})`, () => refusedByCache(context, tag, payloadEntries(alias(top), file, how))));
        }
      }
    }
    results.push(await runCase('a cache entry made before the check, with conda-meta payload, is refused at link time', () => linkTimeRefusal(context)));
    results.push(await runCase('records listing hostile paths (fast-check) are left alone by list, install and remove', () => hostileRecords(context)));
    results.push(await runCase('records reaching out or into conda-meta through symlinked folders remove nothing there', () => symlinkedRecords(context)));
    results.push(await runCase('the envs folder holding a planted conda-meta is not removed as an environment', () => envsRoot(context)));
    return results;
  },
};

async function refusedByCache(context: Context, tag: string, entries: RawEntry[]): Promise<Omit<CaseResult, 'name'>> {
  const base = path.join(context.work, tag);
  const channel = path.join(base, 'channel');
  const pkgs = path.join(base, 'pkgs');
  await mkdir(path.join(base, 'outside'), { recursive: true });
  await writeFile(path.join(base, 'outside', 'secret'), 'secret\n');
  const archive = await writePackage(channel, { name: 'evil', files: { 'share/ok.txt': 'ok\n' }, raw: entries });
  const bytes = await readFile(archive);
  const record = { name: 'evil', version: '1.0', build: '0', build_number: 0, depends: [], subdir: 'noarch', fn: path.basename(archive), url: pathToFileURL(archive).href, channel: pathToFileURL(channel).href, sha256: sha256(bytes), size: bytes.length } as unknown as RepoDataRecord;
  const error = await new PackageCache([pkgs]).get(record).then(() => undefined, (e: unknown) => e);
  const lost: string[] = [];
  if (await exists(path.join(pkgs, 'evil-1.0-0', 'info', 'repodata_record.json'))) lost.push('the refused package is a trusted cache entry');
  if ((await readFile(path.join(base, 'outside', 'secret'), 'utf8')) !== 'secret\n') lost.push('outside changed');
  const refused = isTaipanError(error) && error.code === 'UNSAFE_ARCHIVE_ENTRY' && error.message.includes('evil-1.0-0');
  return { survived: refused, lost: lost.length, detail: `${refused ? '' : `not refused: ${String(error)}; `}${lost.join('; ')}` };
}

/** A small channel in `base` with a plain package, and the environment variables of a run. */
async function plainSetup(base: string): Promise<{ channel: string; env: NodeJS.ProcessEnv; outside: string }> {
  const channel = path.join(base, 'channel');
  const outside = path.join(base, 'outside');
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'secret'), 'secret\n');
  await writePackage(channel, { name: 'good', files: { 'share/good/readme.txt': 'good\n' } });
  await writePackage(channel, { name: 'other', files: { 'share/other/readme.txt': 'other\n' } });
  await indexChannel(channel);
  return { channel, outside, env: { TAIPAN_PKGS_DIRS: path.join(base, 'pkgs'), TAIPAN_ENVS_DIRS: path.join(base, 'envs') } };
}

async function outsideIntact(outside: string): Promise<string[]> {
  const names = await readdir(outside).catch(() => [] as string[]);
  if (names.join() !== 'secret') return [`outside holds ${names.join(', ') || 'nothing'}`];
  return (await readFile(path.join(outside, 'secret'), 'utf8')) === 'secret\n' ? [] : ['the secret changed'];
}

async function linkTimeRefusal(context: Context): Promise<Omit<CaseResult, 'name'>> {
  const base = path.join(context.work, 'link-time');
  const { channel, env } = await plainSetup(base);
  const first = await taipan(['create', '-y', '-n', 'a', '-c', channel, 'good'], context, env);
  if (first.status !== 0) return { survived: false, lost: 0, detail: `setup: ${describeRun(first)}` };
  // What an older taipan may have extracted: the entry is trusted, its payload holds a record.
  const entry = path.join(base, 'pkgs', 'good-1.0-0');
  await mkdir(path.join(entry, 'conda-meta'), { recursive: true });
  const planted = JSON.stringify({ name: 'fake', version: '9.9', build: '0', build_number: 0, channel: 'x', files: [] });
  await writeFile(path.join(entry, 'conda-meta', 'fake-9.9-0.json'), planted);
  const pathsFile = path.join(entry, 'info', 'paths.json');
  const paths = JSON.parse(await readFile(pathsFile, 'utf8')) as { paths: object[] };
  paths.paths.push({ _path: 'conda-meta/fake-9.9-0.json', path_type: 'hardlink', sha256: sha256(planted), size_in_bytes: planted.length });
  await writeFile(pathsFile, JSON.stringify(paths));
  const run = await taipan(['create', '-y', '-n', 'b', '-c', channel, 'good'], context, env);
  const planted2 = await exists(path.join(base, 'envs', 'b', 'conda-meta', 'fake-9.9-0.json'));
  const refused = clearError(run) && /conda-meta/.test(run.stderr);
  return { survived: refused, lost: planted2 ? 1 : 0, detail: describeRun(run) };
}

/** A path a record may list that must never be acted on. */
const hostilePath = fc.oneof(
  fc.constantFrom('../outside/secret', '../../outside/secret', 'share/../../outside/secret', '..\\outside\\secret', 'C:/Windows/x', 'conda-meta/history', 'conda-meta/good-1.0-0.json', '.taipan-trash/x', 'Conda-Meta/history', '', '.', 'a/\0/b'),
  fc.array(fc.constantFrom('..', '.', 'share', 'conda-meta', '', 'x', '..\\..'), { minLength: 1, maxLength: 6 }).map((s) => s.join('/')).filter((p) => p.split('/').includes('..') || p.split('/').find((s) => s !== '' && s !== '.') === 'conda-meta'),
  fc.constant('ABSOLUTE'),
);

async function hostileRecords(context: Context): Promise<Omit<CaseResult, 'name'>> {
  const base = path.join(context.work, 'records');
  const { channel, env, outside } = await plainSetup(base);
  const created = await taipan(['create', '-y', '-n', 'e', '-c', channel, 'good'], context, env);
  if (created.status !== 0) return { survived: false, lost: 0, detail: `setup: ${describeRun(created)}` };
  const meta = path.join(base, 'envs', 'e', 'conda-meta');
  const samples = fc.sample(fc.array(hostilePath, { minLength: 1, maxLength: 3 }), { numRuns: context.quick ? 10 : 60, seed: 13 });
  const names: string[] = [];
  for (const [i, paths] of samples.entries()) {
    const listed = paths.map((p) => (p === 'ABSOLUTE' ? path.join(outside, 'secret') : p));
    const name = `bad${i}`;
    names.push(name);
    await writeFile(path.join(meta, `${name}-1.0-0.json`), JSON.stringify({ name, version: '1.0', build: '0', build_number: 0, channel: 'x', depends: [], files: listed, paths_data: { paths_version: 1, paths: listed.map((p) => ({ _path: p, path_type: 'hardlink' })) } }));
  }
  const list = await taipan(['list', '-n', 'e'], context, env);
  const install = await taipan(['install', '-y', '-n', 'e', '-c', channel, 'other'], context, env);
  const remove = await taipan(['remove', '-y', '-n', 'e', ...names], context, env);
  const removeGood = await taipan(['remove', '-y', '-n', 'e', 'good', 'other'], context, env);
  const lost = await outsideIntact(outside);
  const left = await readdir(meta);
  const kept = names.filter((n) => left.includes(`${n}-1.0-0.json`)).length;
  if (!left.includes('history')) lost.push('conda-meta/history was removed');
  const warned = names.every((n) => list.stderr.includes(`${n}-1.0-0.json`));
  const listedBad = names.some((n) => new RegExp(`^${n}\\s`, 'm').test(list.stdout));
  const ok = list.status === 0 && warned && !listedBad && install.status === 0 && clearError(remove) && removeGood.status === 0 && kept === names.length;
  return {
    survived: ok,
    lost: lost.length,
    count: samples.length,
    detail: `list ${describeRun(list)}; install ${describeRun(install)}; remove ${describeRun(remove)}; kept ${kept}/${names.length}; ${lost.join('; ')}`,
  };
}

async function symlinkedRecords(context: Context): Promise<Omit<CaseResult, 'name'>> {
  const base = path.join(context.work, 'symlinked');
  const { channel, env, outside } = await plainSetup(base);
  const created = await taipan(['create', '-y', '-n', 'e', '-c', channel, 'good', 'other'], context, env);
  if (created.status !== 0) return { survived: false, lost: 0, detail: `setup: ${describeRun(created)}` };
  const prefix = path.join(base, 'envs', 'e');
  await symlink(outside, path.join(prefix, 'out'));
  await symlink('conda-meta', path.join(prefix, 'meta'));
  await symlink('share/deeper/../../conda-meta', path.join(prefix, 'meta2'));
  const record = (name: string, files: string[]): string => JSON.stringify({ name, version: '1.0', build: '0', build_number: 0, channel: 'x', depends: [], files });
  await writeFile(path.join(prefix, 'conda-meta', 'sneaky-1.0-0.json'), record('sneaky', ['out/secret', 'meta/other-1.0-0.json', 'meta2/history', 'share/good/readme.txt']));
  const run = await taipan(['remove', '-y', '-n', 'e', 'sneaky'], context, env);
  const lost = await outsideIntact(outside);
  const meta = await readdir(path.join(prefix, 'conda-meta'));
  for (const must of ['other-1.0-0.json', 'history']) if (!meta.includes(must)) lost.push(`conda-meta/${must} was removed`);
  const warned = /left 3 path\(s\) of 'sneaky' alone/.test(run.stderr);
  const goodGone = !(await exists(path.join(prefix, 'share', 'good', 'readme.txt')));
  return { survived: run.status === 0 && warned && goodGone, lost: lost.length, detail: `${describeRun(run)}; ${lost.join('; ')}` };
}

async function envsRoot(context: Context): Promise<Omit<CaseResult, 'name'>> {
  const base = path.join(context.work, 'envs-root');
  const { channel, env } = await plainSetup(base);
  const created = await taipan(['create', '-y', '-n', 'keep', '-c', channel, 'good'], context, env);
  if (created.status !== 0) return { survived: false, lost: 0, detail: `setup: ${describeRun(created)}` };
  const envs = path.join(base, 'envs');
  await mkdir(path.join(envs, 'conda-meta'), { recursive: true });
  const runs = [
    await taipan(['env', 'remove', '-y', '-p', envs], context, env),
    await taipan(['remove', '--all', '-y', '-p', envs], context, env),
    await taipan(['env', 'remove', '-y', '-n', '.'], context, env),
    await taipan(['env', 'remove', '-y', '-p', base], context, env),
  ];
  const lost = (await listTree(path.join(envs, 'keep'))).includes('share/good/readme.txt') ? 0 : 1;
  return { survived: runs.every(clearError), lost, detail: runs.map(describeRun).join(' | ') };
}

/**
 * Hostile package archives, in both formats, fed to the real package cache (the same
 * path every install takes: verify, extract, validate): `..` and absolute names, symlinks
 * and hard links that escape, devices and fifos, setuid bits, duplicate entries, a
 * paths.json that lies about hashes or sizes, decompression bombs. Each must be refused
 * with a typed error naming the archive (and, where there is one, the offending entry),
 * nothing may appear outside the target, and nothing may be left in the cache as a
 * trusted entry. One case goes through the CLI end to end.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractPackage } from '../../../channels/archive/index.js';
import { isTaipanError } from '../../../channels/model/errors.js';
import type { RepoDataRecord } from '../../../channels/model/package-record.js';
import { indexChannel } from '../../../channels/indexer/index-channel.js';
import { PackageCache } from '../../../environments/package-cache/package-cache.js';
import { clearError, describeRun, runCase, taipan, type CaseResult, type Category, type Context } from '../harness.js';
import { checkCache, exists, listTree, rawTar, sha256, writePackage, zstdBomb, type PackageSpec, type RawEntry } from '../fixtures.js';

const REFUSED = new Set(['UNSAFE_ARCHIVE_ENTRY', 'CORRUPT_ARCHIVE']);

interface ArchiveCase {
  name: string;
  spec: (outside: string) => Omit<PackageSpec, 'name' | 'format'>;
  /** The entry the error must name, when the case has one offending entry. */
  names?: string;
  quick?: boolean;
}

const OK = { 'share/ok.txt': 'fine\n' };
const raw = (...entries: RawEntry[]): Omit<PackageSpec, 'name' | 'format'> => ({ files: OK, raw: entries });

const CASES: ArchiveCase[] = [
  { name: "a '../' name", spec: () => raw({ path: '../../outside/pwned.txt', body: 'pwned' }), quick: true },
  { name: "a nested 'a/../../' name", spec: () => raw({ path: 'share/../../../outside/pwned.txt', body: 'pwned' }) },
  { name: 'an absolute name', spec: (outside) => raw({ path: path.join(outside, 'pwned-abs.txt'), body: 'pwned' }), quick: true },
  { name: 'a symlink to /etc, then a file through it', spec: () => raw({ path: 'etc', type: 'SymbolicLink', linkpath: '/etc' }, { path: 'etc/pwned-taipan', body: 'pwned' }) },
  { name: 'a symlink climbing out, then a file through it', spec: () => raw({ path: 'share/up', type: 'SymbolicLink', linkpath: '../../../outside' }, { path: 'share/up/pwned.txt', body: 'pwned' }), quick: true },
  { name: 'symlinks that escape only together (b -> c/.., c -> .)', spec: () => raw({ path: 'b', type: 'SymbolicLink', linkpath: 'c/..' }, { path: 'c', type: 'SymbolicLink', linkpath: '.' }) },
  { name: 'a hard link to ../outside/secret', spec: () => raw({ path: 'share/hl', type: 'Link', linkpath: '../../outside/secret' }), quick: true },
  { name: 'a hard link to an absolute path', spec: (outside) => raw({ path: 'share/hl', type: 'Link', linkpath: path.join(outside, 'secret') }) },
  { name: 'a hard link through an escaping symlink', spec: () => raw({ path: 'up', type: 'SymbolicLink', linkpath: '..' }, { path: 'share/hl', type: 'Link', linkpath: 'up/../outside/secret' }) },
  { name: 'a character device', spec: () => raw({ path: 'share/null', type: 'CharacterDevice', devmaj: 1, devmin: 3 }), quick: true },
  { name: 'a block device', spec: () => raw({ path: 'share/disk', type: 'BlockDevice', devmaj: 8, devmin: 0 }) },
  { name: 'a fifo', spec: () => raw({ path: 'share/pipe', type: 'FIFO' }) },
  { name: 'a setuid root executable', spec: () => ({ files: OK, raw: [{ path: 'bin/suid', body: '#!/bin/sh\nid\n', mode: 0o4755 }] }), names: 'bin/suid', quick: true },
  { name: 'a setgid executable', spec: () => ({ files: OK, raw: [{ path: 'bin/sgid', body: '#!/bin/sh\nid\n', mode: 0o2755 }] }), names: 'bin/sgid' },
  { name: 'a setuid+setgid executable', spec: () => ({ files: OK, raw: [{ path: 'bin/suid', body: '#!/bin/sh\nid\n', mode: 0o6755 }] }), names: 'bin/suid' },
  { name: 'a duplicate entry (the second would replace the first)', spec: () => ({ files: { 'share/dup.txt': 'first\n' }, raw: [{ path: 'share/dup.txt', body: 'second, evil\n' }] }), quick: true },
  {
    name: 'paths.json lies about a sha256',
    spec: () => ({ files: { 'share/a.txt': 'real content\n' }, editPaths: (p) => p.map((e) => ({ ...e, sha256: sha256('what the index promised\n') })) }),
    quick: true,
  },
  { name: 'paths.json lies about a size', spec: () => ({ files: { 'share/a.txt': 'real content\n' }, editPaths: (p) => p.map((e) => ({ ...e, size_in_bytes: 5 })) }) },
  {
    name: 'bomb: a header declaring 6 GiB for a file paths.json says is 10 bytes',
    spec: () => ({ files: { 'share/a.txt': '0123456789' }, editPaths: (p) => p, raw: [], bombHeader: true } as Omit<PackageSpec, 'name' | 'format'>),
    quick: true,
  },
  { name: 'bomb: an undeclared entry claiming 6 GiB (over the default limit)', spec: () => raw({ path: 'share/huge.bin', body: Buffer.alloc(1), headerSize: 6 * 1024 ** 3 }) },
];

export const hostileArchives: Category = {
  name: 'Hostile archives',
  async run(context: Context): Promise<CaseResult[]> {
    const results: CaseResult[] = [];
    const cases = context.quick ? CASES.filter((c) => c.quick) : CASES;
    for (const [i, c] of cases.entries()) {
      for (const format of ['conda', 'tar.bz2'] as const) {
        results.push(await runCase(`${c.name} (.${format})`, () => throughCache(context, `${i}-${format}`, c, format)));
      }
    }
    results.push(await runCase('bomb: 64 MiB of zeros in a few KiB, against a 8 MiB limit', () => zeroBomb(context)));
    results.push(await runCase('end to end: `taipan create` of a channel holding an escaping package', () => endToEnd(context)));
    return results;
  },
};

async function throughCache(context: Context, tag: string, c: ArchiveCase, format: 'conda' | 'tar.bz2'): Promise<Omit<CaseResult, 'name'>> {
  const base = path.join(context.work, tag);
  const outside = path.join(base, 'outside');
  const channel = path.join(base, 'channel');
  const pkgs = path.join(base, 'pkgs');
  await mkdir(outside, { recursive: true });
  await mkdir(pkgs, { recursive: true });
  await writeFile(path.join(outside, 'secret'), 'secret\n');
  const spec = c.spec(outside) as Omit<PackageSpec, 'name' | 'format'> & { bombHeader?: boolean };
  if (spec.bombHeader) spec.raw = [];
  const archive = await writePackage(channel, { name: 'evil', ...spec, format, ...(spec.bombHeader ? { headerSizes: { 'share/a.txt': 6 * 1024 ** 3 } } : {}) });
  const bytes = await readFile(archive);
  const record = {
    name: 'evil',
    version: '1.0',
    build: '0',
    build_number: 0,
    depends: [],
    subdir: 'noarch',
    fn: path.basename(archive),
    url: pathToFileURL(archive).href,
    channel: pathToFileURL(channel).href,
    sha256: sha256(bytes),
    size: bytes.length,
  } as unknown as RepoDataRecord;
  const cache = new PackageCache([pkgs]);
  const outcome = await cache.get(record).then(
    (entry) => ({ entry, error: undefined }),
    (error: unknown) => ({ entry: undefined, error }),
  );
  const lost: string[] = [];
  // Nothing outside the target: the sentinel folder is as it was, nothing named pwned anywhere.
  const outsideNow = await readdir(outside);
  if (outsideNow.join() !== 'secret' || (await readFile(path.join(outside, 'secret'), 'utf8')) !== 'secret\n') lost.push(`outside changed: ${outsideNow.join(', ')}`);
  if ((await stat(path.join(outside, 'secret'))).nlink !== 1) lost.push('the secret file gained a hard link');
  for (const p of await listTree(base)) if (p.includes('pwned') && !p.startsWith('channel/')) lost.push(`written: ${p}`);
  if (await exists('/etc/pwned-taipan')) lost.push('/etc/pwned-taipan exists');
  lost.push(...(await checkCache(pkgs)).details);
  const error = outcome.error;
  const refused = isTaipanError(error) && REFUSED.has(error.code) && error.message.includes(record.fn) && (c.names === undefined || (error.message.includes(`'${c.names}'`) && error.hint !== undefined));
  // Refused means not trusted: no extracted entry with a record, no temporary folder.
  const trusted = await exists(path.join(pkgs, 'evil-1.0-0', 'info', 'repodata_record.json'));
  if (trusted) lost.push('the refused package is a trusted cache entry');
  if (c.names !== undefined) for (const p of await listTree(pkgs)) if (p.endsWith(c.names)) lost.push(`written to the cache: ${p}`);
  return {
    survived: refused && !trusted,
    lost: lost.length,
    detail: `${refused ? '' : `not refused: ${outcome.error ? String(outcome.error) : 'extracted'}; `}${lost.join('; ')}`,
  };
}

async function zeroBomb(context: Context): Promise<Omit<CaseResult, 'name'>> {
  const base = path.join(context.work, 'zero-bomb');
  await mkdir(base, { recursive: true });
  const archive = path.join(base, 'bomb-1.0-0.conda');
  await writeFile(archive, await zstdBomb('bomb-1.0-0', 64 * 1024 * 1024));
  const dest = path.join(base, 'out');
  const error = await extractPackage(archive, dest, { maxUnpackedBytes: 8 * 1024 * 1024 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const left = await listTree(base);
  const refused = isTaipanError(error) && error.code === 'UNSAFE_ARCHIVE_ENTRY' && /decompression bomb/.test(error.message);
  return { survived: refused && left.join() === 'bomb-1.0-0.conda', lost: left.length - 1, detail: `${String(error)}; left: ${left.join(', ')}` };
}

async function endToEnd(context: Context): Promise<Omit<CaseResult, 'name'>> {
  const base = path.join(context.work, 'e2e');
  const outside = path.join(base, 'outside');
  const channel = path.join(base, 'channel');
  await mkdir(outside, { recursive: true });
  await writePackage(channel, { name: 'evil', files: OK, raw: [{ path: 'share/up', type: 'SymbolicLink', linkpath: '../../../../outside' }, { path: 'share/up/pwned.txt', body: 'pwned' }] });
  await indexChannel(channel);
  const prefix = path.join(base, 'env');
  const pkgs = path.join(base, 'pkgs');
  const run = await taipan(['create', '-y', '-p', prefix, '-c', channel, 'evil'], context, { TAIPAN_PKGS_DIRS: pkgs });
  const lost = [...(await listTree(base)).filter((p) => p.includes('pwned') && !p.startsWith('channel/')), ...(await checkCache(pkgs)).details];
  if (await exists(prefix)) lost.push('the prefix of the failed create exists');
  const clear = clearError(run) && /UNSAFE|refusing unsafe entry/.test(run.stderr);
  return { survived: clear, lost: lost.length, detail: `${describeRun(run)}; ${lost.join('; ')}` };
}

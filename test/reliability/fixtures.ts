/**
 * Packages, channels and checkers for the reliability cases. Packages are written tar
 * header by tar header (so hostile names stay hostile), compressed with taipan's own zstd
 * and bzip2 writers, and wrapped in the `.conda` zip layout; channels are indexed with
 * taipan's indexer. The checkers read what is on disk: every conda-meta record's files
 * present with the right sha256, no stray files; every trusted package cache entry whole.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import compressjs from 'compressjs';
import { Header, Pax, type HeaderData } from 'tar';
import yazl from 'yazl';
import { zstdCompressChecked } from '../../channels/archive/zstd-compress.js';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { ChannelServer } from '../helpers/channel-server.js';
import { checkPrefixConsistency } from '../unit/environments/link/prefix-consistency.js';

export interface RawEntry extends HeaderData {
  body?: string | Buffer;
  /** Write this size into the header instead of the body's length (lying headers, bombs). */
  headerSize?: number;
}

/** A ustar stream written header by header. */
export function rawTar(entries: readonly RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const { body, headerSize, ...header } of entries) {
    const data = typeof body === 'string' ? Buffer.from(body) : (body ?? Buffer.alloc(0));
    const block = Buffer.alloc(512);
    const fields = { mode: 0o644, mtime: new Date(1_700_000_000_000), uid: 0, gid: 0, type: 'File' as const, ...header, size: headerSize ?? data.length };
    const encoder = new Header(fields);
    encoder.encode(block, 0);
    // A name or link target too long for ustar goes whole into a pax header before it, as tar writes it.
    if (encoder.needPax) blocks.push(new Pax({ path: fields.path, linkpath: fields.linkpath, mtime: fields.mtime }).encode());
    blocks.push(block, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function bzip2(data: Buffer): Buffer {
  return Buffer.from(compressjs.Bzip2.compressFile(data) as Uint8Array);
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface PackageSpec {
  name: string;
  version?: string;
  build?: string;
  depends?: string[];
  /** Payload files: prefix-relative path → content. */
  files?: Record<string, string>;
  /** Extra raw payload entries (hostile ones), written after `files`. */
  raw?: RawEntry[];
  /** post-link / pre-unlink shell scripts. */
  postLink?: string;
  preUnlink?: string;
  /** Change paths.json after it is computed (lying metadata). */
  editPaths?: (paths: PathEntry[]) => PathEntry[];
  /** Leave info/paths.json out. */
  noPathsJson?: boolean;
  format?: 'conda' | 'tar.bz2';
  /** Header sizes that differ from the bodies (bombs), by path. */
  headerSizes?: Record<string, number>;
}

export interface PathEntry {
  _path: string;
  path_type: string;
  sha256?: string;
  size_in_bytes?: number;
}

/** Write a noarch package into `channel/noarch/`; returns the archive path. */
export async function writePackage(channel: string, spec: PackageSpec): Promise<string> {
  const version = spec.version ?? '1.0';
  const build = spec.build ?? '0';
  const files: Record<string, string> = { ...(spec.files ?? {}) };
  if (spec.postLink !== undefined) files[`bin/.${spec.name}-post-link.sh`] = spec.postLink;
  if (spec.preUnlink !== undefined) files[`bin/.${spec.name}-pre-unlink.sh`] = spec.preUnlink;
  let paths: PathEntry[] = Object.entries(files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([p, body]) => ({ _path: p, path_type: 'hardlink', sha256: sha256(body), size_in_bytes: Buffer.byteLength(body) }));
  if (spec.editPaths) paths = spec.editPaths(paths);
  const index = { name: spec.name, version, build, build_number: 0, depends: spec.depends ?? [], noarch: 'generic', subdir: 'noarch', platform: null, arch: null, timestamp: 1_700_000_000_000, license: 'MIT' };
  const info: RawEntry[] = [
    { path: 'info/index.json', body: JSON.stringify(index) },
    ...(spec.noPathsJson ? [] : [{ path: 'info/paths.json', body: JSON.stringify({ paths, paths_version: 1 }) }]),
    { path: 'info/files', body: Object.keys(files).map((f) => `${f}\n`).join('') },
  ];
  const payload: RawEntry[] = [
    ...Object.entries(files).map(([p, body]) => ({
      path: p,
      body,
      mode: p.endsWith('.sh') || p.startsWith('bin/') ? 0o755 : 0o644,
      ...(spec.headerSizes?.[p] !== undefined ? { headerSize: spec.headerSizes[p] } : {}),
    })),
    ...(spec.raw ?? []),
  ];
  const dir = path.join(channel, 'noarch');
  await mkdir(dir, { recursive: true });
  const stem = `${spec.name}-${version}-${build}`;
  if ((spec.format ?? 'conda') === 'tar.bz2') {
    const out = path.join(dir, `${stem}.tar.bz2`);
    await writeFile(out, bzip2(rawTar([...info, ...payload])));
    return out;
  }
  const out = path.join(dir, `${stem}.conda`);
  await writeFile(out, await condaZip(stem, rawTar(payload), rawTar(info)));
  return out;
}

/** The `.conda` zip of two tar streams. */
export async function condaZip(stem: string, pkgTar: Buffer, infoTar: Buffer): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const stored = { compress: false, mtime: new Date(1_700_000_000_000) };
  zip.addBuffer(Buffer.from('{"conda_pkg_format_version": 2}'), 'metadata.json', stored);
  zip.addBuffer(Buffer.from(await zstdCompressChecked(pkgTar, 3, stem)), `pkg-${stem}.tar.zst`, stored);
  zip.addBuffer(Buffer.from(await zstdCompressChecked(infoTar, 3, stem)), `info-${stem}.tar.zst`, stored);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A `.conda` whose payload is one file of `size` zero bytes (a few KiB compressed). */
export async function zstdBomb(stem: string, size: number): Promise<Buffer> {
  const index = JSON.stringify({ name: stem.split('-')[0], version: '1.0', build: '0', build_number: 0, depends: [] });
  return condaZip(stem, rawTar([{ path: 'share/zeros.bin', body: Buffer.alloc(size) }]), rawTar([{ path: 'info/index.json', body: index }]));
}

/** The standard channel written to `<work>/channel` and served on 127.0.0.1 while `body` runs. */
export async function withStandardServer<T>(work: string, body: (server: ChannelServer, channel: string) => Promise<T>): Promise<T> {
  const channel = path.join(work, 'channel');
  await standardChannel(channel);
  const server = await ChannelServer.start(channel);
  try {
    return await body(server, channel);
  } finally {
    await server.close();
  }
}

/** A small ordinary channel: `base` ← `app` (depends on base), `tool`, `extra` (a post-link script). */
export async function standardChannel(channel: string, options: { slowPostLinkSeconds?: number } = {}): Promise<void> {
  const many = (prefix: string, n: number): Record<string, string> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`share/${prefix}/file-${i}.txt`, `${prefix} ${i}\n`.repeat(i + 1)]));
  await writePackage(channel, { name: 'base', files: { 'lib/base.txt': 'base library\n', ...many('base', 6) } });
  await writePackage(channel, { name: 'base', version: '2.0', files: { 'lib/base.txt': 'base library 2\n', ...many('base2', 4) } });
  await writePackage(channel, { name: 'app', depends: ['base'], files: { 'bin/app': '#!/bin/sh\necho app\n', ...many('app', 8) }, format: 'tar.bz2' });
  await writePackage(channel, { name: 'tool', files: { 'bin/tool': '#!/bin/sh\necho tool\n', ...many('tool', 5) } });
  await writePackage(channel, {
    name: 'extra',
    files: { 'share/extra/readme.txt': 'extra\n' },
    postLink: `#!/bin/bash\n${options.slowPostLinkSeconds ? `sleep ${options.slowPostLinkSeconds}\n` : ''}echo "extra linked" >> "$PREFIX/.messages.txt"\n`,
  });
  for (let i = 0; i < 4; i++) {
    await writePackage(channel, {
      name: `pkg${i}`,
      files: { [`share/pkg${i}/data.txt`]: `pkg ${i}\n`, ...many(`pkg${i}`, 3) },
      ...(options.slowPostLinkSeconds ? { postLink: `#!/bin/bash\nsleep ${options.slowPostLinkSeconds}\n` } : {}),
    });
  }
  await indexChannel(channel);
}

// ---------------------------------------------------------------------------------------
// Checkers.

export interface Damage {
  /** Lost or corrupted files and records, stray files. */
  readonly count: number;
  readonly details: string[];
}

/**
 * The prefix invariant: every file of every record present with its sha256, no file
 * without a record, no journal/trash/lock leftovers. A missing prefix is fine (`absentOk`).
 */
export async function checkPrefix(prefix: string, ignore: readonly string[] = []): Promise<Damage> {
  const details: string[] = [];
  if (!(await exists(prefix))) return { count: 0, details };
  // A journal left behind is damage (and not a record: keep it away from the record reader).
  const journal = (await readdir(path.join(prefix, 'conda-meta')).catch(() => [] as string[])).filter((n) => n.startsWith('.taipan-transaction'));
  if (journal.length > 0) return { count: journal.length, details: journal.map((n) => `unrepaired journal conda-meta/${n}`) };
  const report = await checkPrefixConsistency(prefix, ignore);
  details.push(...report.orphans.map((f) => `stray file ${f}`), ...report.missing.map((f) => `missing ${f}`), ...report.shared.map((f) => `shared ${f}`), ...report.leftovers.map((f) => `leftover ${f}`));
  for (const name of report.records) {
    const record = JSON.parse(await readFile(path.join(prefix, 'conda-meta', name), 'utf8')) as {
      paths_data?: { paths: { _path: string; path_type: string; sha256?: string; sha256_in_prefix?: string }[] };
    };
    for (const p of record.paths_data?.paths ?? []) {
      if (p.path_type !== 'hardlink') continue;
      const expected = p.sha256_in_prefix ?? p.sha256;
      if (expected === undefined) continue;
      const file = path.join(prefix, p._path);
      const data = await readFile(file).catch(() => undefined);
      if (data !== undefined && sha256(data) !== expected) details.push(`corrupted ${name}: ${p._path}`);
    }
  }
  return { count: details.length, details };
}

/**
 * The package cache invariant: every entry that is trusted (has info/repodata_record.json)
 * holds each file of its paths.json with the right sha256 and size, its archive (when
 * present) has the record's sha256, and no temporary download or extraction is left.
 */
export async function checkCache(pkgsDir: string): Promise<Damage> {
  const details: string[] = [];
  const names = await readdir(pkgsDir).catch(() => [] as string[]);
  for (const name of names) {
    const full = path.join(pkgsDir, name);
    if (/\.partial-|\.extracting-/.test(name)) {
      details.push(`stray temporary ${name}`);
      continue;
    }
    const recordFile = path.join(full, 'info', 'repodata_record.json');
    const recordText = await readFile(recordFile, 'utf8').catch(() => undefined);
    if (recordText === undefined) continue;
    const record = JSON.parse(recordText) as { fn: string; sha256?: string };
    const paths = JSON.parse(await readFile(path.join(full, 'info', 'paths.json'), 'utf8').catch(() => '{"paths":[]}')) as { paths: PathEntry[] };
    for (const p of paths.paths) {
      const file = path.join(full, p._path);
      if (p.path_type === 'softlink') {
        if (!(await readlink(file).catch(() => undefined))) details.push(`cache ${name}: missing link ${p._path}`);
        continue;
      }
      if (p.path_type !== 'hardlink') continue;
      const data = await readFile(file).catch(() => undefined);
      if (data === undefined) details.push(`cache ${name}: missing ${p._path}`);
      else if ((p.sha256 && sha256(data) !== p.sha256) || (p.size_in_bytes !== undefined && data.length !== p.size_in_bytes)) details.push(`cache ${name}: corrupted ${p._path}`);
    }
    const archive = await readFile(path.join(pkgsDir, record.fn)).catch(() => undefined);
    if (archive !== undefined && record.sha256 && sha256(archive) !== record.sha256) details.push(`cache ${record.fn}: archive does not match its record`);
  }
  // Trusted archives without an extracted entry must match the channel too: they are reused.
  return { count: details.length, details };
}

/** Every path under `dir` (files, links, folders), relative, sorted. */
export async function listTree(dir: string, relative = ''): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(path.join(dir, relative), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    out.push(child);
    if (entry.isDirectory()) out.push(...(await listTree(dir, child)));
  }
  return out.sort();
}

export async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

export async function fresh(dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Records (conda-meta file names) of a prefix. */
export async function records(prefix: string): Promise<string[]> {
  return (await readdir(path.join(prefix, 'conda-meta')).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
}

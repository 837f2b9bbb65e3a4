/**
 * `taipan bundle environment.yml|conda-lock.yml|explicit.txt -o installer.sh|.zip`: an
 * offline installer, as constructor makes them. An environment.yml is solved here, once,
 * into a conda-lock.yml; a lock or @EXPLICIT file is shipped byte for byte, unsolved. The
 * payload holds the exact package archives (as a package cache), each extracted and checked
 * before anything is written, that file, the standalone taipan and an activate script. On
 * the attendee's machine the installer verifies the payload's sha256, then runs
 * `taipan create --file <that file>` offline: no solve, no network, every package hash
 * checked again on the way in.
 */
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as createTar } from 'tar';
import yazl from 'yazl';
import { createWriteStream, existsSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Channel } from '../../channels/model/channel.js';
import { checkShippedArchive } from '../../channels/mirror/check-archive.js';
import { shippedFileName } from '../../channels/mirror/shipped-name.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { TaipanError } from '../../channels/model/errors.js';
import { isWindows, type Platform } from '../../channels/model/platform.js';
import { activateBat, activateScript } from '../../environments/pack/scripts.js';
import { solvePlatforms } from '../../environments/lockfile/solve-platforms.js';
import { writeCondaLockV1 } from '../../environments/lockfile/write.js';
import { fetchArchive } from '../../environments/package-cache/fetch-archive.js';
import type { PackageCache } from '../../environments/package-cache/package-cache.js';
import { batInstaller, shellInstallerHeader, type InstallerFacts } from './installer-scripts.js';
import { buildSea, buildStandalone } from './standalone.js';

/**
 * What the installer installs. `solve`: specs (an environment.yml) solved here, once, into a
 * conda-lock.yml. `file`: a lock or @EXPLICIT file that was already tested, shipped byte
 * for byte and installed as it is, with no new solve (as constructor does with explicit
 * files); `records` are the packages it names for the installer's platform.
 */
export type BundleSource =
  | { readonly kind: 'solve'; readonly specs: readonly string[]; readonly channels: readonly Channel[] }
  | { readonly kind: 'file'; readonly text: string; readonly payloadName: string; readonly records: readonly RepoDataRecord[] };

export interface BundleRequest {
  readonly envName: string;
  readonly source: BundleSource;
  readonly platform: Platform;
  readonly output: string;
  readonly cache: PackageCache;
  /** `node` (default): a 1.5 MB bundle that needs Node 20+; `sea`: a ~100 MB native executable, this machine's platform only. */
  readonly standalone?: 'node' | 'sea';
}

export interface BundleResult {
  readonly output: string;
  readonly packages: number;
  readonly bytes: number;
  readonly payloadSha256: string;
}

export async function buildInstaller(request: BundleRequest): Promise<BundleResult> {
  const kind = request.output.endsWith('.zip') ? 'zip' : request.output.endsWith('.sh') ? 'sh' : undefined;
  if (kind === undefined) throw new TaipanError('INVALID_ARGUMENT', `cannot tell the installer kind of '${request.output}'`, { hint: 'name it *.sh (Linux, macOS) or *.zip (Windows, with install.bat)' });
  const standalone = request.standalone ?? 'node';
  if (standalone === 'sea' && request.platform !== hostPlatform()) {
    throw new TaipanError('INVALID_ARGUMENT', `a single executable taipan can only be built for this machine's platform, not '${request.platform}'`, { hint: 'use --standalone node, or run `taipan bundle` on that platform' });
  }
  const source = request.source;
  const records = source.kind === 'file' ? source.records : ((await solvePlatforms({ channels: source.channels, specs: source.specs, platforms: [request.platform] })).get(request.platform) ?? []);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'taipan-bundle-'));
  try {
    const payload = path.join(scratch, 'payload');
    await mkdir(path.join(payload, 'pkgs'), { recursive: true });
    await mkdir(path.join(payload, 'taipan'), { recursive: true });
    const shipped = await shipArchives(records, request.cache, path.join(payload, 'pkgs'), scratch);
    const requestFile = source.kind === 'file' ? source.payloadName : 'conda-lock.yml';
    const requestText =
      source.kind === 'file' ? source.text : writeCondaLockV1({ channels: source.channels.map((c) => c.name), specs: source.specs, platforms: new Map([[request.platform, shipped]]) });
    await writeFile(path.join(payload, requestFile), requestText);
    await writeFile(path.join(payload, 'activate.tmpl'), activateScript('', {}));
    if (standalone === 'sea') await buildSea(path.join(payload, 'taipan', isWindows(request.platform) ? 'taipan.exe' : 'taipan'));
    else await buildStandalone(path.join(payload, 'taipan', 'taipan.cjs'));
    const payloadFile = path.join(scratch, 'payload.tar.gz');
    await createTar({ gzip: true, cwd: payload, file: payloadFile, portable: true }, ['pkgs', 'taipan', requestFile, 'activate.tmpl']);
    const data = await readFile(payloadFile);
    const facts: InstallerFacts = { envName: request.envName, payloadSha256: createHash('sha256').update(data).digest('hex'), standalone, requestFile };
    // Written under a temporary name and renamed: a failed run leaves no installer, not even part of one.
    const partial = path.join(scratch, 'installer');
    if (kind === 'sh') {
      const headerLength = Buffer.byteLength(shellInstallerHeader(facts, 0));
      const header = Buffer.from(shellInstallerHeader(facts, headerLength));
      await writeFile(partial, Buffer.concat([header, data]));
      await chmod(partial, 0o755);
    } else {
      const zip = new yazl.ZipFile();
      zip.addBuffer(Buffer.from(batInstaller(facts)), 'install.bat');
      zip.addBuffer(Buffer.from(activateBat({})), 'activate.bat');
      zip.addBuffer(data, 'payload.tar.gz', { compress: false });
      zip.end();
      await pipeline(zip.outputStream, createWriteStream(partial));
    }
    const bytes = (await stat(partial)).size;
    await moveInto(partial, request.output);
    return { output: request.output, packages: records.length, bytes, payloadSha256: facts.payloadSha256 };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Each archive copied into the payload's package cache and checked there, as the very file
 * that ships (channels/mirror/check-archive.ts). A cache entry whose archive was cleaned
 * away (`taipan clean --tarballs`) is fetched again. Records without a hash get the hashes
 * computed here, so the installer's lock can pin them.
 */
async function shipArchives(records: readonly RepoDataRecord[], cache: PackageCache, pkgs: string, scratch: string): Promise<RepoDataRecord[]> {
  const entries = await cache.getAll(records);
  const shipped: RepoDataRecord[] = [];
  for (const entry of entries) {
    const copy = path.join(pkgs, shippedFileName(entry.record));
    if (existsSync(entry.archive)) await copyFile(entry.archive, copy);
    else await fetchArchive(entry.record, copy, { offline: offlineByEnvironment() });
    const hashes = await checkShippedArchive(entry.record, copy, scratch);
    shipped.push({ ...entry.record, sha256: entry.record.sha256 ?? hashes.sha256, md5: entry.record.md5 ?? hashes.md5, size: entry.record.size ?? hashes.size });
  }
  return shipped;
}

/** TAIPAN_OFFLINE / CONDA_OFFLINE, read as the package cache reads them. */
function offlineByEnvironment(): boolean {
  const value = (process.env.TAIPAN_OFFLINE ?? process.env.CONDA_OFFLINE ?? '').toLowerCase();
  return value !== '' && !['0', 'false', 'no', 'off'].includes(value);
}

/** Rename across folders, falling back to copy-then-rename beside the target when they are on different filesystems. */
async function moveInto(file: string, target: string): Promise<void> {
  try {
    await rename(file, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    const beside = path.join(path.dirname(target), `.${path.basename(target)}.partial-${process.pid}`);
    try {
      await copyFile(file, beside);
      await rename(beside, target);
    } finally {
      await rm(beside, { force: true });
    }
  }
}

function hostPlatform(): string {
  const os_ = process.platform === 'darwin' ? 'osx' : process.platform === 'win32' ? 'win' : process.platform;
  const arch = process.arch === 'x64' ? '64' : process.arch === 'arm64' ? (os_ === 'linux' ? 'aarch64' : 'arm64') : process.arch;
  return `${os_}-${arch}`;
}

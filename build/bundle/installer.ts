/**
 * `taipan bundle environment.yml -o installer.sh|.zip`: an offline installer, as
 * constructor makes them. The environment is solved here, once; the payload holds the
 * exact package archives (as a package cache), a conda-lock.yml naming them by sha256,
 * the standalone taipan and an activate script. On the attendee's machine the installer
 * verifies the payload's sha256, then runs `taipan create --file conda-lock.yml` offline:
 * no solve, no network, every package hash checked again on the way in.
 */
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as createTar } from 'tar';
import yazl from 'yazl';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Channel } from '../../channels/model/channel.js';
import { TaipanError } from '../../channels/model/errors.js';
import { isWindows, type Platform } from '../../channels/model/platform.js';
import { activateBat, activateScript } from '../../environments/pack/scripts.js';
import { solvePlatforms } from '../../environments/lockfile/solve-platforms.js';
import { writeCondaLockV1 } from '../../environments/lockfile/write.js';
import type { PackageCache } from '../../environments/package-cache/package-cache.js';
import { batInstaller, shellInstallerHeader, type InstallerFacts } from './installer-scripts.js';
import { buildSea, buildStandalone } from './standalone.js';

export interface BundleRequest {
  readonly envName: string;
  readonly specs: readonly string[];
  readonly channels: readonly Channel[];
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
  const solved = await solvePlatforms({ channels: request.channels, specs: request.specs, platforms: [request.platform] });
  const records = solved.get(request.platform) ?? [];
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'taipan-bundle-'));
  try {
    const payload = path.join(scratch, 'payload');
    await mkdir(path.join(payload, 'pkgs'), { recursive: true });
    await mkdir(path.join(payload, 'taipan'), { recursive: true });
    const entries = await request.cache.getAll(records);
    for (const entry of entries) await copyFile(entry.archive, path.join(payload, 'pkgs', entry.record.fn));
    const lock = writeCondaLockV1({ channels: request.channels.map((c) => c.name), specs: request.specs, platforms: new Map([[request.platform, records]]) });
    await writeFile(path.join(payload, 'conda-lock.yml'), lock);
    await writeFile(path.join(payload, 'activate.tmpl'), activateScript('', {}));
    if (standalone === 'sea') await buildSea(path.join(payload, 'taipan', isWindows(request.platform) ? 'taipan.exe' : 'taipan'));
    else await buildStandalone(path.join(payload, 'taipan', 'taipan.cjs'));
    const payloadFile = path.join(scratch, 'payload.tar.gz');
    await createTar({ gzip: true, cwd: payload, file: payloadFile, portable: true }, ['pkgs', 'taipan', 'conda-lock.yml', 'activate.tmpl']);
    const data = await readFile(payloadFile);
    const facts: InstallerFacts = { envName: request.envName, payloadSha256: createHash('sha256').update(data).digest('hex'), standalone };
    if (kind === 'sh') {
      const headerLength = Buffer.byteLength(shellInstallerHeader(facts, 0));
      const header = Buffer.from(shellInstallerHeader(facts, headerLength));
      await writeFile(request.output, Buffer.concat([header, data]));
      await chmod(request.output, 0o755);
    } else {
      const zip = new yazl.ZipFile();
      zip.addBuffer(Buffer.from(batInstaller(facts)), 'install.bat');
      zip.addBuffer(Buffer.from(activateBat({})), 'activate.bat');
      zip.addBuffer(data, 'payload.tar.gz', { compress: false });
      zip.end();
      await pipeline(zip.outputStream, createWriteStream(request.output));
    }
    const bytes = (await readFile(request.output)).length;
    return { output: request.output, packages: records.length, bytes, payloadSha256: facts.payloadSha256 };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function hostPlatform(): string {
  const os_ = process.platform === 'darwin' ? 'osx' : process.platform === 'win32' ? 'win' : process.platform;
  const arch = process.arch === 'x64' ? '64' : process.arch === 'arm64' ? (os_ === 'linux' ? 'aarch64' : 'arm64') : process.arch;
  return `${os_}-${arch}`;
}

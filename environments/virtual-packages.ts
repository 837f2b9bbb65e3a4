/**
 * The system's virtual packages (`__unix`, `__linux`, `__glibc`, `__osx`, `__win`,
 * `__archspec`), as conda detects them, with conda's `CONDA_OVERRIDE_*` variables (and
 * taipan's `TAIPAN_OVERRIDE_*` twins) to set or, when empty, drop one.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { PackageRecord } from '../channels/model/package-record.js';
import type { Platform } from '../channels/model/platform.js';

function virtual(name: string, version: string, build = '0'): PackageRecord {
  return Object.freeze({ name, version, build, build_number: 0, depends: [], subdir: 'noarch' });
}

function override(env: NodeJS.ProcessEnv, key: string): string | undefined {
  return env[`TAIPAN_OVERRIDE_${key}`] ?? env[`CONDA_OVERRIDE_${key}`];
}

/** The glibc this process runs on; undefined on a system without it (musl). */
export function detectGlibc(): string | undefined {
  return glibcOfLoadedLibc() ?? glibcFromReport();
}

/**
 * The version libc.so itself announces ("... release version 2.36."), found through the
 * process's memory map: about a millisecond, where Node's diagnostic report, which also
 * knows it, takes ten building everything else it holds.
 */
function glibcOfLoadedLibc(): string | undefined {
  try {
    const library = /\s(\/\S*\/libc(?:\.so\.6|-\d[\d.]*\.so))$/m.exec(readFileSync('/proc/self/maps', 'latin1'))?.[1];
    if (library === undefined) return undefined;
    const bytes = readFileSync(library);
    const at = bytes.indexOf('GNU C Library');
    if (at < 0) return undefined;
    return /release version (\d+\.\d+(?:\.\d+)?)/.exec(bytes.toString('latin1', at, at + 200))?.[1];
  } catch {
    return undefined;
  }
}

function glibcFromReport(): string | undefined {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime;
}

const ARCHSPEC: Record<string, string> = { '64': 'x86_64', aarch64: 'aarch64', arm64: 'arm64', ppc64le: 'ppc64le', s390x: 's390x', '32': 'x86' };

/** The virtual packages of `platform` when it is the running machine's (detected) or another (overrides only). */
export function detectVirtualPackages(platform: Platform, env: NodeJS.ProcessEnv = process.env): PackageRecord[] {
  const out: PackageRecord[] = [];
  const [os_, arch = ''] = platform.split('-') as [string, string | undefined];
  const native = platform.startsWith(process.platform === 'darwin' ? 'osx' : process.platform === 'win32' ? 'win' : process.platform);
  if (os_ === 'linux' || os_ === 'osx' || os_ === 'freebsd') out.push(virtual('__unix', '0'));
  if (os_ === 'win') out.push(virtual('__win', '0'));
  if (os_ === 'linux') {
    const kernel = native ? os.release().split('-')[0] ?? '0' : '0';
    out.push(virtual('__linux', kernel));
    const glibc = override(env, 'GLIBC') ?? (native ? detectGlibc() : '2.17');
    if (glibc) out.push(virtual('__glibc', glibc));
  }
  if (os_ === 'osx') {
    const osx = override(env, 'OSX') ?? (native ? macosVersion() : '11.0');
    if (osx) out.push(virtual('__osx', osx));
  }
  const cuda = override(env, 'CUDA');
  if (cuda) out.push(virtual('__cuda', cuda));
  const archspec = override(env, 'ARCHSPEC') ?? ARCHSPEC[arch];
  if (archspec) out.push(virtual('__archspec', '1', archspec));
  return out;
}

function macosVersion(): string | undefined {
  // Darwin 20 is macOS 11; the kernel major minus 9 gives the macOS major from then on.
  const major = Number(os.release().split('.')[0]);
  return Number.isFinite(major) && major >= 20 ? `${major - 9}.0` : undefined;
}

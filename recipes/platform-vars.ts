/**
 * The platform names both recipe formats know: `linux`, `osx`, `win`, `unix`, and the
 * architecture names (`x86_64`, `aarch64`, `arm64`, `ppc64le`, ...), computed from a subdir
 * the way conda-build's `get_selectors` and rattler-build's platform variables do.
 */
import { KNOWN_PLATFORMS } from '../channels/model/platform.js';

/** conda-build's ARCH_MAP: subdir arch suffixes that are not the arch's usual name. */
const ARCH_ALIASES: Record<string, string> = { '32': 'x86', '64': 'x86_64' };

/** `{linux: true, osx: false, x86_64: true, ...}` for `subdir`. */
export function platformFlags(subdir: string): Record<string, boolean> {
  const flags: Record<string, boolean> = {};
  const oses = new Set<string>();
  const arches = new Set<string>();
  for (const p of [...KNOWN_PLATFORMS, subdir]) {
    const dash = p.indexOf('-');
    if (dash < 0) continue;
    oses.add(p.slice(0, dash));
    arches.add(p.slice(dash + 1));
  }
  for (const os of oses) flags[os] = subdir.startsWith(`${os}-`);
  for (const arch of arches) flags[ARCH_ALIASES[arch] ?? arch] = subdir.endsWith(`-${arch}`);
  flags.x86 = subdir.endsWith('-32') || subdir.endsWith('-64');
  flags.unix = /^(linux|osx|emscripten|freebsd)-/.test(subdir);
  flags.linux32 = subdir === 'linux-32';
  flags.linux64 = subdir === 'linux-64';
  flags.win32 = subdir === 'win-32';
  flags.win64 = subdir === 'win-64';
  flags.arm = subdir.startsWith('linux-arm');
  return flags;
}

/** The arch as cdt()/conda name it (`x86_64`, `aarch64`, `ppc64le`, `arm64`). */
export function subdirArch(subdir: string): string {
  const arch = subdir.slice(subdir.indexOf('-') + 1);
  return arch === '64' ? 'x86_64' : arch === '32' ? 'x86' : arch;
}

/** The machine taipan runs on, as a subdir (the build platform). */
export function hostSubdir(): string {
  const os = process.platform === 'darwin' ? 'osx' : process.platform === 'win32' ? 'win' : process.platform;
  const arch = process.arch === 'x64' ? '64' : process.arch === 'arm64' ? (os === 'linux' ? 'aarch64' : 'arm64') : process.arch === 'ia32' ? '32' : process.arch;
  return `${os}-${arch}`;
}

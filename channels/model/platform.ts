/**
 * conda subdirs ("platforms"). The list is conda's known subdirs; `noarch` is a platform
 * of its own that every channel request also reads.
 */
import { TaipanError } from './errors.js';

export const KNOWN_PLATFORMS = [
  'noarch',
  'linux-32',
  'linux-64',
  'linux-aarch64',
  'linux-armv6l',
  'linux-armv7l',
  'linux-ppc64',
  'linux-ppc64le',
  'linux-riscv64',
  'linux-s390x',
  'osx-64',
  'osx-arm64',
  'win-32',
  'win-64',
  'win-arm64',
  'freebsd-64',
  'emscripten-wasm32',
  'wasi-wasm32',
  'zos-z',
] as const;

export type Platform = (typeof KNOWN_PLATFORMS)[number];

const PLATFORM_SET: ReadonlySet<string> = new Set(KNOWN_PLATFORMS);

export function isPlatform(value: string): value is Platform {
  return PLATFORM_SET.has(value);
}

export function parsePlatform(value: string): Platform {
  if (isPlatform(value)) return value;
  throw new TaipanError('INVALID_PLATFORM', `unknown platform '${value}'`, {
    hint: `expected one of: ${KNOWN_PLATFORMS.join(', ')}`,
  });
}

const NODE_ARCH_TO_CONDA: Record<string, string> = {
  x64: '64',
  ia32: '32',
  arm64: 'arm64',
  arm: 'armv7l',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/**
 * The platform of the running machine, as conda names it. `CONDA_SUBDIR` / `TAIPAN_SUBDIR`
 * override it, as conda's `CONDA_SUBDIR` does (e.g. osx-64 on Apple silicon).
 */
export function currentPlatform(env: NodeJS.ProcessEnv = process.env): Platform {
  const override = env.TAIPAN_SUBDIR ?? env.CONDA_SUBDIR;
  if (override) return parsePlatform(override);
  const os = process.platform === 'darwin' ? 'osx' : process.platform === 'win32' ? 'win' : process.platform;
  let arch = NODE_ARCH_TO_CONDA[process.arch] ?? process.arch;
  // conda spells 64-bit ARM 'aarch64' on Linux but 'arm64' on macOS and Windows.
  if (os === 'linux' && arch === 'arm64') arch = 'aarch64';
  return parsePlatform(`${os}-${arch}`);
}

export function isWindows(platform: Platform): boolean {
  return platform.startsWith('win-');
}

/** The subdirs a request on `platform` reads from every channel, in that order. */
export function requestSubdirs(platform: Platform): Platform[] {
  return platform === 'noarch' ? ['noarch'] : [platform, 'noarch'];
}

/**
 * Hand-made rendered recipe outputs for the builder's tests: the builder's input is
 * `RenderedOutput`, so a test writes one directly instead of going through the renderer.
 */
import type { RenderedOutput } from '../../../recipes/stage1.js';

export interface OutputSketch {
  name: string;
  version?: string;
  recipeDir: string;
  buildString?: string;
  number?: number;
  script?: RenderedOutput['build']['script'];
  noarch?: 'python' | 'generic';
  entryPoints?: string[];
  sources?: RenderedOutput['sources'];
  build?: string[];
  host?: string[];
  run?: string[];
  runConstraints?: string[];
  runExports?: Partial<RenderedOutput['requirements']['runExports']>;
  ignoreRunExports?: Partial<RenderedOutput['requirements']['ignoreRunExports']>;
  tests?: RenderedOutput['tests'];
  about?: Record<string, unknown>;
  targetPlatform?: string;
  variant?: Record<string, string>;
}

/** A complete RenderedOutput with quiet defaults for everything the sketch leaves out. */
export function renderedOutput(s: OutputSketch): RenderedOutput {
  return {
    name: s.name,
    version: s.version ?? '1.0.0',
    build: {
      number: s.number ?? 0,
      string: s.buildString ?? `h1234567_${s.number ?? 0}`,
      script: s.script ?? [],
      scriptEnv: {},
      noarch: s.noarch,
      skip: false,
      entryPoints: s.entryPoints ?? [],
    },
    sources: s.sources ?? [],
    requirements: {
      build: s.build ?? [],
      host: s.host ?? [],
      run: s.run ?? [],
      runConstraints: s.runConstraints ?? [],
      runExports: { weak: [], strong: [], noarch: [], weak_constrains: [], strong_constrains: [], ...s.runExports },
      ignoreRunExports: { byName: [], fromPackage: [], ...s.ignoreRunExports },
    },
    tests: s.tests ?? [],
    about: s.about ?? { license: 'BSD-3-Clause', summary: `${s.name} for a test` },
    variant: s.variant ?? {},
    hash: 'h1234567',
    targetPlatform: s.targetPlatform ?? currentSubdir(),
    recipe: { path: `${s.recipeDir}/recipe.yaml`, dir: s.recipeDir, format: 'recipe.yaml' },
  };
}

function currentSubdir(): string {
  const arch = process.arch === 'x64' ? '64' : process.arch === 'arm64' ? (process.platform === 'linux' ? 'aarch64' : 'arm64') : process.arch;
  const os = process.platform === 'darwin' ? 'osx' : process.platform === 'win32' ? 'win' : 'linux';
  return `${os}-${arch}`;
}

/**
 * The standalone taipan an installer carries: taipan's CLI and every dependency in one
 * JavaScript file (esbuild), run by any Node.js 20+ as `node taipan.cjs`. Two packages need help to be bundled:
 * compressjs is written as AMD modules (turned into CommonJS here so esbuild can follow
 * them), and cli/version reads package.json from its own folder (inlined here, so the
 * file stands alone). The WASM zstd and bzip2 builds (.wasm files) are left out: compression
 * is not needed to install, and decoding falls back to the pure-JS fzstd and unbzip2-stream.
 *
 * `buildSea` makes a Node single executable application from the same bundle (CommonJS
 * flavour): no Node needed on the target, but ~100 MB per platform. See
 * README "Shipping environments" for the figures behind the default.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { TaipanError } from '../../channels/model/errors.js';
import { injectSeaBlob, NODE_SEA_FUSE } from './elf-note.js';

/** The repository (or installed package) root: the folder of taipan's package.json. */
export function taipanRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'taipan') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new TaipanError('INVALID_ARGUMENT', 'cannot find taipan\'s own package.json to bundle it');
    dir = parent;
  }
}

/** compressjs's AMD `define([deps], function (...) {...});` as CommonJS. */
function amdToCommonJs(): Plugin {
  return {
    name: 'compressjs-amd',
    setup(b) {
      b.onLoad({ filter: /[\\/]compressjs[\\/](main|lib[\\/]\w+)\.js$/ }, async (args) => {
        let source = await readFile(args.path, 'utf8');
        source = source.replace(/^if \(typeof define !== 'function'\).*$/m, '');
        const head = /define\(\[([^\]]*)\],\s*function/.exec(source);
        if (!head) return { contents: source, loader: 'js' };
        const deps = (head[1] ?? '').split(',').map((d) => d.trim()).filter((d) => d !== '');
        source = source.replace(head[0], 'module.exports = (function');
        const end = source.lastIndexOf('});');
        source = `${source.slice(0, end)}}).apply(null, [${deps.map((d) => `require(${d})`).join(', ')}]);${source.slice(end + 3)}`;
        return { contents: source, loader: 'js' };
      });
    },
  };
}

/** cli/version's package.json lookup, replaced by the facts it reads. */
function inlinePackageJson(root: string): Plugin {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string; engines: unknown };
  const facts = JSON.stringify({ name: pkg.name, version: pkg.version, engines: pkg.engines });
  return {
    name: 'inline-package-json',
    setup(b) {
      b.onLoad({ filter: /[\\/]cli[\\/]version\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        return { contents: source.replace(/const PACKAGE_JSON = readPackageJson\(\);/, `const PACKAGE_JSON = ${facts};`), loader: 'js' };
      });
    },
  };
}

/** CommonJS output has no import.meta.url, which cli/ code reads for its own location. */
const CJS_BANNER = "var __tpMetaUrl = require('node:url').pathToFileURL(__filename).href;";

/**
 * minijinja-js reads its wasm file next to itself when imported; recipes need it, installs
 * do not. The standalone taipan gets a stand-in that says so when a recipe is rendered.
 */
function withoutRecipeTemplates(): Plugin {
  return {
    name: 'no-minijinja',
    setup(b) {
      b.onResolve({ filter: /^minijinja-js$/ }, () => ({ path: 'minijinja-js', namespace: 'taipan-stub' }));
      b.onLoad({ filter: /.*/, namespace: 'taipan-stub' }, () => ({
        contents: "export class Environment { constructor() { throw new Error('recipe templates are not part of the standalone taipan; use the npm package'); } }",
        loader: 'js',
      }));
    },
  };
}

export interface StandaloneOptions {
  readonly minify?: boolean;
}

/**
 * Bundle dist/cli/main.js (run `npm run build` first) into one CommonJS file at `outfile`,
 * run as `node taipan.cjs`. CommonJS rather than ESM: compressjs is sloppy-mode code that
 * an ES module (always strict) breaks, and a SEA's main script must be CommonJS anyway.
 */
export async function buildStandalone(outfile: string, options: StandaloneOptions = {}): Promise<void> {
  const root = taipanRoot();
  const entry = path.join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(entry)) throw new TaipanError('INVALID_ARGUMENT', `'${entry}' is missing`, { hint: 'run `npm run build` in the taipan checkout first' });
  // Loaded here: only `bundle` uses esbuild, and every other command would pay for its import.
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: options.minify ?? true,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [amdToCommonJs(), inlinePackageJson(root), withoutRecipeTemplates()],
    // The WASM decoders' browser branch `require`s its .wasm; under Node they read the file
    // beside them, which the bundle lacks, and the JS decoders take over.
    loader: { '.wasm': 'empty' },
    banner: { js: CJS_BANNER },
    define: { 'import.meta.url': '__tpMetaUrl' },
  });
}

/**
 * A Node single executable application of taipan for this machine's platform: the
 * running node binary with the CommonJS bundle injected (Node 20's `--experimental-sea-config`).
 * On Linux the blob goes in as an ELF note by elf-note.ts (postject's LIEF cannot rewrite
 * every node binary); macOS and Windows binaries go through postject, their signature
 * removed first on macOS and an ad hoc one put back after, as Node's documentation does.
 * Copies the ~100 MB node binary.
 */
export async function buildSea(outfile: string): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'taipan-sea-'));
  try {
    const script = path.join(scratch, 'taipan.cjs');
    await buildStandalone(script);
    const blob = path.join(scratch, 'sea.blob');
    await writeFile(path.join(scratch, 'sea-config.json'), JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true }));
    execFileSync(process.execPath, ['--experimental-sea-config', path.join(scratch, 'sea-config.json')], { stdio: 'pipe' });
    if (process.platform === 'linux') {
      await writeFile(outfile, injectSeaBlob(await readFile(process.execPath), await readFile(blob), process.execPath), { mode: 0o755 });
      await chmod(outfile, 0o755);
      return;
    }
    await copyFile(process.execPath, outfile);
    if (process.platform === 'darwin') execFileSync('codesign', ['--remove-signature', outfile], { stdio: 'pipe' });
    const postject = path.join(taipanRoot(), 'node_modules', 'postject', 'dist', 'cli.js');
    const macho = process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [];
    execFileSync(process.execPath, [postject, outfile, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', NODE_SEA_FUSE, ...macho], { stdio: 'pipe' });
    if (process.platform === 'darwin') execFileSync('codesign', ['--sign', '-', outfile], { stdio: 'pipe' });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

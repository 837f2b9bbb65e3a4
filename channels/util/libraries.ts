/**
 * The npm libraries taipan imports on first need rather than at start: each costs 10 to 45
 * ms to load, and most commands (a dry run on plain repodata.json) use none of them. The
 * asynchronous ones are LazyModules; yaml and semver serve synchronous parsers and checks,
 * so they are required. `require` exists only in the standalone CommonJS bundle
 * (build/bundle), where esbuild inlines a package for a literal `require('name')`; an ES
 * module has none and uses createRequire, which esbuild would not follow.
 */
import { createRequire } from 'node:module';
import { LazyModule } from './lazy-module.js';

export const FZSTD = new LazyModule(() => import('fzstd'));
export const UNBZIP2_STREAM = new LazyModule(async () => (await import('unbzip2-stream')).default);
export const TAR = new LazyModule(() => import('tar'));
export const MSGPACK = new LazyModule(() => import('@msgpack/msgpack'));

let yaml: typeof import('yaml') | undefined;
let semver: typeof import('semver') | undefined;

/** The yaml library (config, environment and lock files). */
export function yamlLibrary(): typeof import('yaml') {
  yaml ??= typeof require === 'function' ? (require('yaml') as typeof import('yaml')) : (createRequire(import.meta.url)('yaml') as typeof import('yaml'));
  return yaml;
}

/** The semver library (Node.js's own version against package.json's engines). */
export function semverLibrary(): typeof import('semver') {
  semver ??= typeof require === 'function' ? (require('semver') as typeof import('semver')) : (createRequire(import.meta.url)('semver') as typeof import('semver'));
  return semver;
}

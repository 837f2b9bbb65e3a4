/**
 * The embedded demo channel: the recipes in build/demo/packages, built with taipan's own
 * builder (build-demo-channel.ts), so the first command of the README works on a fresh
 * clone with no network.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemoChannel, type DemoChannelOptions } from './build-demo-channel.js';

/** build/demo/packages in the source tree (this file runs from dist/build/demo or build/demo). */
export function demoSourcesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '..', '..', '..') : path.resolve(here, '..', '..');
  return path.join(root, 'build', 'demo', 'packages');
}

export interface MakeDemoChannelOptions extends DemoChannelOptions {
  /** Where the recipes are (default {@link demoSourcesDir}). */
  readonly sourcesDir?: string;
}

/**
 * Build the demo recipes into `channelDir` and index it. The first package is written as
 * .tar.bz2 too. `full` adds the C library and tool and the noarch: python package.
 */
export function makeDemoChannel(channelDir: string, options: MakeDemoChannelOptions = {}): Promise<string[]> {
  return buildDemoChannel(channelDir, options.sourcesDir ?? demoSourcesDir(), options);
}

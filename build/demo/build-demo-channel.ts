/**
 * The embedded demo channel made the way packages are meant to be made: each folder of
 * build/demo/packages holds a small v1 `recipe.yaml` (a `path` source and a script that
 * copies files into $PREFIX), rendered and built with taipan's own builder, tested, and
 * published into one indexed channel, with no network. As before, the first package is
 * also written as .tar.bz2, so the channel holds both archive formats.
 *
 * With `full`, the recipes of build/demo/packages/full are built too: a C library and a
 * tool linking it, compiled with the machine's compiler, and a noarch: python package
 * built against the machine's python3 (wrapped as the channel's `python` package). They
 * take seconds, not the fraction of one the basic channel takes, so most tests skip them.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractPackage, writeTarBz2Package } from '../../channels/archive/index.js';
import { indexChannel } from '../../channels/indexer/index-channel.js';
import { PackageCache } from '../../environments/package-cache/package-cache.js';
import { buildOutputs } from '../build-outputs.js';
import { renderForBuild } from '../render.js';
import type { RenderedOutput } from '../../recipes/stage1.js';
import { fullRecipesDir, planFullDemo } from './full-demo.js';
import { writeMachinePythonPackage } from './machine-python.js';

export interface DemoChannelOptions {
  /** Also build the compiled and python recipes of `<sourcesDir>/full`. */
  readonly full?: boolean;
  /** Told why a part of the full demo was left out (no C compiler, no python3). */
  readonly onSkip?: (reason: string) => void;
}

/** Build every demo recipe under `sourcesDir` into `channelDir` and index it; returns the archives written. */
export async function buildDemoChannel(channelDir: string, sourcesDir: string, options: DemoChannelOptions = {}): Promise<string[]> {
  const dirs = (await readdir(sourcesDir)).filter((d) => existsSync(path.join(sourcesDir, d, 'recipe.yaml'))).sort();
  const recipeDirs = dirs.map((d) => path.join(sourcesDir, d));
  const written: string[] = [];
  if (options.full) {
    const plan = planFullDemo(fullRecipesDir(sourcesDir));
    for (const reason of plan.skipped) options.onSkip?.(reason);
    recipeDirs.push(...plan.recipeDirs);
    // The noarch: python recipe needs a python in host; the builder finds it in the output channel.
    if (plan.python) written.push(await writeMachinePythonPackage(channelDir, plan.python));
  }
  const outputs: RenderedOutput[] = [];
  for (const dir of recipeDirs) outputs.push(...(await renderForBuild(dir)));
  // The demo's tests create environments: they get a cache of their own, not the user's.
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'taipan-demo-build-'));
  try {
    const results = await buildOutputs(outputs, {
      channels: [],
      outputDir: channelDir,
      cache: new PackageCache([path.join(scratch, 'pkgs')]),
      timestamp: 1_700_000_000_000,
    });
    written.push(...results.map((r) => r.packagePath));
    const first = results.find((r) => r.record.name === outputs[0]?.name);
    if (first) {
      const unpacked = path.join(scratch, 'first');
      await extractPackage(first.packagePath, unpacked);
      const tarBz2 = first.packagePath.replace(/\.conda$/, '.tar.bz2');
      await writeTarBz2Package(unpacked, tarBz2);
      written.splice(written.indexOf(first.packagePath) + 1, 0, tarBz2);
    }
    await indexChannel(channelDir);
    return written;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

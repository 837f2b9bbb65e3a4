/**
 * The embedded demo channel: small packages made from the sources in build/demo/packages
 * with taipan's own staging, archive writer and indexer, so the first command of the
 * README works on a fresh clone with no network. The builder will turn these into recipes.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCondaPackage, writeTarBz2Package } from '../../channels/archive/index.js';
import { indexChannel } from '../../channels/local-index.js';
import { stagePackage, type PackageMetadata } from '../stage-package.js';

/** build/demo/packages in the source tree (this file runs from dist/build/demo or build/demo). */
export function demoSourcesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '..', '..', '..') : path.resolve(here, '..', '..');
  return path.join(root, 'build', 'demo', 'packages');
}

/** Build every demo package into `channelDir` and index it. The first package is written as .tar.bz2 too. */
export async function makeDemoChannel(channelDir: string, sourcesDir: string = demoSourcesDir()): Promise<string[]> {
  const written: string[] = [];
  const staging = await mkdtemp(path.join(os.tmpdir(), 'taipan-demo-'));
  try {
    for (const dirName of (await readdir(sourcesDir)).sort()) {
      const meta = JSON.parse(await readFile(path.join(sourcesDir, dirName, 'package.json'), 'utf8')) as Omit<PackageMetadata, 'subdir'>;
      const subdir = meta.noarch ? 'noarch' : 'linux-64';
      const stage = path.join(staging, dirName);
      await stagePackage(path.join(sourcesDir, dirName, 'files'), stage, { ...meta, subdir, timestamp: 1_700_000_000_000 });
      const outDir = path.join(channelDir, subdir);
      await mkdir(outDir, { recursive: true });
      const stem = `${meta.name}-${meta.version}-${meta.build}`;
      await writeCondaPackage(stage, path.join(outDir, `${stem}.conda`));
      written.push(path.join(outDir, `${stem}.conda`));
      if (written.length === 1) {
        await writeTarBz2Package(stage, path.join(outDir, `${stem}.tar.bz2`));
        written.push(path.join(outDir, `${stem}.tar.bz2`));
      }
    }
    await indexChannel(channelDir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return written;
}

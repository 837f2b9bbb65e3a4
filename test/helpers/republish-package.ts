/**
 * Publishing a changed copy of a package into a folder channel, the way a maintainer's
 * rebuild would: the archive is extracted, edited, written as a .conda again and the
 * channel re-indexed (so its repodata carries the new file's real hashes). Used for a
 * newer version appearing after a lock was tested, and for a package that is broken as
 * published (its info/paths.json lists a file its archive lacks).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extractPackage } from '../../channels/archive/extract.js';
import { writeCondaPackage } from '../../channels/archive/write-conda.js';
import { indexChannel } from '../../channels/indexer/index-channel.js';

export async function republishPackage(channel: string, subdir: string, fn: string, newFn: string, edit: (packageDir: string) => Promise<void>): Promise<string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'taipan-republish-'));
  try {
    const dir = path.join(scratch, 'pkg');
    await extractPackage(path.join(channel, subdir, fn), dir);
    await edit(dir);
    const out = path.join(channel, subdir, newFn);
    await writeCondaPackage(dir, out);
    await indexChannel(channel, { bz2: false });
    return out;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * A copy of the demo channel at `broken` whose hello-taipan (.conda only) is broken as
 * published: its info/paths.json lists bin/hello-taipan, its archive lacks it.
 */
export async function brokenDemoChannel(demoChannel: string, broken: string): Promise<string> {
  await cp(demoChannel, broken, { recursive: true });
  await rm(path.join(broken, 'noarch', 'hello-taipan-1.0.0-0.tar.bz2'));
  await republishPackage(broken, 'noarch', 'hello-taipan-1.0.0-0.conda', 'hello-taipan-1.0.0-0.conda', (dir) => rm(path.join(dir, 'bin', 'hello-taipan')));
  return broken;
}

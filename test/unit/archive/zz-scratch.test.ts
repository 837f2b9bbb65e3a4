import { createReadStream } from 'node:fs';
import { forEachPackageEntry } from '../../../channels/archive/index.js';
import { Bunzip2Stream } from '../../../channels/archive/decompress.js';
import { sharedPath } from '../../helpers/shared.js';
test('timing', async () => {
  for (const name of ['pip-19.0.3-py37_0.tar.bz2', 'ncurses-6.1-he6710b0_1.tar.bz2']) {
    let t = Date.now();
    let n = 0;
    for await (const c of createReadStream(sharedPath('fixtures', 'packages', name)).pipe(new Bunzip2Stream())) n += c.length;
    const tdec = Date.now() - t; t = Date.now();
    await forEachPackageEntry(sharedPath('fixtures', 'packages', name), () => undefined);
    const tparse = Date.now() - t;
    console.log(name, { tdec, tparse, n });
  }
}, 120000);

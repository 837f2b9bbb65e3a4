/**
 * The single-executable injector (build/bundle/elf-note.ts) on the real node binary running
 * this test: the new program header table is read back the way Node reads it at start-up
 * (PT_NOTE segments walked for a note named NODE_SEA_BLOB), the fuse is set, the old bytes
 * are unchanged, and a binary that is not an ELF node, or already holds a blob, is refused.
 */
import { readFile } from 'node:fs/promises';
import { isTaipanError } from '../../../channels/model/errors.js';
import { injectSeaBlob, NODE_SEA_FUSE, NODE_SEA_NOTE } from '../../../build/bundle/elf-note.js';

const linux = process.platform === 'linux';

function notesOf(elf: Buffer): Map<string, Buffer> {
  const phoff = Number(elf.readBigUInt64LE(32));
  const found = new Map<string, Buffer>();
  for (let i = 0; i < elf.readUInt16LE(56); i++) {
    const at = phoff + i * 56;
    if (elf.readUInt32LE(at) !== 4) continue;
    let pos = Number(elf.readBigUInt64LE(at + 8));
    const end = pos + Number(elf.readBigUInt64LE(at + 32));
    while (pos + 12 <= end) {
      const namesz = elf.readUInt32LE(pos);
      const descsz = elf.readUInt32LE(pos + 4);
      const name = elf.subarray(pos + 12, pos + 12 + namesz - 1).toString('latin1');
      const desc = pos + 12 + Math.ceil(namesz / 4) * 4;
      found.set(name, elf.subarray(desc, desc + descsz));
      pos = desc + Math.ceil(descsz / 4) * 4;
    }
  }
  return found;
}

(linux ? describe : describe.skip)('injectSeaBlob', () => {
  test('adds a NODE_SEA_BLOB note in a new loaded segment and sets the fuse, leaving the rest as it was', async () => {
    const node = await readFile(process.execPath);
    const blob = Buffer.from('a blob of odd length, 37 bytes long!!');
    const out = injectSeaBlob(node, blob, process.execPath);
    expect(notesOf(out).get(NODE_SEA_NOTE)).toEqual(blob);
    const fuse = out.indexOf(`${NODE_SEA_FUSE}:`);
    expect(String.fromCharCode(out[fuse + NODE_SEA_FUSE.length + 1] as number)).toBe('1');
    // Only the header's table pointer and count, and the fuse byte, differ in the original range.
    const changed: number[] = [];
    for (let i = 0; i < node.length; i++) if (node[i] !== out[i]) changed.push(i);
    expect(changed.every((i) => (i >= 32 && i < 40) || (i >= 56 && i < 58) || i === fuse + NODE_SEA_FUSE.length + 1)).toBe(true);
    // A loaded segment covers the new table, at an address past every other one.
    const phoff = Number(out.readBigUInt64LE(32));
    const loads = [];
    for (let i = 0; i < out.readUInt16LE(56); i++) {
      const at = phoff + i * 56;
      if (out.readUInt32LE(at) === 1) loads.push({ offset: out.readBigUInt64LE(at + 8), vaddr: out.readBigUInt64LE(at + 16), memsz: out.readBigUInt64LE(at + 40) });
    }
    const last = loads.at(-1);
    expect(last?.offset).toBe(BigInt(phoff));
    for (const load of loads.slice(0, -1)) expect(load.vaddr + load.memsz <= (last?.vaddr ?? 0n)).toBe(true);

    const again = (() => {
      try {
        injectSeaBlob(out, blob, 'taipan');
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(isTaipanError(again) && again.message).toContain('already holds an application');
  });

  test('a file that is not an ELF executable is refused with a typed error', () => {
    expect(() => injectSeaBlob(Buffer.from('#!/bin/sh\necho not a binary\n'.repeat(4)), Buffer.from('x'), 'script')).toThrow(/not an ELF file/);
  });
});

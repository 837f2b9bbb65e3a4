/**
 * Putting a Node single executable application's blob into a copy of a Linux node binary
 * without postject. postject rebuilds the whole ELF file with LIEF, which fails on node
 * binaries it cannot parse faithfully: Debian's node (debug info, many note sections) makes
 * it print "Can't find string offset for section name '.note.100'" and then stop on
 * "Multiple occurences of sentinel" (nodejs/postject#83, #90; lief-project/LIEF#816).
 *
 * Node finds the blob at run time by walking the program headers of the main program
 * (dl_iterate_phdr) for a PT_NOTE segment holding a note named NODE_SEA_BLOB
 * (postject-api.h), once the fuse byte after `NODE_SEA_FUSE_…:` reads '1'. So nothing
 * of the existing file has to move: the program header table is copied to the end of the
 * file with two more entries, a read-only PT_LOAD mapping the new region and a PT_NOTE
 * over the note inside it; the ELF header points at the new table and PT_PHDR describes
 * it. The region's address keeps the first PT_LOAD's address-minus-offset, so kernels that
 * compute AT_PHDR as that difference plus e_phoff (before Linux 5.18) agree with newer ones.
 */
import { TaipanError } from '../../channels/model/errors.js';

/**
 * Node's fuse: `<fuse>:0` in a plain node binary, `<fuse>:1` once a blob is injected. Put
 * together at run time: as one literal it would sit in the bundled taipan, that is in the
 * blob, and a second copy of the sentinel in the binary is what makes postject stop with
 * "Multiple occurences of sentinel" (the '.note.100' lines before it are LIEF's warnings).
 */
export const NODE_SEA_FUSE = ['NODE', 'SEA', 'FUSE', 'fce680ab2cc467b6e072b8b5df1996b2'].join('_');
export const NODE_SEA_NOTE = 'NODE_SEA_BLOB';

const PT_LOAD = 1;
const PT_NOTE = 4;
const PT_PHDR = 6;
const PF_R = 4;
const PHDR_SIZE = 56;
const NHDR_SIZE = 12;

interface ProgramHeader {
  type: number;
  flags: number;
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
  align: bigint;
}

/** `binary` (a 64-bit little-endian ELF node executable) with `blob` as a NODE_SEA_BLOB note and the fuse set. */
export function injectSeaBlob(binary: Buffer, blob: Buffer, what: string): Buffer {
  const refuse = (why: string): TaipanError =>
    new TaipanError('INVALID_ARGUMENT', `cannot make a single executable from '${what}': ${why}`, {
      hint: 'use --standalone node, or an official Node.js 20+ build from nodejs.org',
    });
  if (binary.length < 64 || binary.readUInt32BE(0) !== 0x7f454c46) throw refuse('it is not an ELF file');
  if (binary[4] !== 2 || binary[5] !== 1) throw refuse('only 64-bit little-endian ELF files are supported');
  const phoff = Number(binary.readBigUInt64LE(32));
  const phentsize = binary.readUInt16LE(54);
  const phnum = binary.readUInt16LE(56);
  if (phentsize !== PHDR_SIZE || phnum === 0 || phnum >= 0xfffe || phoff + phnum * PHDR_SIZE > binary.length) throw refuse('its program header table is not usable');
  const fuseAt = binary.indexOf(`${NODE_SEA_FUSE}:`);
  if (fuseAt < 0 || binary.indexOf(`${NODE_SEA_FUSE}:`, fuseAt + 1) >= 0) throw refuse('it does not hold exactly one single-executable fuse (not Node.js 20+?)');
  const flag = fuseAt + NODE_SEA_FUSE.length + 1;
  if (binary[flag] !== 0x30) throw refuse('it already holds an application (its fuse is set)');

  const headers: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) headers.push(readHeader(binary, phoff + i * PHDR_SIZE));
  const loads = headers.filter((h) => h.type === PT_LOAD);
  if (loads.length === 0) throw refuse('it has no loadable segment');
  const first = loads.reduce((a, b) => (b.vaddr < a.vaddr ? b : a));
  const delta = first.vaddr - first.offset;
  const align = loads.reduce((a, h) => (h.align > a ? h.align : a), 0x1000n);
  const end = loads.reduce((a, h) => (h.vaddr + h.memsz > a ? h.vaddr + h.memsz : a), 0n);
  // Past the file's end and past every segment's addresses, with address - offset = delta.
  const offset = maxBig(alignUp(BigInt(binary.length), align), alignUp(end - delta, align));
  const vaddr = offset + delta;

  const tableBytes = (phnum + 2) * PHDR_SIZE;
  const note = noteBytes(NODE_SEA_NOTE, blob);
  const noteOffset = offset + BigInt(tableBytes);
  const regionBytes = BigInt(tableBytes + note.length);
  const region: ProgramHeader = { type: PT_LOAD, flags: PF_R, offset, vaddr, paddr: vaddr, filesz: regionBytes, memsz: regionBytes, align };
  const noteHeader: ProgramHeader = { type: PT_NOTE, flags: PF_R, offset: noteOffset, vaddr: noteOffset + delta, paddr: noteOffset + delta, filesz: BigInt(note.length), memsz: BigInt(note.length), align: 4n };

  // PT_LOAD entries must stay in ascending address order: the new one, highest, follows the last.
  const lastLoad = headers.lastIndexOf(loads[loads.length - 1] as ProgramHeader);
  const table = [...headers.slice(0, lastLoad + 1), region, ...headers.slice(lastLoad + 1), noteHeader].map((h) =>
    h.type === PT_PHDR ? { ...h, offset, vaddr, paddr: vaddr, filesz: BigInt(tableBytes), memsz: BigInt(tableBytes) } : h,
  );
  const tail = Buffer.alloc(Number(regionBytes));
  table.forEach((h, i) => writeHeader(tail, i * PHDR_SIZE, h));
  note.copy(tail, tableBytes);

  const head = Buffer.from(binary);
  head.writeBigUInt64LE(offset, 32);
  head.writeUInt16LE(phnum + 2, 56);
  head[flag] = 0x31;
  return Buffer.concat([head, Buffer.alloc(Number(offset) - binary.length), tail]);
}

function noteBytes(name: string, desc: Buffer): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const nameSpace = Math.ceil(nameBytes.length / 4) * 4;
  const out = Buffer.alloc(NHDR_SIZE + nameSpace + Math.ceil(desc.length / 4) * 4);
  out.writeUInt32LE(nameBytes.length, 0);
  out.writeUInt32LE(desc.length, 4);
  out.writeUInt32LE(0, 8);
  nameBytes.copy(out, NHDR_SIZE);
  desc.copy(out, NHDR_SIZE + nameSpace);
  return out;
}

function readHeader(b: Buffer, at: number): ProgramHeader {
  return {
    type: b.readUInt32LE(at),
    flags: b.readUInt32LE(at + 4),
    offset: b.readBigUInt64LE(at + 8),
    vaddr: b.readBigUInt64LE(at + 16),
    paddr: b.readBigUInt64LE(at + 24),
    filesz: b.readBigUInt64LE(at + 32),
    memsz: b.readBigUInt64LE(at + 40),
    align: b.readBigUInt64LE(at + 48),
  };
}

function writeHeader(b: Buffer, at: number, h: ProgramHeader): void {
  b.writeUInt32LE(h.type, at);
  b.writeUInt32LE(h.flags, at + 4);
  b.writeBigUInt64LE(h.offset, at + 8);
  b.writeBigUInt64LE(h.vaddr, at + 16);
  b.writeBigUInt64LE(h.paddr, at + 24);
  b.writeBigUInt64LE(h.filesz, at + 32);
  b.writeBigUInt64LE(h.memsz, at + 40);
  b.writeBigUInt64LE(h.align, at + 48);
}

function alignUp(value: bigint, align: bigint): bigint {
  return ((value + align - 1n) / align) * align;
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

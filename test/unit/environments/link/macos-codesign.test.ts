/**
 * Which rewritten files get an ad-hoc signature. The signing itself needs macOS's
 * codesign, which this Linux machine lacks; the decision is tested on real header bytes:
 * an ELF file from this machine, Mach-O headers as Apple's <mach-o/loader.h> and
 * <mach-o/fat.h> define them, and a Java class header (the fat magic's twin).
 */
import { readFileSync } from 'node:fs';
import { isMachO, needsAdHocSignature } from '../../../../environments/link/macos-codesign.js';

function header(magic: number, second: number, littleEndian = false): Buffer {
  const out = Buffer.alloc(32);
  if (littleEndian) out.writeUInt32LE(magic, 0);
  else out.writeUInt32BE(magic, 0);
  out.writeUInt32BE(second, 4);
  return out;
}

describe('ad-hoc signing after a binary placeholder rewrite', () => {
  const arm64Thin = header(0xfeedfacf, 0x0100000c, true); // MH_MAGIC_64 as stored on little-endian arm64, CPU_TYPE_ARM64
  const universal = header(0xcafebabe, 2); // FAT_MAGIC, two architectures
  const javaClass = header(0xcafebabe, 0x00000034); // class file version 52 (Java 8)
  const elf = readFileSync(process.execPath).subarray(0, 64);

  test('Mach-O files are recognised, thin and universal', () => {
    expect(isMachO(arm64Thin)).toBe(true);
    expect(isMachO(header(0xfeedface, 7, true))).toBe(true);
    expect(isMachO(universal)).toBe(true);
  });

  test('other files are not: ELF, Java classes, text, short data', () => {
    expect(isMachO(elf)).toBe(false);
    expect(isMachO(javaClass)).toBe(false);
    expect(isMachO(Buffer.from('#!/bin/sh\necho hi\n'))).toBe(false);
    expect(isMachO(Buffer.from([0xcf, 0xfa]))).toBe(false);
  });

  test('only macOS signs, and only Mach-O files', () => {
    expect(needsAdHocSignature(arm64Thin, 'darwin')).toBe(true);
    expect(needsAdHocSignature(universal, 'darwin')).toBe(true);
    expect(needsAdHocSignature(elf, 'darwin')).toBe(false);
    expect(needsAdHocSignature(arm64Thin, 'linux')).toBe(false);
    expect(needsAdHocSignature(arm64Thin, 'win32')).toBe(false);
  });
});

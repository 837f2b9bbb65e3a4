/**
 * Ad-hoc re-signing on macOS. Rewriting a binary prefix placeholder invalidates a Mach-O
 * file's code signature, and Apple silicon kills unsigned or wrongly signed arm64 code at
 * load time, so after the rewrite the file is signed again with an ad-hoc identity
 * (`codesign -s - -f`), as conda and rattler do. Elsewhere nothing needs doing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TaipanError } from '../../channels/model/errors.js';

const run = promisify(execFile);

/** Mach-O thin headers (both byte orders, 32 and 64 bit). */
const THIN_MAGICS = new Set([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe]);
/** Universal binaries: FAT_MAGIC and FAT_MAGIC_64 (64-bit offsets). */
const FAT_MAGICS = new Set([0xcafebabe, 0xcafebabf]);

/**
 * Whether `data` starts like a Mach-O file. A fat (universal) header shares its magic with
 * Java class files; as file(1) does, a small architecture count tells them apart (a class
 * file has its version there, 45 or more).
 */
export function isMachO(data: Uint8Array): boolean {
  if (data.length < 8) return false;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magic = view.getUint32(0, false);
  if (THIN_MAGICS.has(magic)) return true;
  if (!FAT_MAGICS.has(magic)) return false;
  const architectures = view.getUint32(4, false);
  return architectures > 0 && architectures < 20;
}

/** Whether a file rewritten to `data` must be signed again on `platform`. */
export function needsAdHocSignature(data: Uint8Array, platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'darwin' && isMachO(data);
}

/** Sign `file` ad hoc in place; a failure is an error, since the binary would not run. */
export async function adHocSign(file: string): Promise<void> {
  try {
    await run('/usr/bin/codesign', ['-s', '-', '-f', file]);
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new TaipanError('LINK_FAILED', `cannot re-sign '${file}' after writing this prefix into it: ${detail}`, {
      cause: error,
      hint: "macOS refuses to run arm64 code without a valid signature; 'codesign' comes with the Xcode command line tools (xcode-select --install)",
    });
  }
}

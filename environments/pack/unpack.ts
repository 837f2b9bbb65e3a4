/**
 * `taipan unpack DIR`: the TypeScript twin of `bin/conda-unpack`, for Windows (no POSIX
 * shell) and for anyone who has taipan at hand. Same plan, same checks: every binary file
 * must have room for the new path, and every path of the plan must be a regular file
 * inside the folder, before any file is changed.
 */
import { chmod, lstat, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../../channels/model/errors.js';
import { applyPlan, parsePlans } from './rewrite-plan.js';
import { PACK_DIR } from './scripts.js';

export interface UnpackResult {
  readonly prefix: string;
  readonly oldPrefix: string;
  readonly files: number;
}

export async function unpackEnvironment(dir: string): Promise<UnpackResult> {
  const prefix = path.resolve(dir);
  const planFile = path.join(prefix, PACK_DIR, 'plan');
  let text: string;
  try {
    text = await readFile(planFile, 'utf8');
  } catch {
    throw new TaipanError('INVALID_ARGUMENT', `'${prefix}' is not an unpacked taipan pack (it has no '${PACK_DIR}/plan')`, { hint: 'extract the archive made by `taipan pack` into this folder first' });
  }
  const marker = path.join(prefix, PACK_DIR, 'unpacked-to');
  const done = await readFile(marker, 'utf8').then((t) => t.trim(), () => undefined);
  const { oldPrefix, plans } = parsePlans(text);
  if (done !== undefined) {
    if (done === prefix) return { prefix, oldPrefix, files: 0 };
    throw new TaipanError('INVALID_ARGUMENT', `'${prefix}' was already unpacked in '${done}'`, { hint: 'extract the archive again to move the environment' });
  }
  const length = Buffer.byteLength(prefix);
  const realPrefix = await realpath(prefix);
  for (const plan of plans) {
    await checkPlanPath(realPrefix, plan.path);
    if (plan.mode === 'binary' && plan.room < length) {
      throw new TaipanError('LINK_FAILED', `'${plan.path}' has room for a path of ${plan.room} bytes, '${prefix}' has ${length}`, { hint: 'unpack to a shorter path' });
    }
  }
  for (const plan of plans) {
    const file = path.join(prefix, plan.path);
    const mode = (await stat(file)).mode & 0o7777;
    const data = applyPlan(plan, await readFile(file), prefix);
    await chmod(file, mode | 0o200);
    await writeFile(file, data);
    await chmod(file, mode);
  }
  await writeFile(marker, `${prefix}\n`);
  return { prefix, oldPrefix, files: plans.length };
}

/**
 * A plan path comes from the archive: it must name a regular file of the folder, reached
 * through no symlink (a plan naming `../x`, or `lib/x` where `lib` links out, would have
 * the rewrite write outside the folder).
 */
async function checkPlanPath(realPrefix: string, relative: string): Promise<void> {
  const parts = relative.split(/[\\/]/);
  const inside = relative !== '' && !path.isAbsolute(relative) && parts.every((p) => p !== '' && p !== '.' && p !== '..');
  const full = path.join(realPrefix, ...parts);
  const info = inside ? await lstat(full).catch(() => undefined) : undefined;
  const direct = info?.isFile() === true && (await realpath(full)) === full;
  if (!direct) {
    throw new TaipanError('UNSAFE_ARCHIVE_ENTRY', `the unpack plan names '${relative}', which is not a regular file inside '${realPrefix}'`, {
      hint: 'extract the archive made by `taipan pack` again, into an empty folder',
    });
  }
}

/**
 * The recipe's patches, applied in order to a source folder with the system `patch`. As
 * conda-build does, the strip level is found by a dry run (-p1 first, then 0, 2, 3), so
 * patches made with `diff -ru a/ b/` and with `git diff` both apply.
 */
import { TaipanError } from '../../channels/model/errors.js';
import { lastLines, runTool, runToolChecked } from '../run-tool.js';

const STRIP_LEVELS = [1, 0, 2, 3];

/** Apply each of `patches` (absolute paths) inside `dir`. */
export async function applyPatches(patches: readonly string[], dir: string): Promise<void> {
  for (const patch of patches) {
    let tried = '';
    let applied = false;
    for (const level of STRIP_LEVELS) {
      const args = ['-f', `-p${level}`, '-i', patch];
      const dry = await runTool('patch', ['--dry-run', ...args], { cwd: dir });
      if (dry.status === 0) {
        await runToolChecked('patch', args, `applying the patch '${patch}'`, { cwd: dir });
        applied = true;
        break;
      }
      if (level === 1) tried = dry.output;
    }
    if (!applied) {
      throw new TaipanError('COMMAND_FAILED', `the patch '${patch}' does not apply to '${dir}' (tried -p${STRIP_LEVELS.join(', -p')}):\n${lastLines(tried, 10)}`, {
        hint: 'the patch was made for another version of the source; regenerate it against this one',
      });
    }
  }
}

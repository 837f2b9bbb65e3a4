/**
 * An output's `files:` selection (conda-build `outputs[].files`, rattler-build
 * `build.files`) over the new files of PREFIX. A pattern is a glob relative to the prefix
 * (`*` within a folder, `**` across folders); a pattern that names a folder takes
 * everything under it, as conda-build does for a listed directory. Excludes win over
 * includes, and no include list means every new file.
 */
import type { FileSelection } from '../../recipes/stage1.js';
import { globToRegExp } from '../test-package/glob.js';

export function selectFiles(files: readonly string[], selection: FileSelection | undefined): string[] {
  if (!selection) return [...files];
  const include = selection.include.map(matcher);
  const exclude = selection.exclude.map(matcher);
  return files.filter((file) => (include.length === 0 || include.some((m) => m(file))) && !exclude.some((m) => m(file)));
}

function matcher(pattern: string): (file: string) => boolean {
  const clean = pattern.trim().replace(/^\.\//, '').replace(/\/+$/, '');
  const re = globToRegExp(clean);
  return (file) => {
    if (re.test(file)) return true;
    // A folder pattern: any parent folder of the file that matches takes the file along.
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i++) if (re.test(parts.slice(0, i).join('/'))) return true;
    return false;
  };
}

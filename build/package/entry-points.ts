/**
 * Console scripts of a python package that is not noarch: conda-build writes them into
 * PREFIX/bin at build time (a noarch: python package lists them in link.json instead and
 * the installer writes them). The shebang names the host python by its full path, so
 * prefix detection marks the script and the installer points it at the environment's.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../../channels/model/errors.js';
import { entryPointPath, entryPointScript, parseEntryPoint } from '../../environments/link/entry-points.js';
import type { PythonInfo } from '../../environments/link/noarch-python.js';

/** Write one script per `name = module:function` line into `prefix`. */
export async function writeEntryPoints(prefix: string, python: PythonInfo | undefined, entryPoints: readonly string[], packageName: string): Promise<void> {
  if (!python) {
    throw new TaipanError('PACKAGE_METADATA', `'${packageName}' has python entry points, but python is not in its host requirements`, {
      hint: 'add python to requirements.host',
    });
  }
  for (const line of entryPoints) {
    const entry = parseEntryPoint(line, packageName);
    const file = path.join(prefix, entryPointPath(python, entry));
    // The shared template without its shebang (its Windows form), with a shebang that is
    // never shortened: the long host prefix must stay in it to be detected and replaced.
    const body = entryPointScript(prefix, { ...python, windows: true }, entry);
    const text = python.windows ? body : Buffer.concat([Buffer.from(`#!${prefix}/${python.executable}\n`), body]);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    await chmod(file, 0o755);
  }
}

/**
 * Console scripts of noarch: python packages. `info/link.json` lists them as
 * `name = module:function`; at link time each becomes a small python script in `bin/`
 * whose shebang names the environment's own interpreter, as conda writes them (conda's
 * `python_entry_point_template`). On Windows conda puts a launcher .exe (its cli-64.exe,
 * which taipan does not ship) next to `Scripts/<name>-script.py`; taipan writes a
 * `Scripts/<name>.bat` launcher instead. cmd and PowerShell find it on PATH as they would
 * the .exe; a program started without a shell (Python's `subprocess` with shell=False,
 * Node's `spawn`) looks for `<name>.exe` only and does not find it: that needs a real
 * launcher executable, which is still missing.
 */
import { TaipanError } from '../../channels/model/errors.js';
import { NAME_MAX_BYTES } from '../../channels/archive/entry-path.js';
import type { PythonInfo } from './noarch-python.js';
import { replaceLongShebang } from './shebang.js';

/** One parsed `name = module:function` line. */
export interface EntryPoint {
  readonly name: string;
  readonly module: string;
  /** The function, possibly dotted (`Class.method`). */
  readonly func: string;
}

const ENTRY_POINT = /^\s*([^\s=]+)\s*=\s*([\w.]+)\s*:\s*([\w.]+)\s*(?:\[.*\])?\s*$/;

/**
 * Why an entry point's name cannot be one file name in `bin/` (or `Scripts/`); undefined when
 * it can. The name comes from the package's link.json, so it is hostile: `.` or `..` would
 * name the folder or its parent, a separator a path elsewhere.
 */
export function entryPointNameProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return `'${name}' names a folder, not a file`;
  if (/[/\\\0]/.test(name)) return 'a name may not contain a path separator or a NUL byte';
  const bytes = Buffer.byteLength(name);
  return bytes > NAME_MAX_BYTES ? `the name is ${bytes} bytes long; file systems allow at most ${NAME_MAX_BYTES}` : undefined;
}

/** Parse one entry point line; a malformed line names the package it came from. */
export function parseEntryPoint(line: string, packageName: string): EntryPoint {
  const match = ENTRY_POINT.exec(line);
  const problem = match ? entryPointNameProblem(match[1] as string) : undefined;
  if (!match || problem !== undefined) {
    const shown = line.replace(/\0/g, '\\0').slice(0, 300);
    throw new TaipanError('PACKAGE_METADATA', `the entry point '${shown}' of '${packageName}' is not 'name = module:function'${problem ? `: ${problem}` : ''}`, {
      hint: 'the package is broken; report it to its maintainers; nothing was changed',
    });
  }
  return { name: match[1] as string, module: match[2] as string, func: match[3] as string };
}

/** Prefix-relative path of the script for `entry`. */
export function entryPointPath(python: PythonInfo, entry: EntryPoint): string {
  return python.windows ? `${python.scriptsDir}/${entry.name}-script.py` : `${python.scriptsDir}/${entry.name}`;
}

/** Prefix-relative path of the Windows launcher for `entry` (none elsewhere). */
export function entryPointLauncherPath(python: PythonInfo, entry: EntryPoint): string | undefined {
  return python.windows ? `${python.scriptsDir}/${entry.name}.bat` : undefined;
}

/**
 * The Windows launcher: runs the environment's python (at the prefix root, one level above
 * Scripts) on the `-script.py` beside it, with the arguments, and passes its exit code on.
 * Both paths are taken from the launcher's own location, so it works wherever the prefix is.
 */
export function entryPointLauncher(python: PythonInfo, entry: EntryPoint): Buffer {
  const interpreter = python.executable.replace(/\//g, '\\');
  const up = python.scriptsDir.split('/').map(() => '..\\').join('');
  return Buffer.from(`@"%~dp0${up}${interpreter}" "%~dp0${entry.name}-script.py" %*\r\n@exit /b %ERRORLEVEL%\r\n`, 'utf8');
}

/** The script's text for an environment at `prefix` (absolute). */
export function entryPointScript(prefix: string, python: PythonInfo, entry: EntryPoint): Buffer {
  const importName = entry.func.split('.')[0];
  const body = [
    '# -*- coding: utf-8 -*-',
    'import re',
    'import sys',
    '',
    `from ${entry.module} import ${importName}`,
    '',
    "if __name__ == '__main__':",
    "    sys.argv[0] = re.sub(r'(-script\\.pyw?|\\.exe)?$', '', sys.argv[0])",
    `    sys.exit(${entry.func}())`,
    '',
  ].join('\n');
  if (python.windows) return Buffer.from(body, 'utf8');
  const interpreter = `${prefix}/${python.executable}`.replace(/ /g, '\\ ');
  return replaceLongShebang(Buffer.from(`#!${interpreter}\n${body}`, 'utf8'));
}

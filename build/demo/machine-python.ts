/**
 * A "python" conda package made from the machine's own python3, so real noarch: python
 * packages can be built, installed, compiled and run (by the full demo and by tests)
 * without downloading CPython.
 *
 * The package is laid out like a venv: `bin/python3.X` is a small bash script that runs
 * the real interpreter under the environment's own path (`exec -a`, with the prefix
 * placeholder replaced at install time; an absolute symlink out of the package would be
 * refused by the extractor), and `pyvenv.cfg` names the interpreter's home. Python then
 * takes the environment as its `sys.prefix` and puts `<prefix>/lib/python3.X/site-packages`
 * on `sys.path`, as for a conda python, while the standard library stays the machine's.
 * The interpreter is named by its resolved path, so a pyenv shim is looked through once,
 * here, and the environment does not depend on pyenv's choice of version later.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeCondaPackage } from '../../channels/archive/index.js';
import { currentPlatform } from '../../channels/model/platform.js';
import { PREFIX_PLACEHOLDER, stagePackage } from '../stage-package.js';

export interface MachinePython {
  /** The real interpreter (symlinks resolved). */
  readonly executable: string;
  /** `3.11.7` */
  readonly version: string;
  /** `3.11` */
  readonly majorMinor: string;
}

/** The machine's python3, or undefined when there is none. */
export function machinePython(): MachinePython | undefined {
  try {
    const out = execFileSync('python3', ['-c', 'import os, sys; print(os.path.realpath(sys.executable)); print("%d.%d.%d" % sys.version_info[:3])'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [executable = '', version = ''] = out.trim().split('\n');
    if (!path.isAbsolute(executable) || !/^3\.\d+\.\d+$/.test(version)) return undefined;
    return { executable, version, majorMinor: version.split('.').slice(0, 2).join('.') };
  } catch {
    return undefined;
  }
}

/**
 * Write `python-<version>-0_machine.conda` for the current platform into `channelDir`
 * (not indexed: the caller indexes once all packages are in); returns its path.
 */
export async function writeMachinePythonPackage(channelDir: string, python: MachinePython): Promise<string> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'taipan-python-pkg-'));
  try {
    const files = path.join(work, 'files');
    await mkdir(path.join(files, 'bin'), { recursive: true });
    const wrapper = path.join(files, 'bin', `python${python.majorMinor}`);
    await writeFile(wrapper, `#!/bin/bash\nexec -a "${PREFIX_PLACEHOLDER}/bin/python${python.majorMinor}" "${python.executable}" "$@"\n`);
    await chmod(wrapper, 0o755);
    await symlink(`python${python.majorMinor}`, path.join(files, 'bin', 'python3'));
    await symlink(`python${python.majorMinor}`, path.join(files, 'bin', 'python'));
    await writeFile(
      path.join(files, 'pyvenv.cfg'),
      `home = ${path.dirname(python.executable)}\ninclude-system-site-packages = false\nversion = ${python.version}\n`,
    );
    const subdir = currentPlatform();
    const stage = path.join(work, 'stage');
    await stagePackage(files, stage, {
      name: 'python',
      version: python.version,
      build: '0_machine',
      build_number: 0,
      depends: [],
      subdir,
      summary: "the machine's own python3, wrapped as a conda package",
      timestamp: 1_700_000_000_000,
    });
    const out = path.join(channelDir, subdir);
    await mkdir(out, { recursive: true });
    const archive = path.join(out, `python-${python.version}-0_machine.conda`);
    await writeCondaPackage(stage, archive);
    return archive;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

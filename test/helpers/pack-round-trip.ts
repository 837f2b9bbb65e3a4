/**
 * Checks of a packed python environment after it was extracted (with the real tar or
 * unzip) and unpacked somewhere else: the machine's python imports the packed modules
 * from their .pyc (valid, not recompiled, not rewritten), code objects name the new
 * place, an entry point runs without activation, and `bin/activate` works in bash. Each
 * check returns the problems it found, so the e2e test and the reliability cases share it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** PATH without node or taipan (nor the machine's python): only the system folders. */
export const BARE_PATH = '/usr/bin:/bin';

/** Extract with the system's own tools, as a user would. */
export function extractPack(archive: string, dest: string): string[] {
  const result = archive.endsWith('.zip')
    ? spawnSync('unzip', ['-q', archive, '-d', dest], { encoding: 'utf8' })
    : spawnSync('tar', [archive.endsWith('.zst') ? '--zstd' : '-z', '-xf', archive, '-C', dest], { encoding: 'utf8' });
  return result.status === 0 ? [] : [`extracting '${archive}' failed: ${result.stderr}`];
}

/** The archive's own `bin/conda-unpack`, run with a PATH holding neither taipan nor node. */
export function condaUnpack(dest: string): string[] {
  const run = spawnSync(path.join(dest, 'bin', 'conda-unpack'), [], { encoding: 'utf8', env: { PATH: BARE_PATH } });
  return run.status === 0 && run.stderr === '' ? [] : [`conda-unpack: exit ${run.status}: ${run.stderr.trim()}`];
}

/** sha256 of every .pyc under `root`, by relative path. */
export async function pycDigests(root: string, relative = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const child of await readdir(path.join(root, relative), { withFileTypes: true })) {
    const rel = relative ? `${relative}/${child.name}` : child.name;
    if (child.isDirectory()) for (const [k, v] of await pycDigests(root, rel)) out.set(k, v);
    else if (child.isFile() && child.name.endsWith('.pyc')) out.set(rel, createHash('sha256').update(await readFile(path.join(root, rel))).digest('hex'));
  }
  return out;
}

export interface PythonExpectations {
  /** Modules to import; each must load from its packed .pyc. */
  readonly modules: readonly string[];
  /** A module with a function whose code object must name the new place. */
  readonly functionModule: string;
  /**
   * Whether each module must load from its packed .pyc. Not for zip: unzip restores a
   * file's mtime from the DOS field (2-second steps, local time), so a source whose mtime
   * is odd looks newer than its .pyc and python compiles it again (correct, only slower).
   */
  readonly pycFresh: boolean;
  /** An entry point in bin/ and a text its output must contain. */
  readonly entryPoint: { readonly name: string; readonly args: readonly string[]; readonly expect: string };
}

const PROBE = `
import importlib, inspect, json, sys
mods = [importlib.import_module(m) for m in sys.argv[2:]]
fm = importlib.import_module(sys.argv[1])
fns = [f for f in vars(fm).values() if inspect.isfunction(f) and f.__module__ == fm.__name__]
print(json.dumps({"prefix": sys.prefix, "files": [m.__file__ for m in mods], "code": [f.__code__.co_filename for f in fns]}))
`;

/** The .pyc of the packed environment (`original`, from pycDigests) that unpacking changed or lost. */
export async function changedPycs(dest: string, original: ReadonlyMap<string, string>): Promise<string[]> {
  if (original.size === 0) return ['the packed environment has no .pyc to check'];
  const now = await pycDigests(dest);
  return [...original].filter(([rel, digest]) => now.get(rel) !== digest).map(([rel]) => `'${rel}' ${now.has(rel) ? 'was changed' : 'is missing'} after unpacking`);
}

/** What is wrong with the python environment unpacked in `dest` (empty when nothing is). */
export async function unpackedPythonProblems(dest: string, expected: PythonExpectations): Promise<string[]> {
  const problems: string[] = [];
  const env = { PATH: BARE_PATH };
  // -v makes the import system say where each module's code came from.
  const run = spawnSync(path.join(dest, 'bin', 'python'), ['-v', '-c', PROBE, expected.functionModule, ...expected.modules], { encoding: 'utf8', env });
  if (run.status !== 0) return [`python failed (exit ${run.status}): ${run.stderr.split('\n').filter((l) => !l.startsWith('#') && !l.startsWith('import ')).slice(-6).join(' / ')}`];
  const probe = JSON.parse(run.stdout) as { prefix: string; files: string[]; code: string[] };
  if (probe.prefix !== dest) problems.push(`sys.prefix is '${probe.prefix}', not '${dest}'`);
  for (const file of probe.files) {
    if (!file.startsWith(`${dest}/`)) problems.push(`a module was imported from '${file}', outside '${dest}'`);
    const pyc = path.join(path.dirname(file), '__pycache__', `${path.basename(file, '.py')}.`);
    if (expected.pycFresh && !run.stderr.split('\n').some((l) => l.startsWith(`# code object from '${pyc}`) && l.endsWith(".pyc'"))) problems.push(`'${file}' was not loaded from its packed .pyc`);
  }
  const complaints = run.stderr.split('\n').filter((l) => (expected.pycFresh ? /bytecode is stale|bad marshal|ValueError|EOFError/ : /bad marshal|ValueError|EOFError/).test(l));
  if (complaints.length > 0) problems.push(`python did not take the packed .pyc: ${complaints.join(' / ')}`);
  if (probe.code.length === 0) problems.push(`'${expected.functionModule}' has no function to look at`);
  for (const file of probe.code) if (!file.startsWith(`${dest}/`)) problems.push(`a code object still names '${file}'`);

  const entry = spawnSync(path.join(dest, 'bin', expected.entryPoint.name), [...expected.entryPoint.args], { encoding: 'utf8', env });
  if (entry.status !== 0 || !entry.stdout.includes(expected.entryPoint.expect)) problems.push(`entry point '${expected.entryPoint.name}': exit ${entry.status}; ${entry.stderr.trim().split('\n').slice(-3).join(' / ')}`);

  // stdin ignored: on a socket (node's pipes are), bash would read ~/.bashrc as if run by rshd.
  const activated = spawnSync('bash', ['--norc', '--noprofile', '-c', `source "${dest}/bin/activate" && command -v python && python -c 'import sys; print(sys.prefix)' && echo "$CONDA_PREFIX" && deactivate && echo "$PATH"`], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = activated.stdout.trim().split('\n');
  const wanted = [`${dest}/bin/python`, dest, dest, BARE_PATH];
  if (activated.status !== 0 || lines.join('\n') !== wanted.join('\n')) problems.push(`bin/activate in bash: exit ${activated.status}; got ${JSON.stringify(lines)}; ${activated.stderr.trim()}`);
  return problems;
}

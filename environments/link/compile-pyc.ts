/**
 * Bytecode for noarch: python packages, compiled by the environment's own interpreter the
 * way conda does it (`python -Wi -m compileall -q -l -i -`, the file list on stdin), so
 * the .pyc files match that python exactly and are owned by the package: recorded in its
 * conda-meta entry, they go away when it is removed. Compiling is best effort, as in
 * conda: a file python cannot compile (python 2 syntax, say) simply gets no .pyc.
 */
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import path from 'node:path';

export interface CompileResult {
  /** Exit code of compileall; non-zero when some file did not compile. */
  readonly status: number;
  /** What python printed, for a warning. */
  readonly output: string;
}

/**
 * Compile `pyFiles` (prefix-relative) with the interpreter at `python` (absolute).
 * Resolves with python's status; rejects only when python cannot be started.
 */
export function compilePyc(prefix: string, python: string, pyFiles: readonly string[]): Promise<CompileResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-Wi', '-m', 'compileall', '-q', '-l', '-i', '-'], {
      cwd: prefix,
      stdio: ['pipe', 'pipe', 'pipe'],
      // The user's PYTHONPATH or a PYTHONDONTWRITEBYTECODE must not change what is written.
      env: { ...process.env, PYTHONPATH: undefined, PYTHONHOME: undefined, PYTHONDONTWRITEBYTECODE: undefined, PYTHONPYCACHEPREFIX: undefined },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? 1, output }));
    // A python that exits without reading the list (a broken or stand-in interpreter) closes
    // the pipe: EPIPE here is that, reported through its exit status, not a crash of taipan.
    child.stdin.on('error', () => undefined);
    child.stdin.end(pyFiles.map((f) => path.join(prefix, f)).join('\n') + '\n');
  });
}

/** The subset of `files` (prefix-relative) that exist. */
export async function existingFiles(prefix: string, files: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const file of files) {
    try {
      await access(path.join(prefix, file));
      out.push(file);
    } catch {
      // not compiled
    }
  }
  return out;
}

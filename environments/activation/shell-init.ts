/**
 * `taipan init`: a marked block in the user's shell profile that evaluates the shell hook,
 * added once and removed exactly (`--reverse`), as `conda init` and `micromamba shell
 * init` do. Nothing outside the markers is touched.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ShellName } from './shells.js';

const BEGIN = '# >>> taipan initialize >>>';
const END = '# <<< taipan initialize <<<';

export function profileFile(shell: ShellName, home: string): string {
  switch (shell) {
    case 'bash':
      return path.join(home, '.bashrc');
    case 'zsh':
      return path.join(home, '.zshrc');
    case 'fish':
      return path.join(home, '.config', 'fish', 'config.fish');
    case 'powershell':
      return path.join(home, '.config', 'powershell', 'Microsoft.PowerShell_profile.ps1');
    case 'cmd':
      return path.join(home, 'taipan_hook.bat');
  }
}

/** The line that loads the shell hook into `shell`, calling taipan as `command`. */
export function hookLine(shell: ShellName, command: string): string {
  return shell === 'fish'
    ? `${command} shell hook --shell fish | source`
    : shell === 'powershell'
      ? `(& ${command} shell hook --shell powershell) | Out-String | Invoke-Expression`
      : shell === 'cmd'
        ? `@FOR /F "delims=" %%i IN ('${command} shell hook --shell cmd') DO @%%i`
        : `eval "$(${command} shell hook --shell ${shell})"`;
}

function block(shell: ShellName, command: string): string {
  return `${BEGIN}\n# !! Contents within this block are managed by 'taipan init' !!\n${hookLine(shell, command)}\n${END}\n`;
}

function withoutBlock(text: string): string {
  const start = text.indexOf(BEGIN);
  if (start === -1) return text;
  const end = text.indexOf(END, start);
  if (end === -1) return text;
  const after = text.slice(end + END.length).replace(/^\r?\n/, '');
  return text.slice(0, start) + after;
}

/** Adds (or refreshes) the block; returns the file and whether it changed. */
export async function initShell(shell: ShellName, home: string, command: string): Promise<{ file: string; changed: boolean }> {
  const file = profileFile(shell, home);
  const before = await readFile(file, 'utf8').catch(() => '');
  const base = withoutBlock(before);
  const after = `${base}${base === '' || base.endsWith('\n') ? '' : '\n'}${block(shell, command)}`;
  if (after === before) return { file, changed: false };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, after);
  return { file, changed: true };
}

export async function reverseInitShell(shell: ShellName, home: string): Promise<{ file: string; changed: boolean }> {
  const file = profileFile(shell, home);
  const before = await readFile(file, 'utf8').catch(() => undefined);
  if (before === undefined) return { file, changed: false };
  const after = withoutBlock(before);
  if (after === before) return { file, changed: false };
  await writeFile(file, after);
  return { file, changed: true };
}

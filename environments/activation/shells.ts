/**
 * Each shell's syntax for activation changes, and the hook that makes `taipan activate`
 * work inside the shell (a function that evaluates what `taipan shell activate` prints,
 * as micromamba's and pixi's shell hooks do), so no rc-file editing is needed.
 */
import { TaipanError } from '../../channels/model/errors.js';
import { shellQuote } from '../../channels/util/shell-quote.js';
import type { ActivationChanges } from './activation.js';

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell', 'cmd'] as const;
export type ShellName = (typeof SHELLS)[number];

export function parseShell(name: string): ShellName {
  if ((SHELLS as readonly string[]).includes(name)) return name as ShellName;
  if (name === 'pwsh') return 'powershell';
  if (name === 'sh' || name === 'dash') return 'bash';
  throw new TaipanError('INVALID_ARGUMENT', `unknown shell '${name}'`, { hint: `choose one of: ${SHELLS.join(', ')}` });
}

export function scriptExtension(shell: ShellName): string {
  return { bash: '.sh', zsh: '.sh', fish: '.fish', powershell: '.ps1', cmd: '.bat' }[shell];
}


function psQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The shell commands that apply `changes`: deactivate scripts first, activate scripts last. */
export function renderChanges(shell: ShellName, changes: ActivationChanges, phase: 'activate' | 'deactivate'): string {
  const lines: string[] = [];
  const source = (script: string): string => {
    switch (shell) {
      case 'bash':
      case 'zsh':
        return `. ${shellQuote(script)}`;
      case 'fish':
        return `source ${shellQuote(script)}`;
      case 'powershell':
        return `. ${psQuote(script)}`;
      case 'cmd':
        return `@CALL "${script}"`;
    }
  };
  if (phase === 'deactivate') lines.push(...changes.scripts.map(source));
  for (const name of changes.unset) {
    lines.push(
      shell === 'fish'
        ? `set -e ${name}`
        : shell === 'powershell'
          ? `Remove-Item -ErrorAction SilentlyContinue Env:${name}`
          : shell === 'cmd'
            ? `@SET "${name}="`
            : `unset ${name}`,
    );
  }
  for (const [name, value] of changes.set) {
    if (shell === 'fish') {
      lines.push(name === 'PATH' ? `set -gx PATH ${value.split(':').map(shellQuote).join(' ')}` : `set -gx ${name} ${shellQuote(value)}`);
    } else if (shell === 'powershell') lines.push(`$Env:${name} = ${psQuote(value)}`);
    else if (shell === 'cmd') lines.push(`@SET "${name}=${value}"`);
    else lines.push(`export ${name}=${shellQuote(value)}`);
  }
  if (phase === 'activate') lines.push(...changes.scripts.map(source));
  if (shell === 'bash' || shell === 'zsh') lines.push('hash -r 2>/dev/null || true');
  return `${lines.join('\n')}\n`;
}

/**
 * The shell function `taipan`: `taipan activate X` / `taipan deactivate` change the running
 * shell; every other subcommand runs the real program.
 */
export function shellHook(shell: ShellName, command: string): string {
  switch (shell) {
    case 'bash':
    case 'zsh':
      return [
        `taipan() {`,
        `  case "$1" in`,
        `    activate|deactivate)`,
        `      local __taipan_script`,
        `      __taipan_script="$(${command} shell "$@" --shell ${shell})" || return $?`,
        `      eval "$__taipan_script"`,
        `      ;;`,
        `    *) ${command} "$@" ;;`,
        `  esac`,
        `}`,
        '',
      ].join('\n');
    case 'fish':
      return [
        `function taipan`,
        `  if test (count $argv) -gt 0; and contains -- $argv[1] activate deactivate`,
        `    ${command} shell $argv --shell fish | source`,
        `  else`,
        `    ${command} $argv`,
        `  end`,
        `end`,
        '',
      ].join('\n');
    case 'powershell':
      return [
        `function taipan {`,
        `  if ($args.Count -gt 0 -and ($args[0] -eq 'activate' -or $args[0] -eq 'deactivate')) {`,
        `    $script = & ${command} shell @args --shell powershell | Out-String`,
        `    if ($LASTEXITCODE -eq 0) { Invoke-Expression $script }`,
        `  } else { & ${command} @args }`,
        `}`,
        '',
      ].join('\n');
    case 'cmd':
      return [
        `@REM taipan for cmd.exe: save as taipan_hook.bat and call it, then use 'taipan activate NAME'`,
        `@DOSKEY taipan=${command} $*`,
        '',
      ].join('\n');
  }
}

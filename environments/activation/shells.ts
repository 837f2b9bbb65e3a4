/**
 * Each shell's syntax for activation changes, and the hook that makes `taipan activate`
 * work inside the shell (a function that evaluates what `taipan shell activate` prints,
 * as micromamba's and pixi's shell hooks do), so no rc-file editing is needed.
 */
import { TaipanError } from '../../channels/model/errors.js';
import { shellQuote } from '../../channels/util/shell-quote.js';
import type { ActivationChanges, PromptChange } from './activation.js';

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell', 'cmd'] as const;
export type ShellName = (typeof SHELLS)[number];

export function parseShell(name: string): ShellName {
  if ((SHELLS as readonly string[]).includes(name)) return name as ShellName;
  if (name === 'pwsh') return 'powershell';
  if (name === 'sh' || name === 'dash') return 'bash';
  throw new TaipanError('INVALID_ARGUMENT', `unknown shell '${name}'`, { hint: `choose one of: ${SHELLS.join(', ')}` });
}

/** `text` as one POSIX shell word: bare when it is plainly safe, single-quoted otherwise. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : shellQuote(text);
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
  if (changes.prompt) lines.push(...promptLines(shell, changes.prompt));
  if (phase === 'activate') lines.push(...changes.scripts.map(source));
  if (shell === 'bash' || shell === 'zsh') lines.push('hash -r 2>/dev/null || true');
  return `${lines.join('\n')}\n`;
}

/**
 * How each shell changes its prompt. bash and zsh keep the prompt from before each level in
 * a shell (unexported) variable and assign it back, so deactivate restores it byte for byte;
 * where none was kept (a child shell inherited the environment), the modifier is taken off
 * the prompt's start instead, as conda does. An unset PS1 (no prompt: not interactive) stays
 * unset. fish and PowerShell prompts are functions: the first activation wraps the user's
 * function in one that prints CONDA_PROMPT_MODIFIER first, and the last deactivation puts the
 * user's function back. cmd's prompt is left alone.
 */
function promptLines(shell: ShellName, prompt: PromptChange): string[] {
  const last = prompt.phase === 'deactivate' && prompt.level === 1;
  switch (shell) {
    case 'bash':
    case 'zsh': {
      const saved = `_TAIPAN_PS1_${prompt.level}`;
      const swapped = `PS1=${shellQuote(prompt.to)}${prompt.from === '' ? '$PS1' : `\${PS1#${shellQuote(prompt.from)}}`}`;
      if (prompt.phase === 'activate') {
        return prompt.change ? [`if [ -n "\${PS1+x}" ]; then ${saved}=$PS1; ${swapped}; fi`] : [`unset ${saved}`];
      }
      const restore = `if [ -n "\${${saved}+x}" ]; then PS1=$${saved}; unset ${saved}`;
      return [prompt.change ? `${restore}; elif [ -n "\${PS1+x}" ]; then ${swapped}; fi` : `${restore}; fi`];
    }
    case 'fish':
      if (prompt.phase === 'activate') {
        if (!prompt.change) return [];
        return [
          'if functions -q fish_prompt; and not functions -q __taipan_fish_prompt',
          '  functions -c fish_prompt __taipan_fish_prompt',
          '  function __taipan_status; return $argv[1]; end',
          '  function fish_prompt',
          '    set -l last_status $status',
          `    printf '%s' "$CONDA_PROMPT_MODIFIER"`,
          '    __taipan_status $last_status',
          '    __taipan_fish_prompt',
          '  end',
          'end',
        ];
      }
      if (!last) return [];
      return [
        'if functions -q __taipan_fish_prompt',
        '  functions -e fish_prompt',
        '  functions -c __taipan_fish_prompt fish_prompt',
        '  functions -e __taipan_fish_prompt __taipan_status',
        'end',
      ];
    case 'powershell':
      if (prompt.phase === 'activate') {
        if (!prompt.change) return [];
        return [
          'if (-not (Test-Path variable:global:_TaipanPromptBackup)) {',
          '  $global:_TaipanPromptBackup = $function:prompt',
          '  function global:prompt { if ($Env:CONDA_PROMPT_MODIFIER) { Write-Host -NoNewline $Env:CONDA_PROMPT_MODIFIER }; & $global:_TaipanPromptBackup }',
          '}',
        ];
      }
      if (!last) return [];
      return [
        'if (Test-Path variable:global:_TaipanPromptBackup) {',
        '  Set-Item -Path function:global:prompt -Value $global:_TaipanPromptBackup',
        '  Remove-Variable -Scope Global -Name _TaipanPromptBackup',
        '}',
      ];
    case 'cmd':
      return [];
  }
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

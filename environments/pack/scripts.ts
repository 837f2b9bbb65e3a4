/**
 * The scripts a packed environment carries, as conda-pack's `bin/conda-unpack` and
 * `bin/activate`. `conda-unpack` is plain POSIX sh (plus `head -c`, which GNU, BSD and
 * busybox all have), so an unpacked environment needs neither taipan, nor Node, nor
 * Python: it replays `.taipan-pack/plan` (see rewrite-plan.ts) with the folder it
 * finds itself in. Before it changes any file it checks that every binary file has room
 * and that every path of the plan is a regular file inside the folder (an archive is
 * input like any other: a plan naming `../x`, or a file behind a symlink, is refused).
 */
import { shellQuote } from '../../channels/util/shell-quote.js';

/** Where the plan and the unpack marker live inside the archive. */
export const PACK_DIR = '.taipan-pack';

export function condaUnpackScript(): string {
  return `#!/bin/sh
# Rewrites this environment's path into its files after it was unpacked somewhere new.
# Run it once, from anywhere: ./bin/conda-unpack   (written by taipan pack)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd -P)
plan="$here/${PACK_DIR}/plan"
done_file="$here/${PACK_DIR}/unpacked-to"
NEW="$here"
if [ -f "$done_file" ]; then
  if [ "$(cat "$done_file")" = "$NEW" ]; then echo "already unpacked in '$NEW'"; exit 0; fi
  echo "conda-unpack: this environment was already unpacked in '$(cat "$done_file")'; unpack the archive again to move it" >&2
  exit 1
fi
N=$(printf '%s' "$NEW" | wc -c | tr -d ' ')
# An F line is "F <T|B> <room> <path>"; the path is the rest of the line, spaces and all.
kind_of() { k=\${1#F }; printf '%s' "\${k%% *}"; }
room_of() { r=\${1#F ? }; printf '%s' "\${r%% *}"; }
path_of() { p=\${1#F ? }; printf '%s' "\${p#* }"; }
# Verify first: every path stays in this folder and names a file reached through no
# symlink, and every binary file's strings can hold the new path; else nothing changes.
while IFS= read -r line; do
  case "$line" in "F "*) ;; *) continue ;; esac
  c=$(path_of "$line"); b=$(room_of "$line")
  case "/$c/" in
    *//*|*/../*|*/./*) echo "conda-unpack: the plan names '$c', which is not a path inside '$here'" >&2; exit 1 ;;
  esac
  d=$(dirname "$here/$c")
  if [ -L "$here/$c" ] || [ ! -f "$here/$c" ] || [ "$(cd "$d" && pwd -P)" != "$d" ]; then
    echo "conda-unpack: '$c' is not a regular file of '$here' (a symlink, or missing); extract the archive again" >&2
    exit 1
  fi
  if [ "$(kind_of "$line")" = B ] && [ "$b" -lt "$N" ]; then
    echo "conda-unpack: '$c' has room for a path of $b bytes, '$NEW' has $N; unpack to a shorter path" >&2
    exit 1
  fi
done < "$plan"
file=""; tmp=""; room=0
finish() {
  if [ -n "$file" ]; then
    chmod u+w "$here/$file"
    cat "$tmp" > "$here/$file"
    rm -f "$tmp"
  fi
}
while IFS= read -r line; do
  op=\${line%% *}; args=\${line#"$op"}; args=\${args# }
  case "$op" in
    F) finish; file=$(path_of "$line"); room=$(room_of "$line"); tmp="$here/$file.taipan-unpack"; : > "$tmp" ;;
    C) a=\${args%% *}; b=\${args#* }; tail -c +"$((a + 1))" "$here/$file" | head -c "$b" >> "$tmp" ;;
    N) printf '%s' "$NEW" >> "$tmp" ;;
    Z) head -c "$((args * (room - N)))" /dev/zero >> "$tmp" ;;
    R) tail -c +"$((args + 1))" "$here/$file" >> "$tmp" ;;
    E) finish; file="" ;;
    *) ;;
  esac
done < "$plan"
printf '%s\\n' "$NEW" > "$done_file"
echo "unpacked in '$NEW'; activate it with: . '$NEW/bin/activate'"
`;
}

/**
 * `bin/activate` for POSIX shells. The environment's path is written in it literally, so
 * conda-unpack rewrites it with every other file; `deactivate` restores the PATH saved
 * at activation rather than editing PATH back.
 */
export function activateScript(prefix: string, envVars: Readonly<Record<string, string>>): string {
  const exports = Object.entries(envVars).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const unsets = Object.keys(envVars).map((k) => `unset ${k}`);
  return `# Source this file to use the environment:  . ./bin/activate   (written by taipan pack)
_taipan_env=${shellQuote(prefix)}
if [ -n "\${_TAIPAN_PACK_OLD_PATH+x}" ]; then deactivate; fi
_TAIPAN_PACK_OLD_PATH="$PATH"
export PATH="$_taipan_env/bin:$PATH"
export CONDA_PREFIX="$_taipan_env"
export CONDA_DEFAULT_ENV="$_taipan_env"
${exports.join('\n')}
for _taipan_script in "$_taipan_env"/etc/conda/activate.d/*.sh; do
  if [ -f "$_taipan_script" ]; then . "$_taipan_script"; fi
done
unset _taipan_script
deactivate() {
  for _taipan_script in "$CONDA_PREFIX"/etc/conda/deactivate.d/*.sh; do
    if [ -f "$_taipan_script" ]; then . "$_taipan_script"; fi
  done
  export PATH="$_TAIPAN_PACK_OLD_PATH"
  unset _TAIPAN_PACK_OLD_PATH CONDA_PREFIX CONDA_DEFAULT_ENV _taipan_script _taipan_env
  ${unsets.join('; ') || ':'}
  unset -f deactivate
}
`;
}

/** `Scripts\\activate.bat` for cmd.exe: the folder comes from the script's own location. */
export function activateBat(envVars: Readonly<Record<string, string>>): string {
  const sets = Object.entries(envVars).map(([k, v]) => `set "${k}=${v}"`);
  return [
    '@echo off',
    'rem Run this to use the environment in this cmd.exe window (written by taipan pack).',
    'for %%I in ("%~dp0..") do set "CONDA_PREFIX=%%~fI"',
    'set "CONDA_DEFAULT_ENV=%CONDA_PREFIX%"',
    'set "PATH=%CONDA_PREFIX%;%CONDA_PREFIX%\\Library\\mingw-w64\\bin;%CONDA_PREFIX%\\Library\\usr\\bin;%CONDA_PREFIX%\\Library\\bin;%CONDA_PREFIX%\\Scripts;%CONDA_PREFIX%\\bin;%PATH%"',
    ...sets,
    '',
  ].join('\r\n');
}


/**
 * The front ends of an offline installer: a POSIX sh header followed by the payload (one
 * self-extracting `.sh`, as constructor and makeself do), and a Windows `install.bat`
 * beside the payload in a `.zip`. Both check the payload's sha256 before they write
 * anything outside their scratch folder, then run the bundled taipan offline against
 * the bundled package cache, installing exactly the bundled lock (or @EXPLICIT) file.
 */

export interface InstallerFacts {
  readonly envName: string;
  readonly payloadSha256: string;
  /** `node`: payload holds taipan.cjs, run by the machine's Node 20+; `sea`: a native executable. */
  readonly standalone: 'node' | 'sea';
  /** The payload's lock or @EXPLICIT file that `create --file` installs (a fixed, quote-free name). */
  readonly requestFile: string;
}

/** Width of the offset field (space-padded: a leading 0 would make sh read it as octal). */
const OFFSET_WIDTH = 12;

/** The sh header; `offset` is the header's own byte length (where the payload starts). */
export function shellInstallerHeader(facts: InstallerFacts, offset: number): string {
  const runner = facts.standalone === 'sea' ? '"$work/payload/taipan/taipan"' : 'node "$work/payload/taipan/taipan.cjs"';
  return `#!/bin/sh
# Offline installer for the '${facts.envName}' environment, made by \`taipan bundle\`.
# Usage: sh $0 [-b] [-p PREFIX]      -b: batch mode, no questions; -p: where to install
set -eu
PAYLOAD_OFFSET=${String(offset).padEnd(OFFSET_WIDTH, ' ')}
PAYLOAD_SHA256=${facts.payloadSha256}
ENV_NAME='${facts.envName.replace(/'/g, '')}'
prefix="\${HOME:-.}/$ENV_NAME"
batch=0
while [ $# -gt 0 ]; do
  case "$1" in
    -b) batch=1 ;;
    -p) [ $# -ge 2 ] || { echo "error: -p needs a folder" >&2; exit 2; }; prefix="$2"; shift ;;
    -h|--help) sed -n 2,3p "$0"; exit 0 ;;
    *) echo "error: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
if [ "$batch" = 0 ]; then
  printf 'Install the %s environment into [%s]: ' "$ENV_NAME" "$prefix"
  read -r answer || answer=""
  [ -n "$answer" ] && prefix="$answer"
fi
case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac
if [ -e "$prefix" ] && [ -n "$(ls -A "$prefix" 2>/dev/null)" ]; then
  echo "error: '$prefix' already exists and is not empty; choose another folder with -p" >&2
  exit 1
fi
${facts.standalone === 'node' ? `if ! command -v node >/dev/null 2>&1 || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "error: this installer needs Node.js 20 or newer on PATH (https://nodejs.org)" >&2
  exit 1
fi
` : ''}work=$(mktemp -d "\${TMPDIR:-/tmp}/taipan-install.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
tail -c +$((PAYLOAD_OFFSET + 1)) "$0" > "$work/payload.tar.gz"
if command -v sha256sum >/dev/null 2>&1; then actual=$(sha256sum "$work/payload.tar.gz" | cut -d' ' -f1)
elif command -v shasum >/dev/null 2>&1; then actual=$(shasum -a 256 "$work/payload.tar.gz" | cut -d' ' -f1)
else actual=$(openssl dgst -sha256 "$work/payload.tar.gz" | sed 's/.*= *//'); fi
if [ "$actual" != "$PAYLOAD_SHA256" ]; then
  echo "error: the installer is corrupt (payload sha256 $actual, expected $PAYLOAD_SHA256); download it again" >&2
  exit 1
fi
mkdir "$work/payload"
tar -xzf "$work/payload.tar.gz" -C "$work/payload"
echo "installing '$ENV_NAME' into '$prefix' (offline)..."
HOME="$work/home" TAIPAN_PKGS_DIRS="$work/payload/pkgs" TAIPAN_OFFLINE=1 CONDA_OFFLINE=1 \\
  ${runner} create -y -q -p "$prefix" --file "$work/payload/${facts.requestFile}"
mkdir -p "$prefix/bin"
{ printf "_taipan_env='%s'\\n" "$prefix"; sed 1,2d "$work/payload/activate.tmpl"; } > "$prefix/bin/activate"
echo "done. To use the environment, run:"
echo "    . '$prefix/bin/activate'"
exit 0
`;
}

/** The Windows front end: `install.bat [PREFIX]` next to payload.tar.gz inside the zip. */
export function batInstaller(facts: InstallerFacts): string {
  const runner = facts.standalone === 'sea' ? '"%WORK%\\payload\\taipan\\taipan.exe"' : 'node "%WORK%\\payload\\taipan\\taipan.cjs"';
  return [
    '@echo off',
    `rem Offline installer for the '${facts.envName}' environment, made by taipan bundle.`,
    'rem Usage: install.bat [PREFIX]',
    'setlocal',
    `set "PREFIX=%USERPROFILE%\\${facts.envName}"`,
    'if not "%~1"=="" set "PREFIX=%~f1"',
    `set "EXPECTED=${facts.payloadSha256}"`,
    'set "ACTUAL="',
    'for /f "skip=1 delims=" %%H in (\'certutil -hashfile "%~dp0payload.tar.gz" SHA256\') do if not defined ACTUAL set "ACTUAL=%%H"',
    'set "ACTUAL=%ACTUAL: =%"',
    'if /i not "%ACTUAL%"=="%EXPECTED%" (echo error: payload.tar.gz is corrupt, download the installer again & exit /b 1)',
    ...(facts.standalone === 'node' ? ['where node >nul 2>nul || (echo error: this installer needs Node.js 20 or newer on PATH & exit /b 1)'] : []),
    'set "WORK=%TEMP%\\taipan-install-%RANDOM%%RANDOM%"',
    'mkdir "%WORK%\\payload" || exit /b 1',
    'tar -xzf "%~dp0payload.tar.gz" -C "%WORK%\\payload" || exit /b 1',
    'set "TAIPAN_PKGS_DIRS=%WORK%\\payload\\pkgs"',
    'set "TAIPAN_OFFLINE=1"',
    `${runner} create -y -q -p "%PREFIX%" --file "%WORK%\\payload\\${facts.requestFile}"`,
    'set "RESULT=%ERRORLEVEL%"',
    'rmdir /s /q "%WORK%"',
    'if not "%RESULT%"=="0" exit /b %RESULT%',
    'copy /y "%~dp0activate.bat" "%PREFIX%\\Scripts\\activate.bat" >nul 2>nul || (mkdir "%PREFIX%\\Scripts" & copy /y "%~dp0activate.bat" "%PREFIX%\\Scripts\\activate.bat" >nul)',
    'echo done. To use the environment, run:',
    'echo     "%PREFIX%\\Scripts\\activate.bat"',
    '',
  ].join('\r\n');
}

/**
 * The machine-fingerprint scripts served at /deploy-kit/fingerprint.sh and /deploy-kit/fingerprint.bat, and the
 * same computation in TypeScript. The fingerprint is the SHA-256 (64 lower-case hex) of the UTF-8 string
 * `quantos-fingerprint-v1:` + the machine id, trimmed and lower-cased. Machine id: Linux `/etc/machine-id`
 * (else `/var/lib/dbus/machine-id`), macOS `IOPlatformUUID` (`ioreg -rd1 -c IOPlatformExpertDevice`), Windows
 * `MachineGuid` (`HKLM\SOFTWARE\Microsoft\Cryptography`). Never a MAC address (they change with network cards,
 * VPNs and containers, and identify hardware beyond what a licence needs). Nothing is sent anywhere: the user
 * copies the printed value into the licence request.
 */

/** The prefix hashed before the machine id (versions the scheme). */
const FINGERPRINT_PREFIX = "quantos-fingerprint-v1:";

/**
 * POSIX sh script printing the fingerprint (Linux, macOS): only the 64-hex line on stdout, explanations on
 * stderr, exit 1 with a message when no machine id or no SHA-256 tool (sha256sum, shasum, openssl) is found.
 * `QUANTOS_MACHINE_ID_FILE` names a file holding the id instead (containers, tests).
 */
export const FINGERPRINT_SH = `#!/bin/sh
# QuantOS machine fingerprint (${FINGERPRINT_PREFIX.slice(0, -1)}), Linux and macOS.
#
# Prints the SHA-256 (64 lower-case hex) of the text "${FINGERPRINT_PREFIX}<machine id>", the machine id
# trimmed and lower-cased. The machine id is read from:
#   - $QUANTOS_MACHINE_ID_FILE when set (a file holding the id: containers, tests);
#   - macOS: IOPlatformUUID of \`ioreg -rd1 -c IOPlatformExpertDevice\`;
#   - Linux: /etc/machine-id, else /var/lib/dbus/machine-id.
# Never a MAC address. Nothing is sent anywhere: copy the printed line into your licence request.
# Only the fingerprint goes to stdout; messages go to stderr. Exit status 1 when no machine id is found.
set -u
LC_ALL=C
export LC_ALL

die() {
  printf 'fingerprint.sh: %s\\n' "$1" >&2
  exit 1
}

raw=""
from=""
if [ -n "\${QUANTOS_MACHINE_ID_FILE:-}" ]; then
  [ -f "$QUANTOS_MACHINE_ID_FILE" ] && [ -r "$QUANTOS_MACHINE_ID_FILE" ] ||
    die "QUANTOS_MACHINE_ID_FILE=$QUANTOS_MACHINE_ID_FILE is not a readable file"
  raw=$(cat "$QUANTOS_MACHINE_ID_FILE") || die "cannot read $QUANTOS_MACHINE_ID_FILE"
  from="$QUANTOS_MACHINE_ID_FILE"
elif [ "$(uname -s 2>/dev/null)" = "Darwin" ]; then
  command -v ioreg >/dev/null 2>&1 || die "ioreg not found: cannot read this Mac's IOPlatformUUID"
  raw=$(ioreg -rd1 -c IOPlatformExpertDevice | awk -F'"' '/"IOPlatformUUID"/ { print $4; exit }')
  from="IOPlatformUUID (ioreg)"
else
  for f in /etc/machine-id /var/lib/dbus/machine-id; do
    if [ -f "$f" ] && [ -r "$f" ] && [ -s "$f" ]; then
      raw=$(cat "$f") || die "cannot read $f"
      from="$f"
      break
    fi
  done
fi

nl='
'
case $raw in
*"$nl"*) die "the machine id from \${from:-?} spans several lines" ;;
esac
id=$(printf '%s\\n' "$raw" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' | tr '[:upper:]' '[:lower:]')
[ -n "$id" ] || die "no machine id found (looked at /etc/machine-id, /var/lib/dbus/machine-id, and ioreg on macOS); set QUANTOS_MACHINE_ID_FILE to a file holding this machine's id"
case $id in
*[![:print:]]*) die "the machine id from $from has characters other than printable ASCII" ;;
esac

text="${FINGERPRINT_PREFIX}$id"
if command -v sha256sum >/dev/null 2>&1; then
  out=$(printf '%s' "$text" | sha256sum)
elif command -v shasum >/dev/null 2>&1; then
  out=$(printf '%s' "$text" | shasum -a 256)
elif command -v openssl >/dev/null 2>&1; then
  out=$(printf '%s' "$text" | openssl dgst -sha256)
else
  die "no SHA-256 tool found (install sha256sum, shasum or openssl)"
fi
hex=$(printf '%s\\n' "$out" | tr '[:upper:]' '[:lower:]' | sed -n 's/^.*\\([0-9a-f]\\{64\\}\\).*$/\\1/p' | head -n 1)
[ \${#hex} -eq 64 ] || die "the SHA-256 tool printed no 64-hex digest"
printf 'machine id from %s\\n' "$from" >&2
printf '%s\\n' "$hex"
`;

const BAT_LINES = [
  "@echo off",
  `rem QuantOS machine fingerprint (${FINGERPRINT_PREFIX.slice(0, -1)}), Windows.`,
  "rem",
  `rem Prints the SHA-256 (64 lower-case hex) of the text "${FINGERPRINT_PREFIX}" followed by the`,
  "rem MachineGuid of HKLM\\SOFTWARE\\Microsoft\\Cryptography trimmed and lower-cased, hashed as UTF-8 with no",
  "rem trailing newline (PowerShell, else certutil). Never a MAC address. Nothing is sent anywhere: copy the",
  "rem printed line into your licence request.",
  "setlocal EnableExtensions DisableDelayedExpansion",
  "rem Started by a double-click (cmd /c with this script's path): pause before the window closes, unless",
  "rem told not to (/nopause, or QUANTOS_NO_PAUSE set: for scripts and PowerShell). The prompt goes to stderr.",
  'set "QPAUSE="',
  'echo %cmdcmdline% | find /i "%~f0" >nul && set "QPAUSE=1"',
  'if /i "%~1"=="/nopause" set "QPAUSE="',
  'if defined QUANTOS_NO_PAUSE set "QPAUSE="',
  "setlocal EnableDelayedExpansion",
  'set "QMID="',
  'for /f "tokens=2,*" %%A in (\'reg query "HKLM\\SOFTWARE\\Microsoft\\Cryptography" /v MachineGuid /reg:64 2^>nul ^| findstr /i /c:"MachineGuid"\') do set "QMID=%%B"',
  'if not defined QMID for /f "tokens=2,*" %%A in (\'reg query "HKLM\\SOFTWARE\\Microsoft\\Cryptography" /v MachineGuid 2^>nul ^| findstr /i /c:"MachineGuid"\') do set "QMID=%%B"',
  "if not defined QMID (",
  "  echo fingerprint.bat: no MachineGuid found under HKLM\\SOFTWARE\\Microsoft\\Cryptography 1>&2",
  "  goto :fail",
  ")",
  "rem Trim spaces, then lower-case A-Z (cmd's substitution ignores case, so A=a turns A and a into a).",
  'for /f "tokens=* delims= " %%A in ("!QMID!") do set "QMID=%%A"',
  ":trim",
  'if defined QMID if "!QMID:~-1!"==" " (set "QMID=!QMID:~0,-1!" & goto :trim)',
  'for %%L in (a b c d e f g h i j k l m n o p q r s t u v w x y z) do set "QMID=!QMID:%%L=%%L!"',
  'set "QTEXT=' + FINGERPRINT_PREFIX + '!QMID!"',
  'set "QHASH="',
  "rem PowerShell: SHA-256 of the exact UTF-8 bytes of the text (no newline).",
  'for /f "usebackq delims=" %%H in (`powershell -NoProfile -NonInteractive -Command "$b = [Text.Encoding]::UTF8.GetBytes($env:QTEXT); $h = [Security.Cryptography.SHA256]::Create().ComputeHash($b); -join ($h | ForEach-Object { $_.ToString(\'x2\') })" 2^>nul`) do set "QHASH=%%H"',
  'if defined QHASH if not "!QHASH:~63,1!"=="" if "!QHASH:~64,1!"=="" goto :done',
  "rem certutil: hash a temporary file holding the text with no trailing newline (set /p writes none).",
  'set "QHASH="',
  'set "QFILE=%TEMP%\\quantos-fingerprint-%RANDOM%.txt"',
  '<nul set /p "=!QTEXT!" > "!QFILE!"',
  'for /f "skip=1 delims=" %%H in (\'certutil -hashfile "!QFILE!" SHA256\') do if not defined QHASH set "QHASH=%%H"',
  'del "!QFILE!" >nul 2>&1',
  "if not defined QHASH goto :nohash",
  'set "QHASH=!QHASH: =!"',
  'for %%L in (a b c d e f) do set "QHASH=!QHASH:%%L=%%L!"',
  'if "!QHASH:~63,1!"=="" goto :nohash',
  'if not "!QHASH:~64,1!"=="" goto :nohash',
  ":done",
  "echo !QHASH!",
  "if defined QPAUSE (echo Press any key to close this window. 1>&2 & pause >nul)",
  "exit /b 0",
  ":nohash",
  "echo fingerprint.bat: neither PowerShell nor certutil could compute SHA-256 1>&2",
  ":fail",
  "if defined QPAUSE (echo Press any key to close this window. 1>&2 & pause >nul)",
  "exit /b 1",
];

/**
 * Windows cmd script printing the fingerprint from the registry's MachineGuid (CRLF line endings, as cmd
 * needs); it pauses before closing when started by a double-click (not with `/nopause` or `QUANTOS_NO_PAUSE`),
 * its prompt on stderr so stdout holds only the fingerprint.
 */
export const FINGERPRINT_BAT = BAT_LINES.join("\r\n") + "\r\n";

/** SHA-256 hex of `"quantos-fingerprint-v1:" + id.trim().toLowerCase()` (UTF-8), as the scripts compute it. */
export async function fingerprintOfMachineId(id: string): Promise<string> {
  const bytes = new TextEncoder().encode(FINGERPRINT_PREFIX + id.trim().toLowerCase());
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  FINGERPRINT_BAT,
  FINGERPRINT_SH,
  fingerprintOfMachineId,
} from "../../../domain/licenses/fingerprint_scripts.ts";

const decoder = new TextDecoder();

Deno.test("fingerprintOfMachineId() is SHA-256 hex of the prefix + the trimmed, lower-cased id", async () => {
  const expected = createHash("sha256").update("quantos-fingerprint-v1:0123456789abcdef0123456789abcdef")
    .digest("hex");
  assert.equal(await fingerprintOfMachineId("0123456789abcdef0123456789abcdef"), expected);
  assert.equal(await fingerprintOfMachineId("  0123456789ABCDEF0123456789abcdef\r\n"), expected);
  assert.match(expected, /^[0-9a-f]{64}$/);
  assert.notEqual(await fingerprintOfMachineId("0123456789abcdef0123456789abcdee"), expected);
});

/** Runs `FINGERPRINT_SH` with `shell` (a name on --allow-run or an absolute path) and extra environment. */
async function runSh(shell: string, env: Record<string, string>, clearEnv = false) {
  await using dir = await tempDir();
  const script = `${dir.path}/fingerprint.sh`;
  await Deno.writeTextFile(script, FINGERPRINT_SH);
  const out = await new Deno.Command(shell, {
    args: [script],
    env,
    clearEnv,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

async function tempDir() {
  const path = await Deno.makeTempDir();
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** The absolute path of `tool` on this machine's PATH, or `null`. */
async function which(tool: string): Promise<string | null> {
  const out = await new Deno.Command("sh", { args: ["-c", 'command -v "$1"', "sh", tool], stdout: "piped" })
    .output();
  const path = decoder.decode(out.stdout).trim();
  return out.code === 0 && path.startsWith("/") ? path : null;
}

/** A directory holding symlinks to `tools` (made by sh: Deno.symlink needs unscoped permissions). */
async function binDir(parent: string, tools: string[]): Promise<string> {
  const bin = `${parent}/bin`;
  await Deno.mkdir(bin);
  for (const tool of tools) {
    const path = await which(tool);
    if (path === null) throw new Error(`${tool} not found`);
    const ln = await new Deno.Command("sh", { args: ["-c", 'ln -s "$1" "$2"', "sh", path, `${bin}/${tool}`] })
      .output();
    assert.equal(ln.code, 0);
  }
  return bin;
}

/** The tools the script needs besides a hasher. */
const BASE_TOOLS = ["cat", "sed", "tr", "head", "uname"];

const IDS = [
  "0123456789abcdef0123456789abcdef\n",
  "4C4C4544-0042-3510-8052-B4C04F564433",
  "  9f86d081884c7d659a2feaa0c55ad015 \r\n",
];

for (const shell of ["sh", "bash"]) {
  Deno.test(`fingerprint.sh under ${shell} prints fingerprintOfMachineId() of QUANTOS_MACHINE_ID_FILE`, async () => {
    await using dir = await tempDir();
    for (const id of IDS) {
      const file = `${dir.path}/machine-id`;
      await Deno.writeTextFile(file, id);
      const r = await runSh(shell, { QUANTOS_MACHINE_ID_FILE: file });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${await fingerprintOfMachineId(id)}\n`);
      assert.match(r.stderr, /machine id from/);
    }
  });
}

/** The hashers the script can use that this machine has (sha256sum, from coreutils, always). */
const HASHERS_HERE: string[] = [];
for (const hasher of ["sha256sum", "shasum", "openssl"]) if (await which(hasher)) HASHERS_HERE.push(hasher);

Deno.test("the machine running the tests has sh and sha256sum (so the script is run, not skipped)", async () => {
  assert.ok(await which("sh"));
  assert.ok(HASHERS_HERE.includes("sha256sum"), HASHERS_HERE.join(", "));
});

for (const hasher of HASHERS_HERE) {
  Deno.test(`fingerprint.sh with only ${hasher} on PATH gives the same fingerprint`, async () => {
    const sh = await which("sh");
    assert.ok(sh);
    await using dir = await tempDir();
    const bin = await binDir(dir.path, [...BASE_TOOLS, hasher]);
    const file = `${dir.path}/machine-id`;
    await Deno.writeTextFile(file, IDS[1]);
    const r = await runSh(sh, { PATH: bin, QUANTOS_MACHINE_ID_FILE: file }, true);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${await fingerprintOfMachineId(IDS[1])}\n`);
  });
}

Deno.test("fingerprint.sh exits 1 with a message when no SHA-256 tool is on PATH", async () => {
  const sh = await which("sh");
  assert.ok(sh !== null);
  await using dir = await tempDir();
  const bin = await binDir(dir.path, BASE_TOOLS);
  const file = `${dir.path}/machine-id`;
  await Deno.writeTextFile(file, IDS[0]);
  const r = await runSh(sh, { PATH: bin, QUANTOS_MACHINE_ID_FILE: file }, true);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /no SHA-256 tool found/);
});

/** A fake `uname` saying Darwin and a fake `ioreg` printing `ioregOutput`, in front of the real tools. */
async function fakeMac(parent: string, ioregOutput: string): Promise<string> {
  const bin = await binDir(parent, ["cat", "sed", "tr", "head", "awk", "sha256sum"]);
  await Deno.writeTextFile(`${bin}/uname`, "#!/bin/sh\necho Darwin\n");
  await Deno.writeTextFile(`${bin}/ioreg`, `#!/bin/sh\ncat <<'OUT'\n${ioregOutput}OUT\n`);
  await Deno.chmod(`${bin}/uname`, 0o755);
  await Deno.chmod(`${bin}/ioreg`, 0o755);
  return bin;
}

Deno.test("fingerprint.sh on macOS hashes IOPlatformUUID from ioreg, lower-cased", async () => {
  const sh = await which("sh");
  assert.ok(sh !== null);
  await using dir = await tempDir();
  const uuid = "564D1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B";
  const bin = await fakeMac(
    dir.path,
    `+-o Mac14,2  <class IOPlatformExpertDevice, id 0x100000123, registered, matched, active, busy 0 (0 ms), retain 37>
    {
      "IOPlatformSerialNumber" = "C02XXXXXXXXX"
      "IOPlatformUUID" = "${uuid}"
      "model" = <"Mac14,2">
    }
`,
  );
  const r = await runSh(sh, { PATH: bin }, true);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${await fingerprintOfMachineId(uuid)}\n`);
  assert.equal(await fingerprintOfMachineId(uuid), await fingerprintOfMachineId(uuid.toLowerCase()));
});

Deno.test("fingerprint.sh exits 1 with a clear message when no machine id is found", async (t) => {
  const sh = await which("sh");
  assert.ok(sh !== null);
  await using dir = await tempDir();
  await t.step("a Mac whose ioreg shows no IOPlatformUUID", async () => {
    const bin = await fakeMac(dir.path, "+-o nothing here\n");
    const r = await runSh(sh, { PATH: bin }, true);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /no machine id found .*QUANTOS_MACHINE_ID_FILE/);
  });
  await t.step("QUANTOS_MACHINE_ID_FILE missing, empty, or several lines", async () => {
    const empty = `${dir.path}/empty`;
    const lines = `${dir.path}/lines`;
    await Deno.writeTextFile(empty, " \n");
    await Deno.writeTextFile(lines, "abc\ndef\n");
    for (
      const [file, message] of [
        [`${dir.path}/absent`, /not a readable file/],
        [empty, /no machine id found/],
        [
          lines,
          /several lines/,
        ],
      ] as const
    ) {
      const r = await runSh("sh", { QUANTOS_MACHINE_ID_FILE: file });
      assert.equal(r.code, 1, file);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, message);
    }
  });
});

Deno.test("fingerprint.sh is a POSIX sh script with LF line endings that never reads MAC addresses", () => {
  assert.ok(FINGERPRINT_SH.startsWith("#!/bin/sh\n"));
  assert.ok(!FINGERPRINT_SH.includes("\r"));
  assert.ok(
    FINGERPRINT_SH.includes("/etc/machine-id") && FINGERPRINT_SH.includes("/var/lib/dbus/machine-id"),
  );
  assert.ok(
    FINGERPRINT_SH.includes("ioreg -rd1 -c IOPlatformExpertDevice") &&
      FINGERPRINT_SH.includes("IOPlatformUUID"),
  );
  assert.doesNotMatch(FINGERPRINT_SH, /\[\[ |==|\bfunction\b|\$\(\(/, "no bash-only syntax");
  for (const script of [FINGERPRINT_SH, FINGERPRINT_BAT]) {
    assert.doesNotMatch(
      script,
      /getmac|ifconfig|ipconfig|ip link|\/sys\/class\/net|MACAddress|Get-NetAdapter/i,
    );
  }
});

Deno.test("fingerprint.bat reads MachineGuid, hashes the same text lower-cased, and has CRLF line endings", () => {
  const bat = FINGERPRINT_BAT;
  assert.ok(bat.endsWith("\r\n"));
  assert.equal(bat.split("\r\n").some((line) => line.includes("\n")), false, "every line ends with CRLF");
  assert.ok(bat.includes('reg query "HKLM\\SOFTWARE\\Microsoft\\Cryptography" /v MachineGuid'));
  assert.ok(bat.includes('set "QTEXT=quantos-fingerprint-v1:!QMID!"'));
  // Lower-casing: every letter replaced by itself (cmd's substitution ignores case).
  assert.ok(
    bat.includes(
      'for %%L in (a b c d e f g h i j k l m n o p q r s t u v w x y z) do set "QMID=!QMID:%%L=%%L!"',
    ),
  );
  // PowerShell hashes the UTF-8 bytes of the text itself (no newline is added); certutil hashes a file
  // written by `set /p`, which writes no newline.
  assert.ok(bat.includes("[Text.Encoding]::UTF8.GetBytes($env:QTEXT)"));
  assert.ok(bat.includes("ToString('x2')"));
  assert.ok(bat.includes('<nul set /p "=!QTEXT!" > "!QFILE!"'));
  assert.ok(bat.includes("certutil -hashfile"));
  assert.ok(bat.includes('for %%L in (a b c d e f) do set "QHASH=!QHASH:%%L=%%L!"'));
  assert.ok(
    bat.includes('if "!QHASH:~63,1!"=="" goto :nohash') &&
      bat.includes('if not "!QHASH:~64,1!"=="" goto :nohash'),
  );
  assert.ok(bat.includes("exit /b 1"));
  assert.ok(bat.includes("/reg:64"), "the 64-bit registry view, also from a 32-bit cmd");
  assert.doesNotMatch(bat, /(^|\r\n)rem [^\r\n]*[<>|]/i, "no redirection characters in rem lines");
  // The double-click pause: skipped with /nopause or QUANTOS_NO_PAUSE; its prompt on stderr, pause silenced,
  // so stdout holds only the fingerprint line.
  assert.ok(bat.includes('if /i "%~1"=="/nopause" set "QPAUSE="'));
  assert.ok(bat.includes('if defined QUANTOS_NO_PAUSE set "QPAUSE="'));
  assert.ok(bat.includes("1>&2 & pause >nul"));
  assert.doesNotMatch(bat, /(^|\r\n)if defined QPAUSE pause\r\n/, "no bare pause writing to stdout");
});

import assert from "node:assert/strict";
import {
  createLicenseSigner,
  generateSigningKey,
  issueLicenseFile,
  type LicenseSigner,
} from "../../domain/licenses/license_file.ts";
import { runVerifyLicenseCli, VERIFY_LICENSE_USAGE } from "../../scripts/verify_license.ts";
import { REPO_DIR, restrictedTaskArgs } from "../_helpers/task_command.ts";

const FINGERPRINT = "5e".repeat(32);
const decoder = new TextDecoder();

/** UTC date `days` from today (the CLI checks expiry against the real date). */
function utcDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A temp dir holding a licence in both forms and the public key beside them. */
async function licenceDir(expires = utcDay(365), signer?: LicenseSigner) {
  const dir = await Deno.makeTempDir();
  const key = signer ?? await createLicenseSigner(await generateSigningKey());
  const file = await issueLicenseFile({
    license_id: "lic_cli",
    customer: "Acme Corp",
    fingerprint: FINGERPRINT,
    expires,
    max_cores: 8,
    max_memory_gb: 32,
    issued_at: "2026-05-14T07:15:41.000Z",
    issuer: "Quantedge",
  }, key);
  await Deno.writeTextFile(`${dir}/quantos.lic`, file.armored);
  await Deno.writeTextFile(`${dir}/license.json`, file.json);
  await Deno.writeTextFile(`${dir}/license-public-key.pem`, key.publicKeyPem);
  return {
    dir,
    signer: key,
    ...file,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/**
 * `deno task verify-license …` as a child under the task's own permissions (reads narrowed to the repo + dir),
 * with `$QUANTOS_LICENSE_PUBLIC_KEY` naming the platform key saved in `dir` unless `env` says otherwise.
 */
async function runTask(dir: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: await restrictedTaskArgs("verify-license", { read: [dir] }, args),
    cwd: REPO_DIR,
    env: { NO_COLOR: "1", QUANTOS_LICENSE_PUBLIC_KEY: `${dir}/license-public-key.pem`, ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("deno task verify-license: the task asks only for reads and the one variable", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(
    config.tasks["verify-license"],
    "deno run --allow-read --allow-env=QUANTOS_LICENSE_PUBLIC_KEY scripts/verify_license.ts",
  );
});

Deno.test("deno task verify-license exits 0 for an untouched licence in both forms", async () => {
  await using t = await licenceDir();
  const armored = await runTask(t.dir, [`${t.dir}/quantos.lic`]);
  assert.equal(armored.code, 0, armored.stderr);
  assert.match(armored.stdout, /^ok {4}format {6}canonical armored quantos-license-v1 file$/m);
  assert.match(armored.stdout, /^ok {4}signature /m);
  assert.match(armored.stdout, /^ok {4}expiry /m);
  assert.match(armored.stdout, /^skip {2}fingerprint not checked/m);
  assert.match(armored.stdout, /^verdict: VALID$/m);
  const json = await runTask(t.dir, [`${t.dir}/license.json`, "--fingerprint", FINGERPRINT.toUpperCase()]);
  assert.equal(json.code, 0, json.stderr);
  assert.match(json.stdout, /^ok {4}fingerprint matches/m);
});

Deno.test("deno task verify-license exits 1 for each tampering, another key, expiry and another fingerprint", async () => {
  await using t = await licenceDir();
  await using expired = await licenceDir(utcDay(-1), t.signer);
  const other = await createLicenseSigner(await generateSigningKey());
  await Deno.writeTextFile(`${t.dir}/other.pem`, other.publicKeyPem);
  const mid = Math.floor(t.armored.length / 2);
  const flip = (s: string, i: number) =>
    s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ 1) + s.slice(i + 1);
  const cases: [string, string, string[], RegExp][] = [
    ["a byte flipped in the payload", flip(t.armored, mid), [], /FAIL {2}format/],
    ["a header changed", t.armored.replace("Max-Cores: 8", "Max-Cores: 9"), [], /Max-Cores/],
    ["truncated", t.armored.slice(0, -1), [], /FAIL {2}format/],
    ["a byte appended", t.armored + "\n", [], /FAIL {2}format/],
    ["CRLF line endings", t.armored.replaceAll("\n", "\r\n"), [], /CRLF/],
    ["a JSON field changed", t.json.replace('"max_cores": 8', '"max_cores": 9'), [], /max_cores/],
    ["another key", t.armored, ["--public-key", `${t.dir}/other.pem`], /FAIL {2}signature/],
    ["another fingerprint", t.armored, ["--fingerprint", "ab".repeat(32)], /FAIL {2}fingerprint/],
  ];
  for (const [what, text, extra, message] of cases) {
    const file = `${t.dir}/case.lic`;
    await Deno.writeTextFile(file, text);
    const r = await runTask(t.dir, [file, ...extra]);
    assert.equal(r.code, 1, `${what}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, message, what);
    assert.match(r.stdout, /^verdict: INVALID \(/m, what);
  }
  const late = await runTask(expired.dir, [`${expired.dir}/license.json`]);
  assert.equal(late.code, 1, late.stdout);
  assert.match(late.stdout, /^FAIL {2}expiry {6}expired: valid through /m);
});

Deno.test("deno task verify-license exits 2 for a missing key, a missing file and bad usage", async () => {
  await using t = await licenceDir();
  await Deno.remove(`${t.dir}/license-public-key.pem`);
  const noKey = await runTask(t.dir, [`${t.dir}/quantos.lic`]);
  assert.equal(noKey.code, 2);
  assert.equal(noKey.stdout, "");
  assert.match(noKey.stderr, /cannot read public key .*license-public-key\.pem/);
  const unnamed = await runTask(t.dir, [`${t.dir}/quantos.lic`], { QUANTOS_LICENSE_PUBLIC_KEY: "" });
  assert.equal(unnamed.code, 2);
  assert.match(unnamed.stderr, /give the platform's public key with --public-key FILE/);
  const noFile = await runTask(t.dir, [`${t.dir}/absent.lic`]);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /cannot read licence file/);
  const usage = await runTask(t.dir, []);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: deno task verify-license/);
  const help = await runTask(t.dir, ["--help"]);
  assert.equal(help.code, 0);
  assert.equal(help.stdout, VERIFY_LICENSE_USAGE + "\n");
});

Deno.test("deno task verify-license takes the key from $QUANTOS_LICENSE_PUBLIC_KEY", async () => {
  await using t = await licenceDir();
  await Deno.rename(`${t.dir}/license-public-key.pem`, `${t.dir}/platform.pem`);
  const r = await runTask(t.dir, [`${t.dir}/quantos.lic`], {
    QUANTOS_LICENSE_PUBLIC_KEY: `${t.dir}/platform.pem`,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /platform\.pem/);
});

Deno.test("runVerifyLicenseCli() refuses bad arguments and keys with exit 2", async (t) => {
  await using lic = await licenceDir();
  const file = `${lic.dir}/quantos.lic`;
  const today = utcDay(0);
  await Deno.writeTextFile(
    `${lic.dir}/bad.pem`,
    "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
  );
  const cases: [string, string[], RegExp][] = [
    ["two files", [file, file], /exactly one licence file/],
    ["an unknown option", [file, "--fingerprints", FINGERPRINT], /Unknown option/],
    ["a short fingerprint", [file, "--fingerprint", "abc"], /64 hex/],
    ["a key that is not Ed25519", [file, "--public-key", `${lic.dir}/bad.pem`], /not an Ed25519 SPKI key/],
    ["a directory as the licence", [lic.dir], /is not a file/],
  ];
  for (const [what, args, message] of cases) {
    await t.step(what, async () => {
      const r = await runVerifyLicenseCli(args, undefined, today);
      assert.equal(r.code, 2);
      assert.deepEqual(r.stdout, []);
      assert.match(r.stderr.join("\n"), message);
    });
  }
  await t.step(
    "without --public-key or the variable, no key is trusted: not even one beside the licence",
    async () => {
      const r = await runVerifyLicenseCli([file], "", today);
      assert.equal(r.code, 2);
      assert.match(r.stderr.join("\n"), /give the platform's public key/);
    },
  );
  await t.step(
    "a forger's key beside a forged licence proves nothing: the platform's key refuses it",
    async () => {
      const forger = await createLicenseSigner(await generateSigningKey());
      await using forged = await licenceDir(utcDay(3650), forger);
      const own = await runVerifyLicenseCli(
        [`${forged.dir}/quantos.lic`],
        `${lic.dir}/license-public-key.pem`,
        today,
      );
      assert.equal(own.code, 1);
      assert.match(own.stdout.join("\n"), /FAIL {2}signature/);
    },
  );
  await t.step(
    "--key-id pins the key: the key's id is printed, another id is INVALID, a malformed one usage",
    async () => {
      const key = `${lic.dir}/license-public-key.pem`;
      const ok = await runVerifyLicenseCli(
        [file, "--public-key", key, "--key-id", lic.signer.keyId],
        undefined,
        today,
      );
      assert.equal(ok.code, 0, ok.stderr.join("\n"));
      assert.equal(ok.stdout[1], `public key:   ${key} (key id ${lic.signer.keyId})`);
      const other = await runVerifyLicenseCli(
        [file, "--public-key", key, "--key-id", "0".repeat(16)],
        undefined,
        today,
      );
      assert.equal(other.code, 1);
      assert.match(other.stdout.join("\n"), /INVALID \(the key's id is not 0{16}\)/);
      const bad = await runVerifyLicenseCli([file, "--public-key", key, "--key-id", "xyz"], undefined, today);
      assert.equal(bad.code, 2);
    },
  );
});

/** The licence signing key: configured, or generated once into KV settings (one key under concurrent first use). */
import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../../domain/config.ts";
import { createLicenseSigner, generateSigningKey } from "../../../domain/licenses/license_file.ts";
import { licenseSignerSource } from "../../../domain/licenses/signing_key.ts";
import { keys } from "../../../domain/store/keys.ts";
import { createSettingsRepo } from "../../../domain/store/settings_repo.ts";
import { openTestWorld } from "../../_helpers/test_app.ts";

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

Deno.test("licenseSignerSource() generates one key even when several processes use it first at once", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const logs: string[] = [];
    const log = (_level: string, msg: string, fields?: Record<string, unknown>) =>
      logs.push(`${msg} ${JSON.stringify(fields ?? {})}`);
    // Three "processes" (separate sources over the same KV), each asked twice concurrently.
    const sources = [0, 1, 2].map(() => licenseSignerSource(undefined, createSettingsRepo(kv), log));
    const signers = await Promise.all(sources.flatMap((s) => [s(), s()]));
    assert.equal(new Set(signers.map((s) => s.keyId)).size, 1);
    const stored = (await kv.get<string>(keys.setting("license_signing_key"))).value!;
    assert.equal(
      (await createLicenseSigner(Uint8Array.from(atob(stored), (c) => c.charCodeAt(0)))).keyId,
      signers[0].keyId,
    );
    // A later process reads the same key.
    assert.equal(
      (await licenseSignerSource(undefined, createSettingsRepo(kv), log)()).keyId,
      signers[0].keyId,
    );
    // The key is never logged (only its id).
    assert.ok(logs.length >= 1);
    for (const line of logs) assert.ok(!line.includes(stored), line);
  } finally {
    kv.close();
  }
});

Deno.test("LICENSE_SIGNING_KEY is used when configured (and nothing is stored in KV)", async () => {
  const pkcs8 = await generateSigningKey();
  const expected = (await createLicenseSigner(pkcs8)).keyId;
  const w = await openTestWorld({ LICENSE_SIGNING_KEY: base64(pkcs8) });
  try {
    const res = await w.request("GET", "/api/v1/deploy/license-public-key");
    assert.equal(res.status, 200);
    assert.equal((await res.json()).key_id, expected);
    assert.equal((await w.kv.get(keys.setting("license_signing_key"))).value, null);
    for (const entry of w.logs) assert.ok(!JSON.stringify(entry).includes(base64(pkcs8)));
  } finally {
    await w.close();
  }
});

Deno.test("parseConfig() refuses a LICENSE_SIGNING_KEY that is not base64 Ed25519 PKCS#8", () => {
  for (const bad of ["not base64!", "AAAA", btoa("x".repeat(48))]) {
    assert.throws(() => parseConfig({ LICENSE_SIGNING_KEY: bad }), (e) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /LICENSE_SIGNING_KEY: Expected the base64 of an Ed25519 private key/);
      // The refused value is not echoed.
      assert.ok(!e.message.includes(bad));
      return true;
    });
  }
});

Deno.test("parseConfig() reads the QuantOS image URLs and refuses anything but absolute http(s) URLs", () => {
  const config = parseConfig({
    QUANTOS_IMAGE_URL_AMD64: "https://downloads.example.com/quantos-amd64.tar.gz",
  });
  assert.deepEqual(config.licenses.imageUrls, {
    amd64: "https://downloads.example.com/quantos-amd64.tar.gz",
    arm64: undefined,
  });
  assert.equal(config.licenses.signingKey, undefined);
  for (const bad of ["ftp://x.example/quantos.tar.gz", "/relative/quantos.tar.gz", "javascript:alert(1)"]) {
    assert.throws(
      () => parseConfig({ QUANTOS_IMAGE_URL_ARM64: bad }),
      /QUANTOS_IMAGE_URL_ARM64: Expected an absolute http:\/\/ or https:\/\/ URL/,
    );
  }
});

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ValidationError } from "../../../domain/errors.ts";
import {
  createLicenseSigner,
  generateSigningKey,
  issueLicenseFile,
  LICENSE_FORMAT,
  type LicensePayload,
  type LicenseSigner,
  verifyLicenseFile,
} from "../../../domain/licenses/license_file.ts";

/** A test-only Ed25519 key (PKCS#8, base64); its public key's SHA-256 starts ea1b7b023dce0074. */
const TEST_PKCS8_B64 = "MC4CAQAwBQYDK2VwBCIEINIyB+vz4MFgP19IREQ7GEGYrGj5jiMYNNYXAFEk//mu";
const TEST_PUBLIC_RAW_B64 = "6WKElheA9K82gWj5EZzN9Xj75gvVmo2oYbBtEOkJh6w=";

function fromB64(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

const FIELDS = {
  license_id: "lic_0JQ8ZK3M7Q4A1B2C3D4E5F6G",
  customer: "Acme Corp",
  fingerprint: "3b".repeat(32),
  expires: "2027-06-30",
  max_cores: 16,
  max_memory_gb: 64,
  issued_at: "2026-05-14T07:15:41.000Z",
  issuer: "Quantedge",
} satisfies Omit<LicensePayload, "format" | "key_id">;

/**
 * The armored file of FIELDS under the test key. Ed25519 signatures are deterministic, so this is exact; it
 * was also checked independently: the payload base64-decoded and the signature verified with
 * `openssl pkeyutl -verify -pubin -rawin` against the PEM below.
 */
const GOLDEN_ARMORED = `-----BEGIN QUANTOS LICENSE-----
Format: quantos-license-v1
Key-Id: ea1b7b023dce0074
License-Id: lic_0JQ8ZK3M7Q4A1B2C3D4E5F6G
Customer: "Acme Corp"
Fingerprint: 3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b
Expires: 2027-06-30
Max-Cores: 16
Max-Memory-GB: 64

eyJmb3JtYXQiOiJxdWFudG9zLWxpY2Vuc2UtdjEiLCJsaWNlbnNlX2lkIjoibGlj
XzBKUThaSzNNN1E0QTFCMkMzRDRFNUY2RyIsImN1c3RvbWVyIjoiQWNtZSBDb3Jw
IiwiZmluZ2VycHJpbnQiOiIzYjNiM2IzYjNiM2IzYjNiM2IzYjNiM2IzYjNiM2Iz
YjNiM2IzYjNiM2IzYjNiM2IzYjNiM2IzYjNiM2IzYjNiIiwiZXhwaXJlcyI6IjIw
MjctMDYtMzAiLCJtYXhfY29yZXMiOjE2LCJtYXhfbWVtb3J5X2diIjo2NCwiaXNz
dWVkX2F0IjoiMjAyNi0wNS0xNFQwNzoxNTo0MS4wMDBaIiwiaXNzdWVyIjoiUXVh
bnRlZGdlIiwia2V5X2lkIjoiZWExYjdiMDIzZGNlMDA3NCJ9
=gxJaDqn+Ovgn7Z4DbzT6IxRpmSPwaaSp9x+NhuGabdHkAV90vDI164yeDK64xMIZ1sdYnKWxgEJI2YuW0QkcBg==
-----END QUANTOS LICENSE-----
`;
const GOLDEN_PEM = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA6WKElheA9K82gWj5EZzN9Xj75gvVmo2oYbBtEOkJh6w=
-----END PUBLIC KEY-----
`;

const TODAY = "2026-05-14";
const enc = new TextEncoder();

async function testSigner(): Promise<LicenseSigner> {
  return await createLicenseSigner(fromB64(TEST_PKCS8_B64));
}

async function issued(fields: Partial<typeof FIELDS> = {}) {
  const signer = await testSigner();
  return { signer, ...(await issueLicenseFile({ ...FIELDS, ...fields }, signer)) };
}

Deno.test("createLicenseSigner() derives the public key, its PEM and key_id = SHA-256(raw key)[:16]", async () => {
  const signer = await testSigner();
  assert.equal(signer.publicKeyRaw.length, 32);
  assert.deepEqual(signer.publicKeyRaw, fromB64(TEST_PUBLIC_RAW_B64));
  const expectedId = createHash("sha256").update(fromB64(TEST_PUBLIC_RAW_B64)).digest("hex").slice(0, 16);
  assert.equal(expectedId, "ea1b7b023dce0074");
  assert.equal(signer.keyId, expectedId);
  assert.equal(signer.publicKeyPem, GOLDEN_PEM);
});

Deno.test("generateSigningKey() makes a fresh PKCS#8 Ed25519 key each time", async () => {
  const [a, b] = [await generateSigningKey(), await generateSigningKey()];
  assert.notDeepEqual(a, b);
  const [sa, sb] = [await createLicenseSigner(a), await createLicenseSigner(b)];
  assert.match(sa.keyId, /^[0-9a-f]{16}$/);
  assert.notEqual(sa.keyId, sb.keyId);
});

Deno.test("createLicenseSigner() refuses bytes that are not an Ed25519 PKCS#8 key", async () => {
  await assert.rejects(createLicenseSigner(enc.encode("not a key")), ValidationError);
  const p256 = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
  const p256Pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", p256.privateKey));
  await assert.rejects(createLicenseSigner(p256Pkcs8), ValidationError);
});

Deno.test("issueLicenseFile() renders the exact armored block (golden) and the canonical license.json", async () => {
  const { payload, armored, json } = await issued();
  assert.equal(armored, GOLDEN_ARMORED);
  assert.deepEqual(payload, { format: LICENSE_FORMAT, ...FIELDS, key_id: "ea1b7b023dce0074" });
  // Payload bytes: compact JSON in the fixed key order.
  const b64 = armored.split("\n\n")[1].split("\n=")[0].replaceAll("\n", "");
  assert.equal(
    new TextDecoder().decode(fromB64(b64)),
    '{"format":"quantos-license-v1","license_id":"lic_0JQ8ZK3M7Q4A1B2C3D4E5F6G","customer":"Acme Corp",' +
      '"fingerprint":"3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b","expires":"2027-06-30",' +
      '"max_cores":16,"max_memory_gb":64,"issued_at":"2026-05-14T07:15:41.000Z","issuer":"Quantedge",' +
      '"key_id":"ea1b7b023dce0074"}',
  );
  assert.ok(armored.split("\n").every((l) => l.length <= 89), "payload lines at most 64, signature line 89");
  const doc = JSON.parse(json);
  assert.deepEqual(Object.keys(doc), [
    "format",
    "license_id",
    "customer",
    "fingerprint",
    "expires",
    "max_cores",
    "max_memory_gb",
    "issued_at",
    "issuer",
    "key_id",
    "signature",
    "armored",
  ]);
  assert.equal(doc.armored, GOLDEN_ARMORED);
  assert.equal(doc.signature, GOLDEN_ARMORED.split("\n=")[1].split("\n")[0]);
  assert.equal(json, JSON.stringify(doc, null, 2) + "\n");
});

Deno.test("issueLicenseFile() lower-cases the fingerprint and escapes a non-ASCII customer in the header", async () => {
  const { payload, armored } = await issued({
    customer: 'Acme — 北京 "Q" Ltd',
    fingerprint: "AB".repeat(32),
  });
  assert.equal(payload.fingerprint, "ab".repeat(32));
  assert.ok(armored.includes('Customer: "Acme \\u2014 \\u5317\\u4eac \\"Q\\" Ltd"\n'));
  assert.ok(/^[\x20-\x7e\n]*$/.test(armored), "the armored block is printable ASCII");
  const check = await verifyLicenseFile(armored, GOLDEN_PEM, { today: TODAY });
  assert.equal(check.ok, true);
  assert.equal(check.payload?.customer, 'Acme — 北京 "Q" Ltd');
});

Deno.test("issueLicenseFile() refuses invalid fields, naming each", async (t) => {
  const signer = await testSigner();
  const cases: [string, Partial<typeof FIELDS>][] = [
    ["fingerprint", { fingerprint: "abc" }],
    ["fingerprint", { fingerprint: "g".repeat(64) }],
    ["expires", { expires: "2027-02-30" }],
    ["max_cores", { max_cores: 0 }],
    ["max_memory_gb", { max_memory_gb: 1.5 }],
    ["customer", { customer: "" }],
    ["customer", { customer: " padded" }],
    ["customer", { customer: "a\nb" }],
    ["customer", { customer: "x".repeat(201) }],
    ["customer", { customer: "bad \ud800 surrogate" }],
    ["license_id", { license_id: "has space" }],
    ["issued_at", { issued_at: "2026-05-14 07:15:41" }],
    ["issuer", { issuer: "" }],
  ];
  for (const [field, change] of cases) {
    await t.step(`${field} ${JSON.stringify(change)}`, async () => {
      const e = await issueLicenseFile({ ...FIELDS, ...change }, signer).then(() => null, (e) => e);
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(e.loc, [field]);
    });
  }
});

Deno.test("verifyLicenseFile() accepts both untouched forms, as text and as bytes", async () => {
  const { armored, json, payload } = await issued();
  for (const text of [armored, json, enc.encode(armored), enc.encode(json)]) {
    const r = await verifyLicenseFile(text, GOLDEN_PEM, { today: TODAY, fingerprint: FIELDS.fingerprint });
    assert.equal(r.ok, true, JSON.stringify(r.checks));
    assert.deepEqual(r.payload, payload);
    assert.deepEqual(r.checks.map((c) => [c.name, c.ok]), [
      ["format", true],
      ["signature", true],
      ["expiry", true],
      ["fingerprint", true],
    ]);
  }
  assert.equal((await verifyLicenseFile(armored, GOLDEN_PEM, { today: TODAY })).form, "armored");
  assert.equal((await verifyLicenseFile(json, GOLDEN_PEM, { today: TODAY })).form, "json");
});

/** Every single-byte change of `bytes` (XOR 0x01 at each position, and a space at each non-space one). */
function* singleByteChanges(bytes: Uint8Array): Generator<[string, Uint8Array]> {
  for (let i = 0; i < bytes.length; i++) {
    const flipped = bytes.slice();
    flipped[i] ^= 0x01;
    yield [`byte ${i} xor 0x01`, flipped];
    if (bytes[i] !== 0x20) {
      const spaced = bytes.slice();
      spaced[i] = 0x20;
      yield [`byte ${i} → space`, spaced];
    }
  }
}

for (const form of ["armored", "json"] as const) {
  Deno.test(`verifyLicenseFile() fails for every single-byte change of the ${form} form`, async () => {
    const file = await issued({ customer: "Acme — 北京 Ltd" });
    const bytes = enc.encode(file[form]);
    const spaces = bytes.filter((b) => b === 0x20).length;
    let tried = 0;
    const passed: string[] = [];
    for (const [what, changed] of singleByteChanges(bytes)) {
      tried++;
      const r = await verifyLicenseFile(changed, GOLDEN_PEM, {
        today: TODAY,
        fingerprint: FIELDS.fingerprint,
      });
      if (r.ok || r.checks.every((c) => c.ok)) passed.push(what);
    }
    assert.equal(tried, 2 * bytes.length - spaces);
    // The counts are exact: the fields and the key are fixed and Ed25519 signatures are deterministic.
    assert.deepEqual([bytes.length, tried], form === "armored" ? [872, 1729] : [1396, 2738]);
    assert.deepEqual(passed, [], `${passed.length} of ${tried} changes verified`);
  });
}

Deno.test("verifyLicenseFile() fails a signature whose base64 differs only in its padding bits", async () => {
  const { armored } = await issued();
  // 64 bytes = 86 base64 characters + "=="; the last character carries 2 data bits and 4 padding bits.
  const sigLine = armored.split("\n").find((l) => l.startsWith("="))!;
  const last = sigLine[sigLine.length - 3];
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const sameBits = alphabet[alphabet.indexOf(last) ^ 0x01];
  const tampered = armored.replace(sigLine, sigLine.slice(0, -3) + sameBits + "==");
  const r = await verifyLicenseFile(tampered, GOLDEN_PEM, { today: TODAY });
  assert.equal(r.ok, false);
  assert.deepEqual(r.checks.map((c) => [c.name, c.ok]), [["format", false], ["signature", true], [
    "expiry",
    true,
  ]]);
  assert.match(r.checks[0].detail, /canonical/);
});

Deno.test("verifyLicenseFile() fails every truncation and every appended byte", async () => {
  const { armored, json } = await issued();
  for (const text of [armored, json]) {
    for (let n = 0; n < text.length; n++) {
      assert.equal(
        (await verifyLicenseFile(text.slice(0, n), GOLDEN_PEM, { today: TODAY })).ok,
        false,
        `${n}`,
      );
    }
    for (const extra of ["\n", " ", "x", "\r\n", "\u0000"]) {
      assert.equal((await verifyLicenseFile(text + extra, GOLDEN_PEM, { today: TODAY })).ok, false);
    }
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode(text)]);
    assert.equal((await verifyLicenseFile(withBom, GOLDEN_PEM, { today: TODAY })).ok, false, "a BOM");
    const invalidUtf8 = new Uint8Array([...enc.encode(text), 0xff]);
    assert.equal((await verifyLicenseFile(invalidUtf8, GOLDEN_PEM, { today: TODAY })).ok, false);
  }
});

Deno.test("verifyLicenseFile() rejects CRLF line endings (the file is byte-exact; convert back to LF)", async () => {
  const { armored, json } = await issued();
  const crlf = armored.replaceAll("\n", "\r\n");
  const r = await verifyLicenseFile(crlf, GOLDEN_PEM, { today: TODAY });
  assert.equal(r.ok, false);
  assert.match(r.checks[0].detail, /CRLF/);
  assert.equal(
    (await verifyLicenseFile(json.replaceAll("\n", "\r\n"), GOLDEN_PEM, { today: TODAY })).ok,
    false,
  );
});

Deno.test("verifyLicenseFile() fails with another key, naming both key ids", async () => {
  const { armored, json } = await issued();
  const other = await createLicenseSigner(await generateSigningKey());
  for (const text of [armored, json]) {
    const r = await verifyLicenseFile(text, other.publicKeyPem, { today: TODAY });
    assert.equal(r.ok, false);
    assert.equal(r.payload, null);
    assert.deepEqual(r.checks.map((c) => [c.name, c.ok]), [["format", true], ["signature", false], [
      "expiry",
      true,
    ]]);
    assert.ok(r.checks[1].detail.includes(other.keyId) && r.checks[1].detail.includes("ea1b7b023dce0074"));
  }
});

Deno.test("verifyLicenseFile() fails a file re-signed by another key that claims the platform's key id", async () => {
  const forger = await createLicenseSigner(await generateSigningKey());
  const forged = await issueLicenseFile(FIELDS, { ...forger, keyId: "ea1b7b023dce0074" });
  const r = await verifyLicenseFile(forged.armored, GOLDEN_PEM, { today: TODAY });
  assert.deepEqual(r.checks.map((c) => [c.name, c.ok]), [["format", true], ["signature", false], [
    "expiry",
    true,
  ]]);
  assert.equal(r.ok, false);
});

Deno.test("verifyLicenseFile() is valid through the expires day (UTC) and fails the day after", async () => {
  const { armored, json } = await issued();
  for (const text of [armored, json]) {
    assert.equal((await verifyLicenseFile(text, GOLDEN_PEM, { today: "2027-06-30" })).ok, true);
    const after = await verifyLicenseFile(text, GOLDEN_PEM, { today: "2027-07-01" });
    assert.equal(after.ok, false);
    assert.deepEqual(after.checks.find((c) => c.name === "expiry")?.ok, false);
    assert.ok(after.payload !== null, "an expired licence is still authentic");
  }
});

Deno.test("verifyLicenseFile() compares the fingerprint case-insensitively and fails another one", async () => {
  const { armored, json } = await issued();
  for (const text of [armored, json]) {
    const upper = await verifyLicenseFile(text, GOLDEN_PEM, { today: TODAY, fingerprint: "3B".repeat(32) });
    assert.equal(upper.ok, true);
    for (const fingerprint of ["3c".repeat(32), "3b".repeat(31), "zz".repeat(32), ""]) {
      const r = await verifyLicenseFile(text, GOLDEN_PEM, { today: TODAY, fingerprint });
      assert.equal(r.ok, false, fingerprint);
      assert.equal(r.checks.find((c) => c.name === "fingerprint")?.ok, false);
    }
  }
});

Deno.test("verifyLicenseFile() fails a JSON form whose fields disagree with its armored block", async () => {
  const { json } = await issued();
  const doc = JSON.parse(json);
  for (
    const change of [{ max_cores: 4096 }, { customer: "Other" }, { expires: "2099-12-31" }, { extra: 1 }]
  ) {
    const text = JSON.stringify({ ...doc, ...change }, null, 2) + "\n";
    const r = await verifyLicenseFile(text, GOLDEN_PEM, { today: TODAY });
    assert.equal(r.ok, false, JSON.stringify(change));
    assert.equal(r.checks[0].ok, false);
  }
  const { signature, ...rest } = doc;
  const moved = JSON.stringify({ signature, ...rest }, null, 2) + "\n";
  assert.equal((await verifyLicenseFile(moved, GOLDEN_PEM, { today: TODAY })).ok, false);
  const compact = JSON.stringify(doc) + "\n";
  assert.equal((await verifyLicenseFile(compact, GOLDEN_PEM, { today: TODAY })).ok, false);
});

Deno.test("verifyLicenseFile() says what it could not read and checks nothing else", async () => {
  for (const text of ["", "hello", "{}", "[1]", "-----BEGIN QUANTOS LICENSE-----\n"]) {
    const r = await verifyLicenseFile(text, GOLDEN_PEM, { today: TODAY, fingerprint: FIELDS.fingerprint });
    assert.equal(r.ok, false);
    assert.equal(r.payload, null);
    assert.deepEqual(r.checks.map((c) => c.ok), [false, false, false, false]);
    assert.match(r.checks[1].detail, /not checked/);
  }
  const huge = "{" + " ".repeat(100_000) + "}";
  assert.match((await verifyLicenseFile(huge, GOLDEN_PEM, { today: TODAY })).checks[0].detail, /longer/);
});

Deno.test("verifyLicenseFile() throws ValidationError for a public key that is not Ed25519 SPKI PEM, or a bad today", async () => {
  const { armored } = await issued();
  await assert.rejects(verifyLicenseFile(armored, "nonsense", { today: TODAY }), ValidationError);
  const p256 = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", p256.publicKey));
  const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...spki))}\n-----END PUBLIC KEY-----\n`;
  await assert.rejects(verifyLicenseFile(armored, pem, { today: TODAY }), ValidationError);
  await assert.rejects(verifyLicenseFile(armored, GOLDEN_PEM, { today: "2026-5-14" }), ValidationError);
  // A PEM with CRLF line endings (saved on Windows) is still the same key.
  const crlfPem = GOLDEN_PEM.replaceAll("\n", "\r\n");
  assert.equal((await verifyLicenseFile(armored, crlfPem, { today: TODAY })).ok, true);
});

/**
 * Conformance with the QuantGPT Cloud guide (`002_ff083b1df4fa4df6.txt`), section "QuantOS License": every
 * example replayed at the paths written — the machine fingerprint from the served `/deploy-kit/fingerprint.sh`
 * (run with bash against a machine-id file), "Apply for a License" (201 pending, 409 while pending, GET with and
 * without a request), an admin's approval or rejection (with `admin_reply`, and a new request afterwards),
 * "View / Download License & Image" (`my-license` with and without a licence, `license.json` and the armored
 * form verified offline with the key of `GET /api/v1/deploy/license-public-key`, any changed byte or another
 * fingerprint refused, the image's 302 per architecture, 404 when unset, 403 unlicensed), and the account tier
 * ("licensed | 20 | Admin-assigned after QuantOS purchase", back to free at the expiry job).
 *
 * The world's clock stands at 2026-05-14T01:00Z. Fields beyond the document's (note, decided_at, expired,
 * key_id, the admin routes) are the shared contract's (issue 16).
 */
import assert from "node:assert/strict";
import { assertDocumentShape } from "../_helpers/document_shape.ts";
import { assert422, assertDetail } from "../_helpers/identity.ts";
import { keyedClient, type PaperClient, savePromoted } from "../_helpers/paper_client.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";
import { verifyLicenseFile } from "../../domain/licenses/license_file.ts";
import { fingerprintOfMachineId } from "../../domain/licenses/fingerprint_scripts.ts";

const AMD64 = "https://downloads.example.com/quantos/quantos-amd64.tar.gz";
const ARM64 = "https://downloads.example.com/quantos/quantos-arm64.tar.gz";
const IMAGE_ENV = { QUANTOS_IMAGE_URL_AMD64: AMD64, QUANTOS_IMAGE_URL_ARM64: ARM64 };
const TODAY = "2026-05-14";
const EXPIRES = "2027-05-14";

// ------------------------------------------------------------------ the document's examples, as written

/** "Apply for a License" body (the fingerprint is filled in from the script's output). */
const REQUEST_BODY = { customer: "Acme Corp", fingerprint: "<64-hex SHA256>", note: "optional" };
/** "Apply for a License" → 201. */
const CREATED_EXAMPLE = {
  id: "",
  customer: "Acme Corp",
  fingerprint: "<64-hex SHA256>",
  status: "pending",
  created_at: "2026-05-14T07:15:41Z",
};
/** `GET /api/v1/deploy/license-request` with a request. */
const REQUEST_EXAMPLE = {
  has_request: true,
  id: "",
  customer: "",
  fingerprint: "",
  status: "pending",
  admin_reply: null,
  created_at: "",
};
/** `GET /api/v1/deploy/my-license` with a licence. */
const LICENSE_EXAMPLE = {
  has_license: true,
  customer: "",
  fingerprint: "",
  expires: "",
  max_cores: 0,
  max_memory_gb: 0,
  created_at: "",
};

const HEX64 = /^[0-9a-f]{64}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** SHA-256 hex of `"quantos-fingerprint-v1:" + id.trim().toLowerCase()` (contract B1), computed here by hand. */
async function expectedFingerprint(machineId: string): Promise<string> {
  const data = new TextEncoder().encode(`quantos-fingerprint-v1:${machineId.trim().toLowerCase()}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Runs the served fingerprint.sh with bash, `QUANTOS_MACHINE_ID_FILE` pointing at a file holding `machineId`. */
async function runFingerprintSh(script: string, machineId: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "qe-fingerprint-" });
  try {
    const sh = `${dir}/fingerprint.sh`, idFile = `${dir}/machine-id`;
    await Deno.writeTextFile(sh, script);
    await Deno.writeTextFile(idFile, machineId);
    // Added to the inherited environment.
    const cmd = new Deno.Command("bash", { args: [sh], env: { QUANTOS_MACHINE_ID_FILE: idFile } });
    const out = await cmd.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `fingerprint.sh exited ${out.code}: ${stderr}`);
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Opens a world (with the image URLs unless `env` says otherwise), a user and the admin (API keys). */
async function withLicenseWorld(
  fn: (ctx: { w: TestWorld; me: PaperClient; admin: PaperClient }) => Promise<void>,
  env: Record<string, string> = IMAGE_ENV,
) {
  const w = await openTestWorld(env);
  try {
    const me = await keyedClient(w, "acme@example.com", "10.6.0.1");
    const admin = await keyedClient(w, "admin@example.com", "10.6.0.2");
    await fn({ w, me, admin });
  } finally {
    await w.close();
  }
}

/** Requests a licence for `fingerprint` and has the admin approve it; answers the approval. */
async function licensed(me: PaperClient, admin: PaperClient, fingerprint: string, customer = "Acme Corp") {
  const req = await me.expect(201, "POST", "/api/v1/deploy/license-request", { customer, fingerprint });
  return await admin.expect(200, "POST", `/api/v1/admin/license-requests/${req.id}/approve`, {
    expires: EXPIRES,
    max_cores: 16,
    max_memory_gb: 64,
  });
}

/** A GET whose answer is not JSON (a download, a script, a redirect). */
function raw(c: PaperClient, path: string, token: string | null = c.token) {
  return c.w.request("GET", path, token ? { token } : {});
}

Deno.test("QuantOS License: fingerprint.sh → apply → approve → my-license → download verifies → image → tier", () =>
  withLicenseWorld(async ({ w, me, admin }) => {
    // Before anything: no request, no licence; downloads refused.
    assert.deepEqual(await me.expect(200, "GET", "/api/v1/deploy/license-request"), { has_request: false });
    assert.deepEqual(await me.expect(200, "GET", "/api/v1/deploy/my-license"), { has_license: false });
    await assertDetail(await raw(me, "/api/v1/deploy/my-license/download"), 404);
    await assertDetail(await raw(me, "/api/v1/deploy/quantos-image/download?arch=amd64"), 403);
    await assertDetail(await raw(me, "/api/v1/deploy/quantos-image/download"), 403);

    // "Machine Fingerprint": download the script (no auth) and run it on the target machine.
    const shRes = await raw(me, "/deploy-kit/fingerprint.sh", null);
    assert.equal(shRes.status, 200);
    const script = await shRes.text();
    assert.match(script, /^#!/, "a script with a shebang");
    assert.doesNotMatch(script, /ifconfig|ip link|getmac|macaddr|\/sys\/class\/net/i, "never MAC addresses");
    const machineId = "4C4C4544-0051-3510-8052-B4C04F4E4B32\n";
    const printed = (await runFingerprintSh(script, machineId)).trim().split("\n").at(-1)!.trim();
    assert.match(printed, HEX64);
    assert.equal(printed, await expectedFingerprint(machineId));
    assert.equal(printed, await fingerprintOfMachineId(machineId));
    const batRes = await raw(me, "/deploy-kit/fingerprint.bat", null);
    assert.equal(batRes.status, 200);
    assert.match(await batRes.text(), /MachineGuid/);

    // "Apply for a License": the document's body with the script's fingerprint (given in upper case).
    const body = { ...REQUEST_BODY, fingerprint: printed.toUpperCase() };
    const created = await me.expect(201, "POST", "/api/v1/deploy/license-request", body);
    assertDocumentShape(created, CREATED_EXAMPLE);
    assert.equal(created.customer, "Acme Corp");
    assert.equal(created.fingerprint, printed, "stored lower-case");
    assert.equal(created.status, "pending");
    assert.equal(created.note, "optional");
    assert.match(created.created_at, ISO_INSTANT);
    // "-> 409 if a pending request already exists".
    await assertDetail(
      await w.request("POST", "/api/v1/deploy/license-request", { token: me.token, json: body }),
      409,
    );
    const pending = await me.expect(200, "GET", "/api/v1/deploy/license-request");
    assertDocumentShape(pending, REQUEST_EXAMPLE);
    assert.deepEqual(pending, {
      has_request: true,
      id: created.id,
      customer: "Acme Corp",
      fingerprint: printed,
      status: "pending",
      note: "optional",
      admin_reply: null,
      created_at: created.created_at,
      decided_at: null,
    });

    // The admin lists and approves ("license auto-issued, download available").
    const list = await admin.expect(200, "GET", "/api/v1/admin/license-requests?status=pending");
    assert.equal(list.total, 1);
    assert.equal(list.requests[0].id, created.id);
    assert.equal(list.requests[0].user_id, (await me.expect(200, "GET", "/api/v1/auth/me")).id);
    await assertDetail(await w.request("GET", "/api/v1/admin/license-requests", { token: me.token }), 403);
    const approved = await admin.expect(200, "POST", `/api/v1/admin/license-requests/${created.id}/approve`, {
      expires: EXPIRES,
      max_cores: 16,
      max_memory_gb: 64,
      reply: "Welcome aboard",
    });
    assert.equal(approved.request.status, "approved");
    assert.match(approved.request.decided_at, ISO_INSTANT);
    await assertDetail(
      await w.request("POST", `/api/v1/admin/license-requests/${created.id}/approve`, {
        token: admin.token,
        json: { expires: EXPIRES, max_cores: 16, max_memory_gb: 64 },
      }),
      409,
    );
    const decided = await me.expect(200, "GET", "/api/v1/deploy/license-request");
    assert.equal(decided.status, "approved");
    assert.equal(decided.admin_reply, "Welcome aboard");
    const notes = await me.expect(200, "GET", "/api/v1/notifications");
    assert.ok(notes.items.length >= 1, "the user is notified of the approval");

    // "View License".
    const mine = await me.expect(200, "GET", "/api/v1/deploy/my-license");
    assertDocumentShape(mine, LICENSE_EXAMPLE);
    assert.equal(mine.has_license, true);
    assert.equal(mine.customer, "Acme Corp");
    assert.equal(mine.fingerprint, printed);
    assert.equal(mine.expires, EXPIRES);
    assert.equal(mine.max_cores, 16);
    assert.equal(mine.max_memory_gb, 64);
    assert.match(mine.created_at, ISO_INSTANT);
    assert.equal(mine.expired, false);
    assert.deepEqual(approved.license, mine);

    // The published public key (no auth), as JSON and as a PEM file.
    const key = await paperAnon(w).expect(200, "GET", "/api/v1/deploy/license-public-key");
    assert.equal(key.algorithm, "Ed25519");
    assert.equal(key.key_id, mine.key_id);
    assert.match(key.key_id, /^[0-9a-f]{16}$/);
    assert.match(key.public_key_pem, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/);
    const raw32 = Uint8Array.from(atob(key.public_key_base64), (c) => c.charCodeAt(0));
    assert.equal(raw32.length, 32);
    const keyIdByHand = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", raw32)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("").slice(0, 16);
    assert.equal(key.key_id, keyIdByHand, "key_id = first 16 hex of SHA-256(raw public key)");
    const pemRes = await raw(me, "/deploy-kit/license-public-key.pem", null);
    assert.equal(pemRes.status, 200);
    assert.equal(await pemRes.text(), key.public_key_pem);

    // "Download License": license.json (application/json), verifying offline.
    const dl = await raw(me, "/api/v1/deploy/my-license/download");
    assert.equal(dl.status, 200);
    assert.match(dl.headers.get("content-type") ?? "", /^application\/json/);
    assert.match(dl.headers.get("content-disposition") ?? "", /attachment; filename="license\.json"/);
    const json = await dl.text();
    const file = JSON.parse(json);
    for (const k of ["signature", "armored", "license_id", "customer", "fingerprint", "expires", "key_id"]) {
      assert.ok(k in file, `license.json has ${k}`);
    }
    assert.equal(file.format, "quantos-license-v1");
    assert.equal(file.fingerprint, printed);
    assert.equal(file.max_cores, 16);
    const good = await verifyLicenseFile(json, key.public_key_pem, { today: TODAY, fingerprint: printed });
    assert.equal(good.ok, true, JSON.stringify(good.checks));
    assert.equal(good.payload?.customer, "Acme Corp");
    assert.equal(good.payload?.expires, EXPIRES);
    assert.equal(good.payload?.key_id, key.key_id);
    assert.deepEqual(good.checks.map((c) => [c.name, c.ok]).sort(), [
      ["expiry", true],
      ["fingerprint", true],
      ["format", true],
      ["signature", true],
    ]);

    // The armored form (?format=armored) verifies too, and is the one inside license.json.
    const armRes = await raw(me, "/api/v1/deploy/my-license/download?format=armored");
    assert.equal(armRes.status, 200);
    assert.match(armRes.headers.get("content-type") ?? "", /^text\/plain/);
    assert.match(armRes.headers.get("content-disposition") ?? "", /filename="quantos\.lic"/);
    const armored = await armRes.text();
    assert.equal(armored, file.armored);
    assert.match(armored, /^-----BEGIN QUANTOS LICENSE-----\n/);
    assert.match(armored, /-----END QUANTOS LICENSE-----\n?$/);
    // Readable headers (the customer may be quoted as a JSON string, so any text stays one ASCII line).
    assert.match(armored, /^Customer: "?Acme Corp"?$/m);
    assert.match(armored, new RegExp(`^Fingerprint: ${printed}$`, "m"));
    assert.match(armored, /^Expires: 2027-05-14$/m);
    assert.match(armored, /^Max-Cores: 16$/m);
    assert.match(armored, /^Max-Memory-GB: 64$/m);
    assert.match(armored, new RegExp(`^Key-Id: ${key.key_id}$`, "m"));
    assert.equal((await verifyLicenseFile(armored, key.public_key_pem, { today: TODAY })).ok, true);

    // Changing any byte of either form fails; so does another fingerprint, or a later day than expires.
    for (const [form, text] of [["license.json", json], ["armored", armored]] as const) {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        const swapped = text.slice(0, i) + String.fromCharCode(c === 0x41 ? 0x42 : c ^ 1) + text.slice(i + 1);
        const r = await verifyLicenseFile(swapped, key.public_key_pem, { today: TODAY });
        assert.equal(r.ok, false, `${form}: byte ${i} (${JSON.stringify(text[i])}) changed, still valid`);
      }
    }
    const other = await expectedFingerprint("another-machine");
    const wrongMachine = await verifyLicenseFile(json, key.public_key_pem, {
      today: TODAY,
      fingerprint: other,
    });
    assert.equal(wrongMachine.ok, false);
    assert.equal(wrongMachine.checks.find((c) => c.name === "fingerprint")?.ok, false);
    assert.equal(wrongMachine.checks.find((c) => c.name === "signature")?.ok, true);
    const late = await verifyLicenseFile(json, key.public_key_pem, { today: "2027-05-15" });
    assert.equal(late.ok, false);
    assert.equal(late.checks.find((c) => c.name === "expiry")?.ok, false);
    assert.equal(
      (await verifyLicenseFile(json, key.public_key_pem, { today: EXPIRES })).ok,
      true,
      "valid through the end of its expiry day",
    );

    // "Download Image": 302 to the configured URL per architecture; amd64 by default; other arch → 422.
    for (const [q, url] of [["?arch=amd64", AMD64], ["?arch=arm64", ARM64], ["", AMD64]]) {
      const res = await raw(me, `/api/v1/deploy/quantos-image/download${q}`);
      assert.equal(res.status, 302, q);
      assert.equal(res.headers.get("location"), url, q);
      await res.body?.cancel();
    }
    await assert422(await raw(me, "/api/v1/deploy/quantos-image/download?arch=x86"));

    // "Account Tiers": licensed, 20 strategies.
    const tier = await me.expect(200, "GET", "/api/v1/billing/tier");
    assert.equal(tier.tier, "licensed");
    assert.equal(tier.max_strategies, 20);

    // The expiry job runs by the real calendar: a date after today is refused and changes nothing.
    const early = await admin.call("POST", "/api/v1/admin/jobs/license-expiry/run?date=2027-05-15");
    assert.equal(early.status, 422);
    assert.equal((await me.expect(200, "GET", "/api/v1/billing/tier")).tier, "licensed");
    // The day after `expires`: back to free; the image is refused; my-license says expired.
    w.clock.set(Date.UTC(2027, 4, 15, 0, 10));
    const ran = await admin.expect(200, "POST", "/api/v1/admin/jobs/license-expiry/run?date=2027-05-15");
    assert.equal(ran.job, "license-expiry");
    assert.deepEqual(ran.summary, { date: "2027-05-15", expired: 1, downgraded: 1 });
    const again = await admin.expect(200, "POST", "/api/v1/admin/jobs/license-expiry/run?date=2027-05-15");
    assert.deepEqual(again.summary, { date: "2027-05-15", expired: 0, downgraded: 0 }, "processed once");
    const free = await me.expect(200, "GET", "/api/v1/billing/tier");
    assert.equal(free.tier, "free");
    assert.equal(free.max_strategies, 3);
    assert.equal((await me.expect(200, "GET", "/api/v1/deploy/my-license")).expired, true);
    await assertDetail(await raw(me, "/api/v1/deploy/quantos-image/download?arch=arm64"), 403);
  }));

/** A client with no credential. */
function paperAnon(w: TestWorld): PaperClient {
  return {
    w,
    token: "",
    async call(method, path, json) {
      const res = await w.request(method, path, { json });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async expect(status, method, path, json) {
      const a = await this.call(method, path, json);
      assert.equal(a.status, status, JSON.stringify(a.body));
      return a.body;
    },
  };
}

Deno.test("QuantOS License: rejected → admin_reply visible, then a new request is accepted", () =>
  withLicenseWorld(async ({ w, me, admin }) => {
    const fp = await expectedFingerprint("vm-1234");
    const first = await me.expect(201, "POST", "/api/v1/deploy/license-request", {
      customer: "Acme Corp",
      fingerprint: fp,
      note: "optional",
    });
    await assert422(
      await w.request("POST", `/api/v1/admin/license-requests/${first.id}/reject`, {
        token: admin.token,
        json: {},
      }),
    );
    const reply = "This fingerprint belongs to a VM snapshot; run fingerprint.sh on the host.";
    const rejected = await admin.expect(200, "POST", `/api/v1/admin/license-requests/${first.id}/reject`, {
      reply,
    });
    assert.equal(rejected.status, "rejected");
    assert.equal(rejected.admin_reply, reply);
    await assertDetail(
      await w.request("POST", `/api/v1/admin/license-requests/${first.id}/reject`, {
        token: admin.token,
        json: { reply },
      }),
      409,
    );
    const seen = await me.expect(200, "GET", "/api/v1/deploy/license-request");
    assertDocumentShape(seen, { ...REQUEST_EXAMPLE, status: "rejected", admin_reply: "" });
    assert.equal(seen.status, "rejected");
    assert.equal(seen.admin_reply, reply);
    assert.deepEqual(await me.expect(200, "GET", "/api/v1/deploy/my-license"), { has_license: false });
    const notes = await me.expect(200, "GET", "/api/v1/notifications");
    assert.ok(
      notes.items.some((n: { title: string; body: string | null }) => `${n.title} ${n.body}`.includes(reply)),
      "the rejection notification carries the reply",
    );
    assert.equal((await me.expect(200, "GET", "/api/v1/billing/tier")).tier, "free");

    // "If rejected, submit a new request after addressing the issue."
    const host = await expectedFingerprint("host-5678");
    const second = await me.expect(201, "POST", "/api/v1/deploy/license-request", {
      customer: "Acme Corp",
      fingerprint: host,
    });
    assert.notEqual(second.id, first.id);
    assert.equal(second.note, null);
    const latest = await me.expect(200, "GET", "/api/v1/deploy/license-request");
    assert.equal(latest.id, second.id);
    assert.equal(latest.status, "pending");
    assert.equal(latest.admin_reply, null);
  }));

Deno.test("QuantOS License: strict bodies (422), image URL unset → 404 for a licensed user", () =>
  withLicenseWorld(async ({ w, me, admin }) => {
    const fp = await expectedFingerprint("machine-a");
    const post = (json: unknown) =>
      w.request("POST", "/api/v1/deploy/license-request", { token: me.token, json });
    await assert422(await post({ customer: "Acme Corp", fingerprint: "abc" }), ["body", "fingerprint"]);
    await assert422(await post({ customer: "Acme Corp", fingerprint: `${fp.slice(0, 63)}g` }), [
      "body",
      "fingerprint",
    ]);
    await assert422(await post({ customer: "", fingerprint: fp }), ["body", "customer"]);
    await assert422(await post({ customer: "Acme Corp", fingerprint: fp, plan: "gold" }));
    await assert422(await post({ fingerprint: fp }), ["body", "customer"]);
    const anon = await w.request("POST", "/api/v1/deploy/license-request", {
      json: { customer: "Acme Corp", fingerprint: fp },
    });
    assert.equal(anon.status, 401);
    await anon.body?.cancel();

    const req = await me.expect(201, "POST", "/api/v1/deploy/license-request", {
      customer: "Acme Corp",
      fingerprint: fp,
    });
    const approve = (json: unknown) =>
      w.request("POST", `/api/v1/admin/license-requests/${req.id}/approve`, { token: admin.token, json });
    const past = await approve({ expires: "2026-05-01", max_cores: 16, max_memory_gb: 64 });
    assert.ok(past.status === 400 || past.status === 422, `an expiry before today: ${past.status}`);
    await past.body?.cancel();
    await assert422(await approve({ expires: EXPIRES, max_cores: 0, max_memory_gb: 64 }));
    await assert422(await approve({ expires: EXPIRES, max_cores: 16, max_memory_gb: 64, seats: 3 }));
    await admin.expect(200, "POST", `/api/v1/admin/license-requests/${req.id}/approve`, {
      expires: EXPIRES,
      max_cores: 8,
      max_memory_gb: 32,
    });

    // No image URL configured in this world.
    for (const q of ["?arch=amd64", "?arch=arm64", ""]) {
      const body = await assertDetail(await raw(me, `/api/v1/deploy/quantos-image/download${q}`), 404);
      assert.match(body.detail, /image|QUANTOS_IMAGE_URL/i);
    }
  }, {}));

Deno.test("QuantOS License: arm64 alone configured → amd64 is a 404, arm64 a 302; a later approval replaces", () =>
  withLicenseWorld(async ({ w, me, admin }) => {
    const first = await licensed(me, admin, await expectedFingerprint("m-1"));
    const res = await raw(me, "/api/v1/deploy/quantos-image/download?arch=arm64");
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), ARM64);
    await res.body?.cancel();
    await assertDetail(await raw(me, "/api/v1/deploy/quantos-image/download"), 404);

    // A user holds one licence: approving a later request replaces it (and its file).
    const second = await licensed(me, admin, await expectedFingerprint("m-2"), "Acme Corp EU");
    assert.notEqual(second.license.id, first.license.id);
    const mine = await me.expect(200, "GET", "/api/v1/deploy/my-license");
    assert.equal(mine.customer, "Acme Corp EU");
    const file = JSON.parse(await (await raw(me, "/api/v1/deploy/my-license/download")).text());
    assert.equal(file.fingerprint, await expectedFingerprint("m-2"));
    assert.equal((await me.expect(200, "GET", "/api/v1/billing/tier")).tier, "licensed");
    // The admin list carries both decisions.
    const all = await admin.expect(200, "GET", "/api/v1/admin/license-requests");
    assert.equal(all.total, 2);
    for (const r of all.requests) {
      for (
        const k of ["id", "user_id", "customer", "fingerprint", "note", "status", "admin_reply", "created_at"]
      ) {
        assert.ok(k in r, k);
      }
    }
    void w;
  }, { QUANTOS_IMAGE_URL_ARM64: ARM64 }));

Deno.test("QuantOS License: the downloaded file and the served public key verify offline with deno task verify-license", () =>
  withLicenseWorld(async ({ me, admin }) => {
    // Far in the future: the CLI checks the expiry against the real date, not the test's clock.
    const fp = await expectedFingerprint("cli-machine");
    const req = await me.expect(201, "POST", "/api/v1/deploy/license-request", {
      customer: "Acme Corp",
      fingerprint: fp,
    });
    await admin.expect(200, "POST", `/api/v1/admin/license-requests/${req.id}/approve`, {
      expires: "2099-12-31",
      max_cores: 4,
      max_memory_gb: 8,
    });
    const json = await (await raw(me, "/api/v1/deploy/my-license/download")).text();
    const armored = await (await raw(me, "/api/v1/deploy/my-license/download?format=armored")).text();
    const pem = await (await raw(me, "/deploy-kit/license-public-key.pem", null)).text();
    const dir = await Deno.makeTempDir({ prefix: "qe-license-cli-" });
    try {
      // The document's file name; the platform's key saved once, named by the variable (never taken from beside
      // the licence).
      await Deno.writeTextFile(`${dir}/license.json`, json);
      await Deno.writeTextFile(`${dir}/quantos.lic`, armored);
      await Deno.writeTextFile(`${dir}/license-public-key.pem`, pem);
      const tampered = json.replace(/"max_cores": ?4/, (m) => m.replace("4", "5"));
      assert.notEqual(tampered, json, "license.json carries max_cores");
      await Deno.writeTextFile(`${dir}/tampered.json`, tampered);
      const cli = async (...args: string[]) => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--allow-read",
            "--allow-env=QUANTOS_LICENSE_PUBLIC_KEY",
            "scripts/verify_license.ts",
            ...args,
          ],
          env: { NO_COLOR: "1", QUANTOS_LICENSE_PUBLIC_KEY: `${dir}/license-public-key.pem` },
          stdout: "piped",
          stderr: "piped",
        }).output();
        return {
          code: out.code,
          text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
        };
      };
      const ok = await cli(`${dir}/license.json`, "--fingerprint", fp);
      assert.equal(ok.code, 0, ok.text);
      const okArmored = await cli(`${dir}/quantos.lic`, "--fingerprint", fp.toUpperCase());
      assert.equal(okArmored.code, 0, okArmored.text);
      const bad = await cli(`${dir}/tampered.json`);
      assert.equal(bad.code, 1, bad.text);
      const elsewhere = await cli(`${dir}/license.json`, "--fingerprint", await expectedFingerprint("other"));
      assert.equal(elsewhere.code, 1, elsewhere.text);
      const missing = await cli(`${dir}/none.json`);
      assert.equal(missing.code, 2, missing.text);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }));

Deno.test("QuantOS License: the licensed tier runs 20 paper instances; after expiry the free cap (2) applies again", () =>
  withLicenseWorld(async ({ me, admin }) => {
    const sid = await savePromoted(me, "Capped", {
      universe: { tickers: ["AAPL"] },
      entry: "close > sma(close, 5)",
      exit: "close < sma(close, 5)",
      start: "2025-01-02",
      end: "2025-12-31",
    });
    const run = () => me.call("POST", `/api/v1/strategies/${sid}/run`, {});
    for (let i = 0; i < 2; i++) assert.equal((await run()).status, 201);
    assert.equal((await run()).status, 403, "free: 2 running instances");
    await licensed(me, admin, await expectedFingerprint("cap-machine"));
    // Starts are charged with the backtest rate (10 a minute): a minute apart.
    for (let i = 2; i < 20; i++) {
      me.w.clock.advance(60_000);
      const a = await run();
      assert.equal(a.status, 201, `instance ${i + 1}: ${JSON.stringify(a.body)}`);
    }
    me.w.clock.advance(60_000);
    assert.equal((await run()).status, 403, "licensed: 20 running instances");
    me.w.clock.set(Date.UTC(2027, 4, 15, 0, 10));
    await admin.expect(200, "POST", `/api/v1/admin/jobs/license-expiry/run?date=2027-05-15`);
    assert.equal((await me.expect(200, "GET", "/api/v1/billing/tier")).tier, "free");
    me.w.clock.advance(60_000);
    assert.equal((await run()).status, 403, "free again: running instances keep running, no new one starts");
    const list = await me.expect(200, "GET", `/api/v1/strategies/${sid}/instances?status=running`);
    assert.equal(list.total, 20);
  }));

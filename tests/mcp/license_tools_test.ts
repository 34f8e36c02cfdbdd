/**
 * The QuantOS licence tools over `/mcp` with the SDK client: request, my request, my licence, the download (the
 * file's exact text and name, license.json parsed), the image URL (the 302's Location) and the public key answer
 * what the HTTP routes answer; bad arguments are a 422 naming the field; refusals carry a licence recovery line.
 */
import assert from "node:assert/strict";
import { verifyLicenseFile } from "../../domain/licenses/license_file.ts";
import { connectMcp, hintsOf, serveWorld } from "../_helpers/mcp_client.ts";
import { openTestWorld, signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const FP = "9f2c4e1a7b3d5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60";
const IMAGE = "https://downloads.example.com/quantos-amd64.tar.gz";

async function http(w: TestWorld, method: string, path: string, token?: string, json?: unknown) {
  const res = await w.request(method, path, { token, json });
  const text = await res.text();
  assert.ok(res.status < 300, `${res.status} ${text}`);
  return { res, text, body: text.startsWith("{") ? JSON.parse(text) : null };
}

Deno.test("mcp licence tools answer what the HTTP routes answer, from the request to the image URL", async () => {
  const w = await openTestWorld({ QUANTOS_IMAGE_URL_AMD64: IMAGE });
  const served = serveWorld(w);
  const alice = await signInWithOtp(w, "alice@example.com", "10.0.0.2");
  const a = alice.access_token;
  const admin = (await signInAdmin(w)).access_token;
  const mcp = await connectMcp(served.url, a);
  const anon = await connectMcp(served.url);
  try {
    const none = await mcp.callTool("get_license_request", {});
    assert.deepEqual(none.body, { has_request: false });
    assert.deepEqual((await mcp.callTool("get_my_license", {})).body, { has_license: false });
    const noFile = await mcp.callTool("download_license", {});
    assert.equal(noFile.body.error.status, 404);
    assert.match(noFile.body.error.recovery, /request_license/);
    const noImage = await mcp.callTool("get_quantos_image_url", {});
    assert.equal(noImage.body.error.status, 403);
    assert.match(noImage.body.error.recovery, /request_license/);

    const created = await mcp.callTool("request_license", {
      customer: "Acme Corp",
      fingerprint: FP.toUpperCase(),
      note: "two servers",
    });
    assert.equal(created.isError, false, created.text);
    assert.equal(created.body.status, "pending");
    assert.equal(created.body.fingerprint, FP);
    const mine = await mcp.callTool("get_license_request", {});
    assert.deepEqual(mine.body, (await http(w, "GET", "/api/v1/deploy/license-request", a)).body);
    assert.equal(mine.body.id, created.body.id);
    const twice = await mcp.callTool("request_license", { customer: "Acme Corp", fingerprint: FP });
    assert.equal(twice.body.error.status, 409);

    await http(w, "POST", `/api/v1/admin/license-requests/${created.body.id}/approve`, admin, {
      expires: "2027-05-14",
      max_cores: 16,
      max_memory_gb: 64,
    });
    const license = await mcp.callTool("get_my_license", {});
    assert.equal(license.body.has_license, true);
    assert.deepEqual(license.body, (await http(w, "GET", "/api/v1/deploy/my-license", a)).body);

    const file = await mcp.callTool("download_license", {});
    assert.equal(file.isError, false, file.text);
    const viaHttp = await http(w, "GET", "/api/v1/deploy/my-license/download", a);
    assert.equal(file.body.filename, "license.json");
    assert.equal(file.body.content_type, "application/json");
    assert.equal(file.body.text, viaHttp.text);
    assert.deepEqual(file.body.license, JSON.parse(viaHttp.text));
    const armored = await mcp.callTool("download_license", { format: "armored" });
    assert.equal(armored.body.filename, "quantos.lic");
    assert.equal(armored.body.license, undefined);
    assert.equal(
      armored.body.text,
      (await http(w, "GET", "/api/v1/deploy/my-license/download?format=armored", a)).text,
    );

    const key = await anon.callTool("get_license_public_key", {});
    assert.equal(key.isError, false, key.text);
    assert.deepEqual(key.body, (await http(w, "GET", "/api/v1/deploy/license-public-key")).body);
    for (const text of [file.body.text, armored.body.text]) {
      const verified = await verifyLicenseFile(text, key.body.public_key_pem, {
        today: "2026-05-14",
        fingerprint: FP,
      });
      assert.equal(verified.ok, true, JSON.stringify(verified.checks));
    }

    const image = await mcp.callTool("get_quantos_image_url", {});
    const redirect = await w.request("GET", "/api/v1/deploy/quantos-image/download", { token: a });
    assert.equal(redirect.status, 302);
    assert.deepEqual(image.body, { arch: "amd64", url: redirect.headers.get("location") });
    assert.equal(image.body.url, IMAGE);
    const arm = await mcp.callTool("get_quantos_image_url", { arch: "arm64" });
    assert.equal(arm.body.error.status, 404);
    assert.match(arm.body.error.detail, /QUANTOS_IMAGE_URL_ARM64/);
  } finally {
    await mcp.close();
    await anon.close();
    await served.close();
    await w.close();
  }
});

Deno.test("mcp licence tools: bad arguments are a 422 naming the field; annotations; no admin tools", async () => {
  const w = await openTestWorld();
  const served = serveWorld(w);
  const a = (await signInWithOtp(w, "alice@example.com", "10.0.0.2")).access_token;
  const mcp = await connectMcp(served.url, a);
  try {
    const bad = async (name: string, args: Record<string, unknown>, loc: string) => {
      const r = await mcp.callTool(name, args);
      assert.equal(r.body.error?.status, 422, `${name} ${JSON.stringify(args)}: ${r.text}`);
      assert.ok(r.body.error.detail.some((d: { loc: unknown[] }) => d.loc.join(".") === loc), r.text);
    };
    await bad("request_license", { customer: "Acme", fingerprint: "abc" }, "fingerprint");
    await bad("request_license", { fingerprint: FP }, "customer");
    await bad("request_license", { customer: "", fingerprint: FP }, "customer");
    await bad("request_license", { customer: "Acme", fingerprint: FP, note: 5 }, "note");
    await bad("download_license", { format: "pdf" }, "format");
    await bad("get_quantos_image_url", { arch: "x86" }, "arch");
    await bad("get_my_license", { id: "x" }, "id");
    assert.deepEqual((await mcp.callTool("get_license_request", {})).body, { has_request: false });

    const { tools } = await mcp.client.listTools();
    const names = tools.map((t: { name: string }) => t.name);
    for (const name of ["request_license", "get_license_request", "get_my_license", "download_license"]) {
      assert.ok(names.includes(name), name);
    }
    assert.ok(!names.some((n: string) => /approve|reject/.test(n)), "no admin decisions");
    const hints = hintsOf(tools);
    assert.equal(hints("request_license").idempotentHint, false);
    for (
      const name of ["get_my_license", "download_license", "get_quantos_image_url", "get_license_public_key"]
    ) {
      assert.equal(hints(name).readOnlyHint, true, name);
    }
  } finally {
    await mcp.close();
    await served.close();
    await w.close();
  }
});

import assert from "node:assert/strict";
import { sign } from "hono/jwt";
import { createJwtCodec } from "../../routes/jwt_codec.ts";

const SECRET = "jwt-test-secret-jwt-test-secret-012345";
const NOW = 1_800_000_000;
const CLAIMS = { sub: "usr_1", sid: "ses_1", typ: "access" as const, iat: NOW, exp: NOW + 3600 };

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

Deno.test("createJwtCodec() signs HS256 tokens that it verifies back to the same claims", async () => {
  const codec = createJwtCodec(SECRET);
  const token = await codec.sign(CLAIMS);
  const header = JSON.parse(atob(token.split(".")[0]));
  assert.equal(header.alg, "HS256");
  assert.deepEqual(await codec.verify(token, NOW), CLAIMS);
});

Deno.test("JwtCodec.verify() checks expiry against the given time, not the wall clock", async () => {
  const codec = createJwtCodec(SECRET);
  const token = await codec.sign(CLAIMS);
  assert.notEqual(await codec.verify(token, NOW + 3599), null);
  assert.equal(await codec.verify(token, NOW + 3600), null);
  assert.equal(await codec.verify(token, NOW - 61), null, "issued in the future beyond the 60 s skew");
  assert.notEqual(await codec.verify(token, NOW - 60), null);
});

Deno.test("JwtCodec.verify() refuses tokens signed with another secret or another algorithm", async () => {
  const codec = createJwtCodec(SECRET);
  assert.equal(await codec.verify(await createJwtCodec("x".repeat(40)).sign(CLAIMS), NOW), null);
  assert.equal(await codec.verify(await sign({ ...CLAIMS }, SECRET, "HS512"), NOW), null);
  assert.equal(await codec.verify(`${b64url({ alg: "none", typ: "JWT" })}.${b64url(CLAIMS)}.`, NOW), null);
});

Deno.test("JwtCodec.verify() refuses tokens whose claims are not an access token's", async (t) => {
  const codec = createJwtCodec(SECRET);
  const variants: [string, Record<string, unknown>][] = [
    ["refresh typ", { ...CLAIMS, typ: "refresh" }],
    ["no typ", { ...CLAIMS, typ: undefined }],
    ["no sub", { ...CLAIMS, sub: undefined }],
    ["numeric sid", { ...CLAIMS, sid: 7 }],
    ["no exp", { ...CLAIMS, exp: undefined }],
    ["string exp", { ...CLAIMS, exp: String(NOW + 3600) }],
  ];
  for (const [name, claims] of variants) {
    await t.step(name, async () => {
      const token = await sign(JSON.parse(JSON.stringify(claims)), SECRET, "HS256");
      assert.equal(await codec.verify(token, NOW), null);
    });
  }
});

Deno.test("JwtCodec.verify() answers null for garbage instead of throwing", async (t) => {
  const codec = createJwtCodec(SECRET);
  for (
    const token of ["", "garbage", "a.b.c", "a.b", "....", `${b64url({ alg: "HS256" })}.e30.sig`, "ü.ü.ü"]
  ) {
    await t.step(JSON.stringify(token), async () => assert.equal(await codec.verify(token, NOW), null));
  }
});

Deno.test("JwtCodec.verify() refuses a token whose payload was altered after signing", async () => {
  const codec = createJwtCodec(SECRET);
  const [h, , s] = (await codec.sign(CLAIMS)).split(".");
  assert.equal(await codec.verify(`${h}.${b64url({ ...CLAIMS, sub: "usr_admin" })}.${s}`, NOW), null);
});

import assert from "node:assert/strict";
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  PBKDF2_ITERATIONS,
  verifyPassword,
} from "../../../domain/auth/password.ts";

/** Low-cost hashes keep these tests fast; the cost itself is tested once. */
const FAST = 1_000;

Deno.test("hashPassword() uses PBKDF2-SHA256 with at least 600,000 iterations by default", async () => {
  assert.ok(PBKDF2_ITERATIONS >= 600_000);
  const stored = await hashPassword("correct horse battery staple");
  const [scheme, iterations, salt, hash] = stored.split("$");
  assert.equal(scheme, "pbkdf2-sha256");
  assert.equal(Number(iterations), PBKDF2_ITERATIONS);
  assert.equal(atob(salt).length, 16);
  assert.equal(atob(hash).length, 32);
  assert.equal(await verifyPassword("correct horse battery staple", stored), true);
});

Deno.test("hashPassword() salts every hash: the same password gives different hashes", async () => {
  const a = await hashPassword("same password", FAST);
  const b = await hashPassword("same password", FAST);
  assert.notEqual(a.split("$")[2], b.split("$")[2]);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword("same password", a), true);
  assert.equal(await verifyPassword("same password", b), true);
});

Deno.test("verifyPassword() refuses a wrong password", async () => {
  const stored = await hashPassword("secret-1", FAST);
  assert.equal(await verifyPassword("secret-2", stored), false);
  assert.equal(await verifyPassword("Secret-1", stored), false);
  assert.equal(await verifyPassword("", stored), false);
});

Deno.test("verifyPassword() uses the iteration count stored in the hash", async () => {
  const stored = await hashPassword("pw", 2_000);
  assert.equal(stored.split("$")[1], "2000");
  assert.equal(await verifyPassword("pw", stored), true);
  const tampered = stored.replace("$2000$", "$2001$");
  assert.equal(await verifyPassword("pw", tampered), false);
});

Deno.test("verifyPassword() answers false for malformed stored hashes", async (t) => {
  const good = await hashPassword("pw", FAST);
  const [, , salt, hash] = good.split("$");
  const bad = [
    "",
    "plain-text",
    `bcrypt$${FAST}$${salt}$${hash}`,
    `pbkdf2-sha256$0$${salt}$${hash}`,
    `pbkdf2-sha256$-5$${salt}$${hash}`,
    `pbkdf2-sha256$1.5$${salt}$${hash}`,
    `pbkdf2-sha256$abc$${salt}$${hash}`,
    `pbkdf2-sha256$${FAST}$${salt}`,
    `pbkdf2-sha256$${FAST}$${salt}$${hash}$extra`,
    `pbkdf2-sha256$${FAST}$${salt}$`,
    `pbkdf2-sha256$${FAST}$not*base64!$${hash}`,
    `pbkdf2-sha256$${FAST}$${salt}$%%%`,
  ];
  for (const [i, stored] of bad.entries()) {
    await t.step(
      `#${i} ${JSON.stringify(stored)}`,
      async () => assert.equal(await verifyPassword("pw", stored), false),
    );
  }
});

Deno.test("DUMMY_PASSWORD_HASH is well-formed at full cost and matches no password", async () => {
  const [scheme, iterations] = DUMMY_PASSWORD_HASH.split("$");
  assert.equal(scheme, "pbkdf2-sha256");
  assert.equal(Number(iterations), PBKDF2_ITERATIONS);
  assert.equal(await verifyPassword("", DUMMY_PASSWORD_HASH), false);
});

import assert from "node:assert/strict";
import { updateProfile } from "../../../domain/auth/accounts.ts";
import {
  confirmEmailChange,
  EMAIL_CHANGE_DIGITS,
  EMAIL_CHANGE_MAX_ATTEMPTS,
  EMAIL_CHANGE_TTL_MS,
} from "../../../domain/auth/email_change.ts";
import { newUserRecord } from "../../../domain/auth/user_view.ts";
import { ConflictError, ValidationError } from "../../../domain/errors.ts";
import type { UserRecord } from "../../../domain/store/user_repo.ts";
import { type AuthWorld, openAuthWorld } from "../../_helpers/auth_deps.ts";
import { T0 } from "../../_helpers/test_app.ts";

const IP = "10.0.0.1";

async function addUser(a: AuthWorld, email: string): Promise<UserRecord> {
  const user = newUserRecord({ id: `usr_${email.split("@")[0]}`, email, email_verified: true }, T0);
  await a.deps.users.create(user);
  return user;
}

/** The code of the last confirmation mail to `to`. */
function codeFor(a: AuthWorld, to: string): string {
  const mail = a.sent.filter((m) => m.to === to).at(-1);
  const code = mail?.text.match(/confirmation code is (\d{6})\b/)?.[1];
  if (!code) throw new Error(`no confirmation mail to ${to}`);
  return code;
}

const isInvalidCode = (e: unknown) =>
  e instanceof ValidationError && e.message === "Invalid or expired code" &&
  JSON.stringify(e.loc) === '["code"]';

Deno.test("email change constants: 6 digits, 10 minutes, 5 tries", () => {
  assert.equal(EMAIL_CHANGE_DIGITS, 6);
  assert.equal(EMAIL_CHANGE_TTL_MS, 10 * 60_000);
  assert.equal(EMAIL_CHANGE_MAX_ATTEMPTS, 5);
});

Deno.test("confirmEmailChange() attaches the pending email verified and releases the old one", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "from@example.com");
    await updateProfile(a.deps, user.id, { email: "to@example.com" }, IP);
    const changed = await confirmEmailChange(a.deps, user.id, codeFor(a, "to@example.com"));
    assert.deepEqual([changed.email, changed.email_verified, changed.pending_email], [
      "to@example.com",
      true,
      null,
    ]);
    assert.equal((await a.deps.users.getByEmail("to@example.com"))?.id, user.id);
    assert.equal(await a.deps.users.getByEmail("from@example.com"), null);
  } finally {
    a.close();
  }
});

Deno.test("confirmEmailChange() does not accept a code issued to another user for the same address", async () => {
  const a = await openAuthWorld();
  try {
    const one = await addUser(a, "one@example.com");
    const two = await addUser(a, "two@example.com");
    await updateProfile(a.deps, one.id, { email: "shared@example.com" }, IP);
    const oneCode = codeFor(a, "shared@example.com");
    await updateProfile(a.deps, two.id, { email: "shared@example.com" }, "10.0.0.2");
    const twoCode = codeFor(a, "shared@example.com");
    if (oneCode !== twoCode) await assert.rejects(confirmEmailChange(a.deps, two.id, oneCode), isInvalidCode);
    assert.equal((await confirmEmailChange(a.deps, two.id, twoCode)).email, "shared@example.com");
  } finally {
    a.close();
  }
});

Deno.test("confirmEmailChange() gives an address to exactly one of two users confirming at once", async () => {
  const a = await openAuthWorld();
  try {
    const one = await addUser(a, "race1@example.com");
    const two = await addUser(a, "race2@example.com");
    await updateProfile(a.deps, one.id, { email: "prize@example.com" }, IP);
    const oneCode = codeFor(a, "prize@example.com");
    await updateProfile(a.deps, two.id, { email: "prize@example.com" }, "10.0.0.2");
    const twoCode = codeFor(a, "prize@example.com");
    const results = await Promise.allSettled([
      confirmEmailChange(a.deps, one.id, oneCode),
      confirmEmailChange(a.deps, two.id, twoCode),
    ]);
    const won = results.filter((r) => r.status === "fulfilled") as PromiseFulfilledResult<UserRecord>[];
    const lost = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    assert.equal(won.length, 1);
    assert.ok(lost[0].reason instanceof ConflictError && lost[0].reason.message === "Email already in use");
    assert.equal((await a.deps.users.getByEmail("prize@example.com"))?.id, won[0].value.id);
    const loser = await a.deps.users.get(won[0].value.id === one.id ? two.id : one.id);
    assert.equal(loser?.pending_email, null, "the loser's pending change ends");
    assert.ok(loser?.email.startsWith("race"));
  } finally {
    a.close();
  }
});

Deno.test("confirmEmailChange() lets only one of two concurrent tries with the right code through", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "twin@example.com");
    await updateProfile(a.deps, user.id, { email: "twin2@example.com" }, IP);
    const code = codeFor(a, "twin2@example.com");
    const results = await Promise.allSettled([
      confirmEmailChange(a.deps, user.id, code),
      confirmEmailChange(a.deps, user.id, code),
    ]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    assert.ok(isInvalidCode((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason));
  } finally {
    a.close();
  }
});

Deno.test("confirmEmailChange() counts concurrent wrong tries without losing any", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "many@example.com");
    await updateProfile(a.deps, user.id, { email: "many2@example.com" }, IP);
    const code = codeFor(a, "many2@example.com");
    const wrong = [...code].map((d) => String((Number(d) + 1) % 10)).join("");
    const results = await Promise.allSettled(
      Array.from({ length: EMAIL_CHANGE_MAX_ATTEMPTS }, () => confirmEmailChange(a.deps, user.id, wrong)),
    );
    assert.ok(results.every((r) => r.status === "rejected" && isInvalidCode(r.reason)));
    assert.equal((await a.deps.users.get(user.id))?.pending_email, null, "void after 5 wrong tries");
    await assert.rejects(confirmEmailChange(a.deps, user.id, code), isInvalidCode);
  } finally {
    a.close();
  }
});

import assert from "node:assert/strict";
import {
  isAdmin,
  isProfileComplete,
  isReservedEmail,
  newUserRecord,
  toUserView,
} from "../../../domain/auth/user_view.ts";
import { T0 } from "../../_helpers/test_app.ts";

const user = (over: Parameters<typeof newUserRecord>[0]) => newUserRecord(over, T0);

Deno.test("isReservedEmail() matches the @quantedge.local domain in any case, and nothing else", () => {
  assert.equal(isReservedEmail("user_abc123@quantedge.local"), true);
  assert.equal(isReservedEmail("X@QuantEdge.LOCAL"), true);
  assert.equal(isReservedEmail("x@quantedge.local.evil.com"), false);
  assert.equal(isReservedEmail("x@notquantedge.local"), false);
});

Deno.test("isAdmin() needs a configured email that is verified", () => {
  const admins = ["admin@example.com"];
  assert.equal(isAdmin(user({ id: "u", email: "admin@example.com", email_verified: true }), admins), true);
  assert.equal(isAdmin(user({ id: "u", email: "admin@example.com", email_verified: false }), admins), false);
  assert.equal(isAdmin(user({ id: "u", email: "other@example.com", email_verified: true }), admins), false);
});

Deno.test("isProfileComplete() needs a real email that is verified or has a password", () => {
  assert.equal(isProfileComplete(user({ id: "u", email: "user_abcdef@quantedge.local" })), false);
  assert.equal(isProfileComplete(user({ id: "u", email: "a@example.com" })), false);
  assert.equal(isProfileComplete(user({ id: "u", email: "a@example.com", email_verified: true })), true);
  assert.equal(
    isProfileComplete(user({ id: "u", email: "a@example.com", password_hash: "pbkdf2-sha256$1$a$b" })),
    true,
  );
});

Deno.test("newUserRecord() starts free, enabled, unverified, without password, at session epoch 0", () => {
  const u = user({ id: "usr_1", email: "n@example.com" });
  assert.equal(u.tier, "free");
  assert.equal(u.disabled, false);
  assert.equal(u.email_verified, false);
  assert.equal(u.password_hash, null);
  assert.equal(u.session_epoch, 0);
  assert.equal(u.created_at, T0);
});

Deno.test("toUserView() shows ISO times and flags, never the password hash", () => {
  const view = toUserView(
    user({
      id: "usr_1",
      email: "n@example.com",
      password_hash: "pbkdf2-sha256$1$salt$hash",
      last_login_at: T0,
    }),
    [],
  );
  assert.equal(view.has_password, true);
  assert.equal(view.created_at, new Date(T0).toISOString());
  assert.equal(view.last_login_at, new Date(T0).toISOString());
  assert.ok(!JSON.stringify(view).includes("salt"));
  assert.ok(!("password_hash" in view));
});

import assert from "node:assert/strict";
import { createInvite, disableInvite, listInvites, toInviteView } from "../../../domain/auth/invites.ts";
import { ConflictError, NotFoundError } from "../../../domain/errors.ts";
import type { InviteCodeRecord } from "../../../domain/store/invite_repo.ts";
import { openAuthWorld } from "../../_helpers/auth_deps.ts";
import { T0 } from "../../_helpers/test_app.ts";

const record = (over: Partial<InviteCodeRecord> = {}): InviteCodeRecord => ({
  code: "CODE",
  max_uses: 3,
  uses: 1,
  expires_at: null,
  disabled: false,
  note: null,
  created_by: "usr_admin",
  created_at: T0,
  ...over,
});

Deno.test("createInvite() makes a random 10-character code when none is given", async () => {
  const a = await openAuthWorld();
  try {
    const view = await createInvite(a.deps, "usr_admin", { max_uses: 1 });
    assert.match(view.code, /^[A-HJ-NP-Z2-9]{10}$/);
    assert.equal(view.active, true);
    assert.equal(view.remaining_uses, 1);
    assert.equal((await a.deps.invites.get(view.code))?.record.created_by, "usr_admin");
  } finally {
    a.close();
  }
});

Deno.test("createInvite() upper-cases a given code and refuses a duplicate", async () => {
  const a = await openAuthWorld();
  try {
    const view = await createInvite(a.deps, "usr_admin", { code: " qe-beta ", max_uses: 5, note: "friends" });
    assert.equal(view.code, "QE-BETA");
    assert.equal(view.note, "friends");
    await assert.rejects(createInvite(a.deps, "usr_admin", { code: "QE-beta", max_uses: 1 }), ConflictError);
  } finally {
    a.close();
  }
});

Deno.test("toInviteView() marks a code inactive when disabled, expired or used up", () => {
  assert.equal(toInviteView(record(), T0).active, true);
  assert.equal(toInviteView(record({ disabled: true }), T0).active, false);
  assert.equal(toInviteView(record({ uses: 3 }), T0).active, false);
  assert.equal(toInviteView(record({ uses: 3 }), T0).remaining_uses, 0);
  assert.equal(toInviteView(record({ expires_at: T0 + 1 }), T0).active, true);
  assert.equal(toInviteView(record({ expires_at: T0 }), T0).active, false);
  assert.equal(toInviteView(record({ expires_at: T0 }), T0).expires_at, new Date(T0).toISOString());
});

Deno.test("disableInvite() is idempotent and answers NotFoundError for unknown codes", async () => {
  const a = await openAuthWorld();
  try {
    await createInvite(a.deps, "usr_admin", { code: "OFF-SOON", max_uses: 2 });
    assert.equal((await disableInvite(a.deps, "off-soon")).disabled, true);
    assert.equal((await disableInvite(a.deps, "OFF-SOON")).active, false);
    await assert.rejects(disableInvite(a.deps, "MISSING"), NotFoundError);
  } finally {
    a.close();
  }
});

Deno.test("listInvites() lists codes in code order with paging", async () => {
  const a = await openAuthWorld();
  try {
    for (const code of ["CCCC", "AAAA", "BBBB"]) {
      await createInvite(a.deps, "usr_admin", { code, max_uses: 1 });
    }
    const all = await listInvites(a.deps, { limit: 50, offset: 0 });
    assert.deepEqual(all.items.map((i) => i.code), ["AAAA", "BBBB", "CCCC"]);
    const page = await listInvites(a.deps, { limit: 1, offset: 1 });
    assert.deepEqual(page.items.map((i) => i.code), ["BBBB"]);
    assert.equal(page.total, 3);
  } finally {
    a.close();
  }
});

/**
 * Conformance with the QuantGPT Cloud guide (the product document `002_ff083b1df4fa4df6.txt`, version 0.5.0): its
 * request examples replayed in order as written, at the paths written, and every documented response field
 * asserted by name and JSON type (`assertShape` walks the document's example JSON, copied below from the guide).
 *
 * Covered: Agent Quickstart, Authentication, Account Tiers, Trading Calendar, Strategy Management, Signal
 * Submission (submit, history, override, delete conditions), Tickets, Notifications, Error Response Format,
 * Recommended Workflow (bootstrap and daily loop with the 18:45 settlement check), Error Recovery and the
 * Idempotency table, each row replayed against the real routes — with GitHub attestation on (a loopback GitHub
 * contents API) where the row depends on it. Not here: the claimed-history, factor, portfolio and licence
 * sections (their own issues), and the shapes of the public verification reads (verify, track-record,
 * performance, audit), which the public-record conformance covers; the daily loop only reads `verify`'s status.
 *
 * Deliberate differences a client meets (README compatibility table): API keys start `qe_` (not `qgpt_`); a new
 * email in `PATCH /auth/profile` is pending until the code mailed to it is confirmed; refresh tokens rotate (the
 * answer carries a new `refresh_token`); with GitHub on, the 201 of a submission says `attestation.reason:
 * "pending"` and the commit lands in the background (seconds later, before 09:15 retries at 09:10 aside).
 */
import {
  CREATE_BODY,
  CREATED_EXAMPLE,
  HISTORY_EXAMPLE,
  LIST_EXAMPLE,
  SIGNAL_BODY,
  SUBMITTED_EXAMPLE,
} from "../_helpers/quantgpt_cloud_examples.ts";
import assert from "node:assert/strict";
import { assertDocumentShape } from "../_helpers/document_shape.ts";
import { startFakeGithubContents } from "../_helpers/fake_github_contents.ts";
import { lastOtp, openTestWorld, signInAdmin, T0, type TestWorld } from "../_helpers/test_app.ts";

const HOUR = 3_600_000;
/** An instant on 2026-05-14 (the test world's trading day, a Thursday) in Asia/Shanghai. */
const cst = (h: number, m: number) => Date.UTC(2026, 4, 14, h - 8, m);

// ------------------------------------------------------------------ the document's examples, as written

/** "Invite code (first-time registration)" response. */
const INVITE_EXAMPLE = {
  access_token: "eyJhbGciOiJIUzI1NiIs...",
  refresh_token: "eyJhbGciOiJIUzI1NiIs...",
  user: {
    id: "550e8400-e29b-41d4-a716-446655440000",
    nickname: "user_a1b2c3",
    email: "user_a1b2c3@quantgpt.local",
    tier: "free",
    profile_complete: false,
    has_password: false,
  },
};

/** "Tickets / Feedback" response (201). */
const TICKET_EXAMPLE = {
  id: "uuid",
  user_id: "uuid",
  title: "...",
  description: "...",
  category: "bug",
  status: "open",
  admin_reply: null,
  resolved_at: null,
  created_at: "2026-05-14T07:15:41+00:00",
};

/** Asserts `actual` has every key of the document's `example` with the same JSON type (nullable text as null). */
const assertShape = (actual: unknown, example: unknown) => assertDocumentShape(actual, example);

// ------------------------------------------------------------------ a client of the document

/** A client holding the world and a bearer credential, as the guide's pseudocode does. */
interface Client {
  w: TestWorld;
  /** The credential in use (the API key once created). */
  token: string;
  // deno-lint-ignore no-explicit-any -- answers are read as the guide's untyped client reads them
  call(method: string, path: string, json?: unknown): Promise<{ status: number; body: Record<string, any> }>;
}

function client(w: TestWorld, token: string): Client {
  const c: Client = {
    w,
    token,
    async call(method, path, json) {
      const res = await w.request(method, path, {
        json,
        token: c.token,
        headers: { "x-forwarded-for": "10.7.0.1" },
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
  };
  return c;
}

/** Admin creates the invite code "YOUR_CODE" (20 uses). */
async function inviteCode(w: TestWorld): Promise<string> {
  const admin = (await signInAdmin(w)).access_token;
  const res = await w.request("POST", "/api/v1/admin/invite-codes", {
    token: admin,
    json: { code: "YOUR_CODE", max_uses: 20 },
  });
  assert.equal(res.status, 201, await res.clone().text());
  return admin;
}

/** The Agent Quickstart: invite, then an API key used for everything after. */
async function quickstart(w: TestWorld): Promise<Client & { access: string; refresh: string }> {
  const anon = client(w, "");
  const invited = await anon.call("POST", "/api/v1/auth/invite", { invite_code: "YOUR_CODE" });
  assert.equal(invited.status, 200, JSON.stringify(invited.body));
  assertShape(invited.body, INVITE_EXAMPLE);
  const c = client(w, invited.body.access_token);
  const key = await c.call("POST", "/api/v1/billing/api-keys", { name: "my-agent" });
  assert.equal(key.status, 201);
  assertShape(key.body, { api_key: "qgpt_..." });
  assert.match(key.body.api_key, /^qe_/, "our key prefix (a deliberate difference)");
  c.token = key.body.api_key;
  return Object.assign(c, { access: invited.body.access_token, refresh: invited.body.refresh_token });
}

async function withWorld(
  fn: (w: TestWorld, admin: string, gh: ReturnType<typeof startFakeGithubContents> | null) => Promise<void>,
  opts: { github?: boolean } = {},
): Promise<void> {
  const gh = opts.github
    ? startFakeGithubContents({ token: "ghp_test", owner: "acme", repo: "signals" })
    : null;
  const w = await openTestWorld(
    gh ? { GITHUB_TOKEN: "ghp_test", ATTEST_REPO: "acme/signals", GITHUB_API_BASE_URL: gh.apiBaseUrl } : {},
  );
  try {
    await fn(w, await inviteCode(w), gh);
  } finally {
    await w.close();
    await gh?.close();
  }
}

/** Runs the settlement job for 2026-05-14 at 18:15 CST (as the platform's cron does). */
async function settleToday(w: TestWorld, admin: string): Promise<void> {
  w.clock.set(cst(18, 15));
  const res = await w.request("POST", "/api/v1/admin/jobs/settle-signals/run?date=2026-05-14", {
    token: admin,
  });
  assert.equal(res.status, 200, await res.clone().text());
}

// ------------------------------------------------------------------ Agent Quickstart + Authentication

Deno.test("QuantGPT Agent Quickstart: invite → API key → the key works without a profile", () =>
  withWorld(async (w) => {
    const c = await quickstart(w);
    const me = await c.call("GET", "/api/v1/auth/me");
    assert.equal(me.status, 200);
    assert.equal(me.body.profile_complete, false, "an API key does not depend on profile_complete");
    assert.equal(me.body.tier, "free");
  }));

Deno.test("QuantGPT Authentication: invite, profile, login, refresh, me, API keys list/create/delete", () =>
  withWorld(async (w) => {
    const c = await quickstart(w);
    // Each call creates a NEW anonymous account.
    const other = await client(w, "").call("POST", "/api/v1/auth/invite", { invite_code: "YOUR_CODE" });
    assert.notEqual(other.body.user.id, (await c.call("GET", "/api/v1/auth/me")).body.id);
    // An unusable code: 400 with a string detail.
    const bad = await client(w, "").call("POST", "/api/v1/auth/invite", { invite_code: "NOT_A_CODE" });
    assert.equal(bad.status, 400);
    assert.equal(typeof bad.body.detail, "string");

    // Profile Setup, with the access token as the guide shows.
    const session = client(w, c.access);
    const reserved = await session.call("PATCH", "/api/v1/auth/profile", { email: "x@quantgpt.local" });
    assert.equal(reserved.status, 422, "@quantgpt.local emails are rejected");
    assert.deepEqual(reserved.body.detail[0].loc, ["body", "email"]);
    const profile = await session.call("PATCH", "/api/v1/auth/profile", {
      nickname: "my_username",
      email: "me@example.com",
      password: "mypassword",
    });
    assert.equal(profile.status, 200, JSON.stringify(profile.body));
    assertShape(profile.body, {
      id: "",
      nickname: "",
      email: "",
      has_password: true,
      profile_complete: true,
    });
    assert.equal(profile.body.nickname, "my_username");
    assert.equal(profile.body.has_password, true);
    // A new email is pending until the code mailed to it comes back (a deliberate difference).
    assert.equal(profile.body.pending_email, "me@example.com");
    const confirmed = await session.call("POST", "/api/v1/auth/profile/email/confirm", {
      code: lastOtp(w.sent, "me@example.com"),
    });
    assert.equal(confirmed.status, 200);
    assert.deepEqual([confirmed.body.email, confirmed.body.profile_complete], ["me@example.com", true]);
    // Same data again = same result.
    const again = await session.call("PATCH", "/api/v1/auth/profile", { nickname: "my_username" });
    assert.equal(again.status, 200);
    assert.equal(again.body.nickname, "my_username");

    // Email + password login.
    const login = await client(w, "").call("POST", "/api/v1/auth/login", {
      email: "me@example.com",
      password: "mypassword",
    });
    assert.equal(login.status, 200);
    assertShape(login.body, { access_token: "", refresh_token: "", user: {} });

    // Token & Key Management.
    const refreshed = await client(w, "").call("POST", "/api/v1/auth/refresh", {
      refresh_token: login.body.refresh_token,
    });
    assert.equal(refreshed.status, 200);
    assertShape(refreshed.body, { access_token: "eyJ..." });
    const me = await client(w, refreshed.body.access_token).call("GET", "/api/v1/auth/me");
    assert.equal(me.status, 200);
    assert.equal(me.body.email, "me@example.com");
    const keys = await c.call("GET", "/api/v1/billing/api-keys");
    assert.equal(keys.status, 200);
    assert.equal(keys.body.items.length, 1);
    const second = await c.call("POST", "/api/v1/billing/api-keys", { name: "my-agent" });
    assert.equal(second.status, 201);
    assertShape(second.body, { api_key: "qgpt_..." });
    const revoked = await c.call("DELETE", `/api/v1/billing/api-keys/${second.body.id}`);
    assert.equal(revoked.status, 200);
    assert.equal((await client(w, second.body.api_key).call("GET", "/api/v1/auth/me")).status, 401);
  }));

Deno.test("QuantGPT Account Tiers: GET /billing/tier and /billing/tiers", () =>
  withWorld(async (w) => {
    const c = await quickstart(w);
    const mine = await c.call("GET", "/api/v1/billing/tier");
    assert.equal(mine.status, 200);
    assertShape(mine.body, {
      tier: "free",
      max_strategies: 3,
      strategy_universes: ["hs300", "csi500", "csi1000", "csi2000", "etf_all"],
    });
    assert.deepEqual([mine.body.tier, mine.body.max_strategies], ["free", 3]);
    assert.deepEqual(mine.body.strategy_universes, ["hs300", "csi500", "csi1000", "csi2000", "etf_all"]);
    const all = await c.call("GET", "/api/v1/billing/tiers");
    assert.deepEqual(
      all.body.tiers.map((t: { tier: string; max_strategies: number }) => [t.tier, t.max_strategies]),
      [
        ["free", 3],
        ["licensed", 20],
      ],
    );
  }));

// ------------------------------------------------------------------ Trading Calendar

Deno.test("QuantGPT Trading Calendar: ?month=2026-05 and ?date=2026-05-14 as the guide shows them", () =>
  withWorld(async (w) => {
    const anon = client(w, "");
    const month = await anon.call("GET", "/api/v1/calendar?month=2026-05");
    assert.equal(month.status, 200);
    const monthExample = {
      month: "2026-05",
      trading_days: ["2026-05-06", "2026-05-07"],
      count: 18,
      today: "2026-05-14",
      today_is_trading_day: true,
      next_trading_day: "2026-05-15",
    };
    assertShape(month.body, monthExample);
    assert.deepEqual(month.body.trading_days.slice(0, 2), monthExample.trading_days);
    for (const k of ["month", "count", "today", "today_is_trading_day", "next_trading_day"] as const) {
      assert.equal(month.body[k], monthExample[k], k);
    }
    const day = await anon.call("GET", "/api/v1/calendar?date=2026-05-14");
    const dayExample = {
      date: "2026-05-14",
      is_trading_day: true,
      next_trading_day: "2026-05-15",
      today: "2026-05-14",
    };
    assertShape(day.body, dayExample);
    for (const [k, v] of Object.entries(dayExample)) assert.equal(day.body[k], v, k);
    assert.equal((await anon.call("GET", "/api/v1/calendar")).status, 422, "month or date is required");
  }));

// ------------------------------------------------------------------ Strategy Management

Deno.test("QuantGPT Strategy Management: create, list, ?status=, detail, PATCH (4 fields), retire, status machine", () =>
  withWorld(async (w) => {
    const c = await quickstart(w);
    const created = await c.call("POST", "/api/v1/strategies", CREATE_BODY);
    assert.equal(created.status, 201);
    assertShape(created.body, CREATED_EXAMPLE);
    for (const [k, v] of Object.entries(CREATED_EXAMPLE)) {
      if (k !== "created_at") assert.deepEqual(created.body[k], v, k);
    }
    assert.equal((await c.call("POST", "/api/v1/strategies", CREATE_BODY)).status, 409, "slug already taken");

    const list = await c.call("GET", "/api/v1/strategies");
    assertShape(list.body, { strategies: [CREATED_EXAMPLE] });
    assert.equal((await c.call("GET", "/api/v1/strategies?status=active")).body.strategies.length, 0);
    assert.equal(
      (await c.call("POST", "/api/v1/strategies/hs300-ml-alpha/signals", SIGNAL_BODY)).status,
      201,
    );
    const active = await c.call("GET", "/api/v1/strategies?status=active");
    assertShape(active.body, LIST_EXAMPLE);
    assert.equal(active.body.strategies[0].status, "active", "pending → active on the first signal");
    const detail = await c.call("GET", "/api/v1/strategies/hs300-ml-alpha");
    assertShape(detail.body, CREATED_EXAMPLE);

    const patched = await c.call("PATCH", "/api/v1/strategies/hs300-ml-alpha", {
      name: "HS300 ML Alpha v2",
      description: "LightGBM on 158 factors",
      status: "paused",
      is_public: false,
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(
      [patched.body.name, patched.body.description, patched.body.status, patched.body.is_public],
      ["HS300 ML Alpha v2", "LightGBM on 158 factors", "paused", false],
    );
    for (const extra of [{ universe: "csi500" }, { slug: "other-slug" }, { holding_period: 5 }]) {
      const refused = await c.call("PATCH", "/api/v1/strategies/hs300-ml-alpha", extra);
      assert.equal(refused.status, 422, JSON.stringify(extra));
      assert.deepEqual(refused.body.detail[0].loc, ["body", Object.keys(extra)[0]]);
    }
    // Status machine: paused → active → paused, retired is terminal, pending cannot be paused.
    assert.equal(
      (await c.call("PATCH", "/api/v1/strategies/hs300-ml-alpha", { status: "active" })).status,
      200,
    );
    const retired = await c.call("DELETE", "/api/v1/strategies/hs300-ml-alpha");
    assert.equal(retired.status, 200);
    assert.equal(retired.body.status, "retired");
    assert.equal(typeof retired.body.retired_at, "string");
    const out = await c.call("PATCH", "/api/v1/strategies/hs300-ml-alpha", { status: "active" });
    assert.equal(out.status, 400, "retired is terminal");
    assert.equal(typeof out.body.detail, "string");
    assert.equal(
      (await c.call("POST", "/api/v1/strategies", { ...CREATE_BODY, slug: "pending-one" })).status,
      201,
    );
    assert.equal((await c.call("PATCH", "/api/v1/strategies/pending-one", { status: "paused" })).status, 400);
    assert.equal((await c.call("PATCH", "/api/v1/strategies/pending-one", { status: "active" })).status, 400);
    const all = await c.call("GET", "/api/v1/strategies");
    assert.deepEqual(
      all.body.strategies.map((s: { status: string }) => s.status).sort(),
      ["pending", "retired"],
      "without ?status= the list includes retired ones",
    );
  }));

// ------------------------------------------------------------------ Signal Submission

Deno.test("QuantGPT Signal Submission: submit, history, override, delete conditions (GitHub off)", () =>
  withWorld(async (w, admin) => {
    const c = await quickstart(w);
    await c.call("POST", "/api/v1/strategies", CREATE_BODY);
    const submitted = await c.call("POST", "/api/v1/strategies/hs300-ml-alpha/signals", SIGNAL_BODY);
    assert.equal(submitted.status, 201);
    assertShape(submitted.body, { ...SUBMITTED_EXAMPLE, attestation: { committed: false } });
    assert.deepEqual(submitted.body.attestation, { committed: false, reason: "repo_not_configured" });
    assert.equal(submitted.body.replaced, false);

    const history = await c.call("GET", "/api/v1/strategies/hs300-ml-alpha/signals?limit=30&offset=0");
    assert.equal(history.status, 200);
    assertShape(history.body, HISTORY_EXAMPLE);
    assert.deepEqual(history.body.signals[0].signals, SIGNAL_BODY.signals, "in the order submitted");

    // Override: re-POST with the same trade_date before the deadline.
    const override = { trade_date: "2026-05-14", signals: [{ symbol: "600519.SH", weight: 0.1 }] };
    const replaced = await c.call("POST", "/api/v1/strategies/hs300-ml-alpha/signals", override);
    assert.equal(replaced.status, 201);
    assert.equal(replaced.body.replaced, true);

    // Delete Conditions: before the deadline, not settled, not attested → deleted; again → 404.
    const del = await c.call("DELETE", "/api/v1/strategies/hs300-ml-alpha/signals/2026-05-14");
    assert.equal(del.status, 200);
    assert.equal(
      (await c.call("DELETE", "/api/v1/strategies/hs300-ml-alpha/signals/2026-05-14")).status,
      404,
    );
    // After the deadline: 400 "deadline passed".
    assert.equal(
      (await c.call("POST", "/api/v1/strategies/hs300-ml-alpha/signals", SIGNAL_BODY)).status,
      201,
    );
    w.clock.set(cst(9, 15));
    const late = await c.call("DELETE", "/api/v1/strategies/hs300-ml-alpha/signals/2026-05-14");
    assert.equal(late.status, 400);
    assert.match(late.body.detail, /deadline passed, signal locked/);
    // Settled: 400 "settled signals are immutable".
    await settleToday(w, admin);
    const settled = await c.call("DELETE", "/api/v1/strategies/hs300-ml-alpha/signals/2026-05-14");
    assert.equal(settled.status, 400);
    assert.match(settled.body.detail, /settled signals are immutable/);
    const after = await c.call("GET", "/api/v1/strategies/hs300-ml-alpha/signals?limit=1");
    assertShape(after.body, HISTORY_EXAMPLE);
    assert.equal(after.body.signals[0].is_settled, true);
  }));

Deno.test("QuantGPT Signal Submission with GitHub attestation: committed in the background; attested signals cannot be deleted or replaced", () =>
  withWorld(async (w) => {
    const c = await quickstart(w);
    await c.call("POST", "/api/v1/strategies", CREATE_BODY);
    const submitted = await c.call("POST", "/api/v1/strategies/hs300-ml-alpha/signals", SIGNAL_BODY);
    assert.equal(submitted.status, 201);
    assertShape(submitted.body, {
      ...SUBMITTED_EXAMPLE,
      github_committed: false,
      attestation: { committed: false },
    });
    await w.deps.track.background.drain();
    const history = await c.call("GET", "/api/v1/strategies/hs300-ml-alpha/signals?limit=1");
    const latest = history.body.signals[0];
    assertShape(latest, HISTORY_EXAMPLE.signals[0]);
    assert.equal(latest.github_committed, true);
    assertShape(latest.attestation, SUBMITTED_EXAMPLE.attestation);
    const del = await c.call("DELETE", "/api/v1/strategies/hs300-ml-alpha/signals/2026-05-14");
    assert.equal(del.status, 400);
    assert.match(del.body.detail, /attested signals cannot be deleted/);
    const override = await c.call("POST", "/api/v1/strategies/hs300-ml-alpha/signals", {
      trade_date: "2026-05-14",
      signals: [{ symbol: "600519.SH", weight: 0.1 }],
    });
    assert.equal(override.status, 409, "not 400: the client must not read it as 'deadline passed'");
    assert.match(override.body.detail, /already submitted and attested on GitHub; it cannot be replaced/);
    assert.deepEqual([override.body.reason, override.body.replaceable], ["attested", false]);
  }, { github: true }));

// ------------------------------------------------------------------ Tickets and Notifications

Deno.test("QuantGPT Tickets: POST {title, description, category}, list, ?status=open, detail", () =>
  withWorld(async (w) => {
    const c = await quickstart(w);
    const created = await c.call("POST", "/api/v1/tickets", {
      title: "...",
      description: "...",
      category: "bug",
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assertShape(created.body, TICKET_EXAMPLE);
    for (const [k, v] of Object.entries(TICKET_EXAMPLE)) {
      if (!["id", "user_id", "created_at"].includes(k)) assert.equal(created.body[k], v, k);
    }
    for (const category of ["feature", "feedback", "data", "other"]) {
      assert.equal(
        (await c.call("POST", "/api/v1/tickets", { title: "t", description: "d", category })).status,
        201,
      );
    }
    assert.equal((await c.call("POST", "/api/v1/tickets", { title: "t", category: "praise" })).status, 422);
    const list = await c.call("GET", "/api/v1/tickets");
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 5);
    assertShape(list.body.items[0], TICKET_EXAMPLE);
    const open = await c.call("GET", "/api/v1/tickets?status=open");
    assert.equal(open.body.items.length, 5);
    const one = await c.call("GET", `/api/v1/tickets/${created.body.id}`);
    assert.equal(one.status, 200);
    assertShape(one.body, TICKET_EXAMPLE);
  }));

Deno.test("QuantGPT Notifications: list, ?unread_only=true, unread-count, read one, read-all (repeatable)", () =>
  withWorld(async (w, admin) => {
    const c = await quickstart(w);
    for (const title of ["first", "second"]) {
      const t = await c.call("POST", "/api/v1/tickets", { title, description: "d", category: "feedback" });
      const answered = await w.request("POST", `/api/v1/admin/tickets/${t.body.id}/reply`, {
        token: admin,
        json: { message: `About ${title}: thanks` },
      });
      assert.equal(answered.status, 200);
    }
    const all = await c.call("GET", "/api/v1/notifications");
    assert.equal(all.status, 200);
    assert.equal(all.body.items.length, 2);
    const unread = await c.call("GET", "/api/v1/notifications?unread_only=true");
    assert.equal(unread.body.items.length, 2);
    const count = await c.call("GET", "/api/v1/notifications/unread-count");
    assertShape(count.body, { unread_count: 3 });
    assert.equal(count.body.unread_count, 2);
    const read = await c.call("PATCH", `/api/v1/notifications/${all.body.items[0].id}/read`);
    assert.equal(read.status, 200);
    assert.equal((await c.call("GET", "/api/v1/notifications/unread-count")).body.unread_count, 1);
    for (let i = 0; i < 2; i++) {
      assert.equal((await c.call("POST", "/api/v1/notifications/read-all")).status, 200, "safe to repeat");
      assert.equal((await c.call("GET", "/api/v1/notifications/unread-count")).body.unread_count, 0);
    }
    assert.equal((await c.call("GET", "/api/v1/notifications?unread_only=true")).body.items.length, 0);
  }));

// ------------------------------------------------------------------ Error Response Format

Deno.test("QuantGPT Error Response Format: business errors carry a string detail, 422 a {type, loc, msg} list", () =>
  withWorld(async (w) => {
    const c = await quickstart(w);
    for (
      const [status, res] of [
        [401, await client(w, "qe_not_a_key").call("GET", "/api/v1/strategies")],
        [404, await c.call("GET", "/api/v1/strategies/no-such-strategy")],
        [400, await client(w, "").call("POST", "/api/v1/auth/invite", { invite_code: "NOPE" })],
      ] as const
    ) {
      assert.equal(res.status, status);
      assertShape(res.body, { detail: "human-readable error message" });
    }
    await c.call("POST", "/api/v1/strategies", CREATE_BODY);
    const invalid = await c.call("POST", "/api/v1/strategies/hs300-ml-alpha/signals", {
      trade_date: "2026-05-14",
      signals: [{ symbol: "600519.SH", weight: 1.5 }],
    });
    assert.equal(invalid.status, 422);
    assertShape(invalid.body, {
      detail: [{ type: "value_error", loc: ["body", "field_name"], msg: "error description" }],
    });
    assert.deepEqual(invalid.body.detail[0].loc, ["body", "signals", 0, "weight"]);
  }));

// ------------------------------------------------------------------ Recommended Workflow

Deno.test("QuantGPT Recommended Workflow: bootstrap, the 09:00 daily loop, the 18:45 settlement check", () =>
  withWorld(async (w, admin) => {
    // First-time agent bootstrap.
    const c = await quickstart(w);
    const created = await c.call("POST", "/api/v1/strategies", {
      name: "...",
      slug: "my-slug",
      universe: "hs300",
    });
    assert.equal(created.status, 201);
    assert.equal(
      (await c.call("POST", "/api/v1/strategies", { name: "...", slug: "my-slug", universe: "hs300" }))
        .status,
      409,
    );
    const strategiesAtSetup = await c.call("GET", "/api/v1/strategies");
    assert.ok(strategiesAtSetup.body.strategies.length > 0);

    // Daily loop at ~09:00 CST. The first day: the strategy is still pending, so ?status=active is empty —
    // the guide's loop submits for active strategies; a pending one is activated by its first signal.
    w.clock.set(cst(9, 0));
    const today = "2026-05-14";
    const calendar = await c.call("GET", `/api/v1/calendar?date=${today}`);
    assert.equal(calendar.body.is_trading_day, true);
    assert.equal(
      (await c.call("POST", "/api/v1/strategies/my-slug/signals", { ...SIGNAL_BODY, trade_date: today }))
        .status,
      201,
    );
    const strategies = (await c.call("GET", "/api/v1/strategies?status=active")).body.strategies;
    assert.deepEqual(strategies.map((s: { slug: string }) => s.slug), ["my-slug"]);
    for (const s of strategies) {
      const post = await c.call("POST", `/api/v1/strategies/${s.slug}/signals`, {
        trade_date: today,
        signals: SIGNAL_BODY.signals,
      });
      // "if 409: already submitted today, skip"
      assert.equal(post.status, 409);
    }

    // 18:45 CST settlement check (settlement ran at 18:15).
    await settleToday(w, admin);
    w.clock.set(cst(18, 45));
    for (const s of strategies) {
      const resp = await c.call("GET", `/api/v1/strategies/${s.slug}/signals?limit=1`);
      assert.equal(resp.body.signals[0].is_settled, true);
      const verify = await w.request("GET", `/api/v1/public/strategies/${s.slug}/verify?date=${today}`);
      assert.equal(verify.status, 200);
      assert.match(verify.headers.get("content-type") ?? "", /application\/json/);
      assert.equal(typeof (await verify.json()), "object");
    }
  }));

// ------------------------------------------------------------------ Error Recovery (each row)

Deno.test("QuantGPT Error Recovery, 409 with GitHub on: identical → skip; different and replaceable → DELETE + re-POST; attested → final", () =>
  withWorld(async (w, admin, gh) => {
    const c = await quickstart(w);
    await c.call("POST", "/api/v1/strategies", CREATE_BODY);
    const path = "/api/v1/strategies/hs300-ml-alpha/signals";
    // GitHub is down for now, so the signal stays unattested (and replaceable) until the retry below.
    gh!.failWith = 503;
    assert.equal((await c.call("POST", path, SIGNAL_BODY)).status, 201);
    await w.deps.track.background.drain();

    // Identical re-POST (e.g. a blind retry after a timeout): 409, and the guide's comparison says skip.
    const again = await c.call("POST", path, SIGNAL_BODY);
    assert.equal(again.status, 409);
    assertShape(again.body, { detail: "" });
    assert.deepEqual([again.body.reason, again.body.identical, again.body.replaceable], [
      "identical",
      true,
      true,
    ]);
    const existing = await c.call("GET", `${path}?limit=1`);
    assert.deepEqual(existing.body.signals[0].signals, SIGNAL_BODY.signals, "identical content — skip");
    assert.equal(existing.body.signals[0].signal_hash, again.body.existing_signal_hash);

    // Different signals while not yet attested: the guide's DELETE then re-POST succeeds (so does a plain re-POST).
    const mine = { trade_date: "2026-05-14", signals: [{ symbol: "600519.SH", weight: 0.2 }] };
    assert.notDeepEqual((await c.call("GET", `${path}?limit=1`)).body.signals[0].signals, mine.signals);
    assert.equal((await c.call("DELETE", `${path}/2026-05-14`)).status, 200);
    const reposted = await c.call("POST", path, mine);
    assert.equal(reposted.status, 201);
    assert.equal(reposted.body.replaced, false, "a fresh submission after the DELETE");

    // Once attested (GitHub is back; the 09:10 retry job commits it): a different re-POST is 409 (final), the
    // DELETE of the recovery step 400, and the client stops.
    await w.deps.track.background.drain();
    gh!.failWith = null;
    const retry = await w.request("POST", "/api/v1/admin/jobs/retry-attestations/run", { token: admin });
    assert.equal(retry.status, 200);
    assert.equal((await c.call("GET", `${path}?limit=1`)).body.signals[0].github_committed, true);
    const final = await c.call("POST", path, SIGNAL_BODY);
    assert.equal(final.status, 409);
    assert.deepEqual([final.body.reason, final.body.identical, final.body.replaceable], [
      "attested",
      false,
      false,
    ]);
    assert.doesNotMatch(final.body.detail, /deadline passed/);
    const del = await c.call("DELETE", `${path}/2026-05-14`);
    assert.equal(del.status, 400);
    assert.match(del.body.detail, /attested signals cannot be deleted/);
    // An identical re-POST of the attested signal is still the harmless "already recorded".
    const same = await c.call("POST", path, mine);
    assert.equal(same.status, 409);
    assert.deepEqual([same.body.reason, same.body.replaceable], ["identical", false]);
  }, { github: true }));

Deno.test("QuantGPT Error Recovery, 400 rows: not a trading day → next_trading_day; deadline passed; paused → PATCH active; retired → new strategy", () =>
  withWorld(async (w) => {
    const c = await quickstart(w);
    await c.call("POST", "/api/v1/strategies", CREATE_BODY);
    const path = "/api/v1/strategies/hs300-ml-alpha/signals";

    // 400 "not a trading day": use cal.next_trading_day instead.
    const saturday = await c.call("POST", path, { ...SIGNAL_BODY, trade_date: "2026-05-16" });
    assert.equal(saturday.status, 400);
    assert.match(saturday.body.detail, /not an SSE trading day/);
    const cal = await c.call("GET", "/api/v1/calendar?date=2026-05-16");
    assert.equal(cal.body.next_trading_day, "2026-05-18");
    assert.equal(
      (await c.call("POST", path, { ...SIGNAL_BODY, trade_date: cal.body.next_trading_day })).status,
      201,
    );

    // 400 "deadline passed": no recovery for today; submit for next_trading_day instead.
    w.clock.set(cst(9, 15));
    const late = await c.call("POST", path, SIGNAL_BODY);
    assert.equal(late.status, 400);
    assert.match(late.body.detail, /deadline passed/);
    const next = (await c.call("GET", "/api/v1/calendar?date=2026-05-14")).body.next_trading_day;
    assert.equal((await c.call("POST", path, { ...SIGNAL_BODY, trade_date: next })).status, 201);

    // 400 "strategy status is paused": PATCH status active, then retry.
    assert.equal(
      (await c.call("PATCH", "/api/v1/strategies/hs300-ml-alpha", { status: "paused" })).status,
      200,
    );
    const paused = await c.call("POST", path, { ...SIGNAL_BODY, trade_date: "2026-05-19" });
    assert.equal(paused.status, 400);
    assert.match(paused.body.detail, /is paused/);
    assert.equal(
      (await c.call("PATCH", "/api/v1/strategies/hs300-ml-alpha", { status: "active" })).status,
      200,
    );
    assert.equal((await c.call("POST", path, { ...SIGNAL_BODY, trade_date: "2026-05-19" })).status, 201);

    // 400 "strategy status is retired": create a new strategy.
    assert.equal((await c.call("DELETE", "/api/v1/strategies/hs300-ml-alpha")).status, 200);
    const retired = await c.call("POST", path, { ...SIGNAL_BODY, trade_date: "2026-05-20" });
    assert.equal(retired.status, 400);
    assert.match(retired.body.detail, /is retired/);
    assert.equal(
      (await c.call("POST", "/api/v1/strategies", { ...CREATE_BODY, slug: "hs300-ml-alpha-2" })).status,
      201,
    );
    assert.equal(
      (await c.call("POST", "/api/v1/strategies/hs300-ml-alpha-2/signals", {
        ...SIGNAL_BODY,
        trade_date: "2026-05-20",
      }))
        .status,
      201,
    );

    // 422: read detail[].loc, fix that field, retry.
    const bad = await c.call("POST", "/api/v1/strategies/hs300-ml-alpha-2/signals", {
      trade_date: "2026-05-21",
      signals: [{ symbol: "600519.SH", weight: 0 }],
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.detail[0].loc, ["body", "signals", 0, "weight"]);
    const fixed = await c.call("POST", "/api/v1/strategies/hs300-ml-alpha-2/signals", {
      trade_date: "2026-05-21",
      signals: [{ symbol: "600519.SH", weight: 0.1 }],
    });
    assert.equal(fixed.status, 201);
  }));

Deno.test("QuantGPT Error Recovery, authentication: revoked key → list and create; expired access token → refresh; disabled → 403, then a ticket", () =>
  withWorld(async (w) => {
    const c = await quickstart(w);
    const session = client(w, c.access);
    const keyId = (await session.call("GET", "/api/v1/billing/api-keys")).body.items[0].id;
    assert.equal((await session.call("DELETE", `/api/v1/billing/api-keys/${keyId}`)).status, 200);
    // 401 with an API key: it may be revoked — GET api-keys to check, then create a new one.
    assert.equal((await c.call("GET", "/api/v1/strategies")).status, 401);
    assert.equal((await session.call("GET", "/api/v1/billing/api-keys")).body.items.length, 0);
    const fresh = await session.call("POST", "/api/v1/billing/api-keys", { name: "..." });
    assert.equal(fresh.status, 201);
    assert.equal((await client(w, fresh.body.api_key).call("GET", "/api/v1/strategies")).status, 200);

    // 401 with an expired access token (24 h): POST /auth/refresh.
    w.clock.set(T0 + 25 * HOUR);
    assert.equal((await session.call("GET", "/api/v1/auth/me")).status, 401);
    const refreshed = await client(w, "").call("POST", "/api/v1/auth/refresh", { refresh_token: c.refresh });
    assert.equal(refreshed.status, 200);
    assert.equal((await client(w, refreshed.body.access_token).call("GET", "/api/v1/auth/me")).status, 200);

    // 403 "Account disabled".
    const me = (await client(w, refreshed.body.access_token).call("GET", "/api/v1/auth/me")).body;
    const admin = (await signInAdmin(w)).access_token; // signed in again: the first admin token expired too
    const off = await w.request("PATCH", `/api/v1/admin/users/${me.id}`, {
      token: admin,
      json: { disabled: true },
    });
    assert.equal(off.status, 200);
    const refused = await client(w, fresh.body.api_key).call("GET", "/api/v1/strategies");
    assert.equal(refused.status, 403);
    assert.equal(refused.body.detail, "Account disabled");
    // "contact support": a disabled account may still open (a few) tickets and read them.
    const disabledClient = client(w, fresh.body.api_key);
    const ticket = await disabledClient.call("POST", "/api/v1/tickets", {
      category: "other",
      title: "account disabled",
    });
    assert.equal(ticket.status, 201, JSON.stringify(ticket.body));
    assertShape(ticket.body, TICKET_EXAMPLE);
    assert.equal((await disabledClient.call("GET", `/api/v1/tickets/${ticket.body.id}`)).status, 200);
    assert.equal((await disabledClient.call("GET", "/api/v1/tickets")).body.items.length, 1);
    for (let i = 1; i < 3; i++) {
      assert.equal(
        (await disabledClient.call("POST", "/api/v1/tickets", { title: `again ${i}` })).status,
        201,
      );
    }
    const capped = await disabledClient.call("POST", "/api/v1/tickets", { title: "fourth" });
    assert.equal(capped.status, 403, "at most 3 tickets not closed while disabled");
    assert.match(capped.body.detail, /^Account disabled/);
    assert.equal((await disabledClient.call("GET", "/api/v1/notifications")).status, 403, "nothing else");
  }));

Deno.test("QuantGPT Error Recovery: settlement not appearing → wait before 19:00, then file a {category, title} ticket", () =>
  withWorld(async (w) => {
    const c = await quickstart(w);
    await c.call("POST", "/api/v1/strategies", CREATE_BODY);
    await c.call("POST", "/api/v1/strategies/hs300-ml-alpha/signals", SIGNAL_BODY);
    w.clock.set(cst(18, 30)); // after 18:15, settlement not run
    const resp = await c.call("GET", "/api/v1/strategies/hs300-ml-alpha/signals?limit=1");
    assert.deepEqual([resp.body.signals[0].trade_date, resp.body.signals[0].is_settled], [
      "2026-05-14",
      false,
    ]);
    w.clock.set(cst(19, 5));
    const ticket = await c.call("POST", "/api/v1/tickets", {
      category: "data",
      title: "settlement missing for hs300-ml-alpha on 2026-05-14",
    });
    assert.equal(ticket.status, 201, JSON.stringify(ticket.body));
    assertShape(ticket.body, TICKET_EXAMPLE);
    assert.equal(ticket.body.description, "");
  }));

Deno.test("QuantGPT Error Recovery: network timeout — confirm with the GET before retrying", () =>
  withWorld(async (w) => {
    const c = await quickstart(w);
    // Strategy create "timed out": GET /strategies shows whether the slug exists.
    await c.call("POST", "/api/v1/strategies", CREATE_BODY);
    const slugs = (await c.call("GET", "/api/v1/strategies")).body.strategies.map((s: { slug: string }) =>
      s.slug
    );
    assert.ok(slugs.includes("hs300-ml-alpha"), "it succeeded: do not retry");
    // Signal submit "timed out": the latest signal's trade_date is today, so the submission succeeded.
    await c.call("POST", "/api/v1/strategies/hs300-ml-alpha/signals", SIGNAL_BODY);
    const latest = (await c.call("GET", "/api/v1/strategies/hs300-ml-alpha/signals?limit=1")).body.signals[0];
    assert.equal(latest.trade_date, "2026-05-14");
    // API key create "timed out": GET api-keys lists it.
    const keys = (await c.call("GET", "/api/v1/billing/api-keys")).body.items;
    assert.deepEqual(keys.map((k: { name: string }) => k.name), ["my-agent"]);
  }));

// ------------------------------------------------------------------ Idempotency & Retry Safety (each row)

Deno.test("QuantGPT Idempotency table: every row outside the claimed and factor sections", () =>
  withWorld(async (w) => {
    const anon = client(w, "");
    // POST /auth/invite: NO — each call creates a NEW account.
    const one = await anon.call("POST", "/api/v1/auth/invite", { invite_code: "YOUR_CODE" });
    const two = await anon.call("POST", "/api/v1/auth/invite", { invite_code: "YOUR_CODE" });
    assert.notEqual(one.body.user.id, two.body.user.id);
    const c = await quickstart(w);
    // POST /billing/api-keys: NO — a NEW key even with the same name (GET lists both).
    assert.equal((await c.call("POST", "/api/v1/billing/api-keys", { name: "my-agent" })).status, 201);
    const keys = (await c.call("GET", "/api/v1/billing/api-keys")).body.items;
    assert.deepEqual(keys.map((k: { name: string }) => k.name), ["my-agent", "my-agent"]);
    // POST /strategies: NO — 409 if the slug is taken.
    assert.equal((await c.call("POST", "/api/v1/strategies", CREATE_BODY)).status, 201);
    assert.equal((await c.call("POST", "/api/v1/strategies", CREATE_BODY)).status, 409);
    // POST /strategies/{slug}/signals: NO — 409 if the trade_date is already submitted.
    const path = "/api/v1/strategies/hs300-ml-alpha/signals";
    assert.equal((await c.call("POST", path, SIGNAL_BODY)).status, 201);
    assert.equal((await c.call("POST", path, SIGNAL_BODY)).status, 409);
    // DELETE /strategies/{slug}/signals/{date}: YES — 404 on the second call.
    assert.equal((await c.call("DELETE", `${path}/2026-05-14`)).status, 200);
    assert.equal((await c.call("DELETE", `${path}/2026-05-14`)).status, 404);
    // POST /notifications/read-all: YES.
    for (let i = 0; i < 2; i++) {
      assert.equal((await c.call("POST", "/api/v1/notifications/read-all")).status, 200);
    }
    // PATCH /auth/profile: YES — same data, same result.
    const session = client(w, c.access);
    const first = await session.call("PATCH", "/api/v1/auth/profile", { nickname: "same_name" });
    const second = await session.call("PATCH", "/api/v1/auth/profile", { nickname: "same_name" });
    assert.deepEqual([first.status, second.status], [200, 200]);
    assert.equal(first.body.nickname, second.body.nickname);
    // POST /tickets: NO — each call creates a NEW ticket (GET lists both).
    for (let i = 0; i < 2; i++) {
      await c.call("POST", "/api/v1/tickets", { title: "t", description: "d", category: "bug" });
    }
    assert.equal((await c.call("GET", "/api/v1/tickets")).body.items.length, 2);
  }));

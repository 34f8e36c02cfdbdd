/**
 * Conformance of the MCP tools with the QuantGPT Cloud guide (the product document `002_ff083b1df4fa4df6.txt`):
 * the guide's agent workflows replayed through the tools an agent sees over MCP (the SDK client on loopback)
 * instead of the HTTP paths — the Agent Quickstart, the Recommended Workflow's bootstrap and daily loop (with
 * the 18:45 settlement check), each row of the Error Recovery section and the Idempotency table's "confirm
 * before retry" reads — and every documented response field asserted by name and JSON type against the
 * document's example JSON (`tests/_helpers/quantgpt_cloud_examples.ts`, shared with `quantgpt_cloud_test.ts`).
 *
 * Differences an MCP client meets (beside the HTTP API's own, listed there): the bootstrap is one tool,
 * register_with_invite, answering the API key and the user (no access or refresh token: an agent never needs
 * them); errors are results with `isError` and `structuredContent.error = {status, type, detail, extra?,
 * recovery, correlation_id}`, where the HTTP API's extra body fields (`reason`, `next_trading_day`, …) are in
 * `extra` and a 422's `loc` is a path into the tool's arguments (no "body" in front); a refused credential is
 * refused by HTTP (401/403) before any tool runs.
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
import { connectMcp, type McpTestClient, serveWorld } from "../_helpers/mcp_client.ts";
import { openTestWorld, signInAdmin, type TestWorld } from "../_helpers/test_app.ts";
import { ALL_TOOLS } from "../../mcp/tool_catalog.ts";

/** An instant on 2026-05-14 (the test world's trading day, a Thursday) in Asia/Shanghai. */
const cst = (h: number, m: number) => Date.UTC(2026, 4, 14, h - 8, m);

// ------------------------------------------------------------------ the document's examples, as written

/** The `user` of "Invite code (first-time registration)". */
const USER_EXAMPLE = {
  id: "550e8400-e29b-41d4-a716-446655440000",
  nickname: "user_a1b2c3",
  email: "user_a1b2c3@quantgpt.local",
  tier: "free",
  profile_complete: false,
  has_password: false,
};

/** "Single date query" of the calendar. */
const CALENDAR_DAY_EXAMPLE = {
  date: "2026-05-14",
  is_trading_day: true,
  next_trading_day: "2026-05-15",
  today: "2026-05-14",
};

/** "Monthly query" of the calendar. */
const CALENDAR_MONTH_EXAMPLE = {
  month: "2026-05",
  trading_days: ["2026-05-06", "2026-05-07"],
  count: 18,
  today: "2026-05-14",
  today_is_trading_day: true,
  next_trading_day: "2026-05-15",
};

/** "Upload / Replace" response of the claimed history. */
const CLAIMED_EXAMPLE = {
  strategy_slug: "hs300-ml-alpha",
  data_points: 240,
  start_date: "2024-01-02",
  end_date: "2024-12-31",
  total_return: 0.1523,
  sharpe: 1.42,
  max_drawdown: 0.0834,
  uploaded_at: "2026-05-14T10:00:00Z",
};

/** The structured error of a failed tool call (this server's form of the document's error body). */
const TOOL_ERROR_EXAMPLE = {
  error: { status: 400, type: "bad_request", detail: "...", recovery: "...", correlation_id: "..." },
};

/** A 422's detail entry ("Validation errors"), with `loc` relative to the tool's arguments. */
const VALIDATION_EXAMPLE = [{ type: "value_error", loc: ["field_name"], msg: "error description" }];

const assertShape = (actual: unknown, example: unknown) => assertDocumentShape(actual, example);

/** Whether a tool is served (tickets and notifications come with another helper's branch). */
const served = (name: string) => ALL_TOOLS.some((t) => t.name === name);

// ------------------------------------------------------------------ a world and an agent

interface World {
  w: TestWorld;
  url: string;
  admin: string;
  gh: ReturnType<typeof startFakeGithubContents> | null;
}

async function withWorld(fn: (x: World) => Promise<void>, opts: { github?: boolean } = {}): Promise<void> {
  const gh = opts.github
    ? startFakeGithubContents({ token: "ghp_test", owner: "acme", repo: "signals" })
    : null;
  const w = await openTestWorld({
    RATE_LIMIT_MCP: "100000/1m",
    RATE_LIMIT_MCP_ANON_PER_IP: "100000/1m",
    ...(gh
      ? { GITHUB_TOKEN: "ghp_test", ATTEST_REPO: "acme/signals", GITHUB_API_BASE_URL: gh.apiBaseUrl }
      : {}),
  });
  const server = serveWorld(w);
  try {
    const admin = (await signInAdmin(w)).access_token;
    const res = await w.request("POST", "/api/v1/admin/invite-codes", {
      token: admin,
      json: { code: "YOUR_CODE", max_uses: 20 },
    });
    assert.equal(res.status, 201, await res.clone().text());
    await fn({ w, url: server.url, admin, gh });
  } finally {
    await server.close();
    await w.close();
    await gh?.close();
  }
}

/** The Agent Quickstart through MCP: register_with_invite anonymously, then a client holding the API key. */
async function quickstart(url: string): Promise<McpTestClient & { apiKey: string; userId: string }> {
  const anon = await connectMcp(url);
  const reg = await anon.callTool("register_with_invite", { invite_code: "YOUR_CODE" });
  await anon.close();
  assert.equal(reg.isError, false, reg.text);
  assertShape(reg.body, { api_key: "qgpt_...", user: USER_EXAMPLE });
  assert.match(reg.body.api_key, /^qe_/, "our key prefix (a deliberate difference)");
  const mcp = await connectMcp(url, reg.body.api_key);
  return Object.assign(mcp, { apiKey: reg.body.api_key as string, userId: reg.body.user.id as string });
}

/** Asserts a failed call in this server's error form with `status`; answers the error body. */
// deno-lint-ignore no-explicit-any -- read as an agent reads it
function failed(r: { isError: boolean; body: Record<string, any>; text: string }, status: number) {
  assert.equal(r.isError, true, r.text);
  assert.equal(r.body.error?.status, status, r.text);
  // Business errors carry a string detail, a 422 the list of {type, loc, msg} (the Error Response Format).
  assertShape(
    r.body,
    status === 422
      ? { error: { ...TOOL_ERROR_EXAMPLE.error, detail: VALIDATION_EXAMPLE } }
      : TOOL_ERROR_EXAMPLE,
  );
  assert.match(r.text, new RegExp(`^${status} \\w+: .*\\nRecovery: `, "s"));
  return r.body.error;
}

/** Runs the 18:15 CST settlement job for 2026-05-14 (the cron's job, through the admin route). */
async function settleToday(x: World): Promise<void> {
  x.w.clock.set(cst(18, 15));
  const admin = (await signInAdmin(x.w)).access_token;
  const res = await x.w.request("POST", "/api/v1/admin/jobs/settle-signals/run?date=2026-05-14", {
    token: admin,
  });
  assert.equal(res.status, 200, await res.clone().text());
}

// ------------------------------------------------------------------ Agent Quickstart, tiers, calendar

Deno.test("QuantGPT over MCP, Agent Quickstart: register_with_invite answers the key and the user; the key works without a profile", () =>
  withWorld(async ({ url }) => {
    const c = await quickstart(url);
    const me = await c.callTool("whoami");
    assertShape(me.body, USER_EXAMPLE);
    assert.deepEqual([me.body.id, me.body.tier, me.body.profile_complete], [c.userId, "free", false]);
    // Each call creates a NEW anonymous account.
    const anon = await connectMcp(url);
    const other = await anon.callTool("register_with_invite", { invite_code: "YOUR_CODE" });
    assert.notEqual(other.body.user.id, c.userId);
    // An unusable code: 400 with a string detail.
    const bad = failed(await anon.callTool("register_with_invite", { invite_code: "NOT_A_CODE" }), 400);
    assert.equal(typeof bad.detail, "string");
    await anon.close();
    // Token & Key Management through the key: list, create, revoke.
    const keys = await c.callTool("list_api_keys", {});
    assert.equal(keys.body.items.length, 1);
    const second = await c.callTool("create_api_key", { name: "my-agent" });
    assertShape(second.body, { api_key: "qgpt_..." });
    const revoked = await c.callTool("revoke_api_key", { key_id: second.body.id });
    assert.equal(revoked.isError, false, revoked.text);
    await assert.rejects(() => connectMcp(url, second.body.api_key), "a revoked key is refused");
    await c.close();
  }));

Deno.test("QuantGPT over MCP, Account Tiers and Trading Calendar as documented", () =>
  withWorld(async ({ url }) => {
    const c = await quickstart(url);
    const mine = await c.callTool("get_tier");
    assertShape(mine.body, {
      tier: "free",
      max_strategies: 3,
      strategy_universes: ["hs300", "csi500", "csi1000", "csi2000", "etf_all"],
    });
    assert.deepEqual([mine.body.tier, mine.body.max_strategies], ["free", 3]);
    const all = await c.callTool("list_tiers");
    assert.deepEqual(
      all.body.tiers.map((t: { tier: string; max_strategies: number }) => [t.tier, t.max_strategies]),
      [["free", 3], ["licensed", 20]],
    );
    // The calendar needs no credential.
    const anon = await connectMcp(url);
    const day = await anon.callTool("get_calendar", { date: "2026-05-14" });
    assertShape(day.body, CALENDAR_DAY_EXAMPLE);
    for (const [k, v] of Object.entries(CALENDAR_DAY_EXAMPLE)) assert.equal(day.body[k], v, k);
    const month = await anon.callTool("get_calendar", { month: "2026-05" });
    assertShape(month.body, CALENDAR_MONTH_EXAMPLE);
    assert.deepEqual(month.body.trading_days.slice(0, 2), CALENDAR_MONTH_EXAMPLE.trading_days);
    assert.equal(month.body.count, 18);
    // "Must provide either month or date."
    const neither = failed(await anon.callTool("get_calendar", {}), 422);
    assertShape(neither.detail, VALIDATION_EXAMPLE);
    await anon.close();
    await c.close();
  }));

// ------------------------------------------------------------------ Strategy Management, Signal Submission

Deno.test("QuantGPT over MCP, Strategy Management: create, list, status filter, detail, update (4 fields), retire, status machine", () =>
  withWorld(async ({ url }) => {
    const c = await quickstart(url);
    const created = await c.callTool("create_strategy", CREATE_BODY);
    assert.equal(created.isError, false, created.text);
    assertShape(created.body, CREATED_EXAMPLE);
    for (const [k, v] of Object.entries(CREATED_EXAMPLE)) {
      if (k !== "created_at") assert.deepEqual(created.body[k], v, k);
    }
    failed(await c.callTool("create_strategy", CREATE_BODY), 409);
    const list = await c.callTool("list_strategies", {});
    assertShape(list.body, { strategies: [CREATED_EXAMPLE] });
    assert.equal((await c.callTool("list_strategies", { status: "active" })).body.strategies.length, 0);
    const first = await c.callTool("submit_signal", { slug: "hs300-ml-alpha", ...SIGNAL_BODY });
    assert.equal(first.isError, false, first.text);
    const active = await c.callTool("list_strategies", { status: "active" });
    assertShape(active.body, LIST_EXAMPLE);
    assert.equal(active.body.strategies[0].status, "active", "pending → active on the first signal");
    assertShape((await c.callTool("get_strategy", { slug: "hs300-ml-alpha" })).body, CREATED_EXAMPLE);

    const patched = await c.callTool("update_strategy", {
      slug: "hs300-ml-alpha",
      name: "HS300 ML Alpha v2",
      description: "LightGBM on 158 factors",
      status: "paused",
      is_public: false,
    });
    assert.deepEqual(
      [patched.body.name, patched.body.description, patched.body.status, patched.body.is_public],
      ["HS300 ML Alpha v2", "LightGBM on 158 factors", "paused", false],
    );
    // Only the 4 fields: any other is 422 at its own name.
    for (const extra of [{ universe: "csi500" }, { holding_period: 5 }]) {
      const e = failed(await c.callTool("update_strategy", { slug: "hs300-ml-alpha", ...extra }), 422);
      assert.deepEqual(e.detail[0].loc, [Object.keys(extra)[0]]);
      assert.equal(e.detail[0].type, "extra_forbidden");
    }
    assert.equal(
      (await c.callTool("update_strategy", { slug: "hs300-ml-alpha", status: "active" })).body.status,
      "active",
    );
    const retired = await c.callTool("retire_strategy", { slug: "hs300-ml-alpha" });
    assert.equal(retired.body.status, "retired");
    assert.equal(typeof retired.body.retired_at, "string");
    const out = failed(
      await c.callTool("update_strategy", { slug: "hs300-ml-alpha", status: "active" }),
      400,
    );
    assert.equal(typeof out.detail, "string", "retired is terminal");
    await c.callTool("create_strategy", { ...CREATE_BODY, slug: "pending-one" });
    failed(await c.callTool("update_strategy", { slug: "pending-one", status: "paused" }), 400);
    const all = await c.callTool("list_strategies", {});
    assert.deepEqual(
      all.body.strategies.map((s: { status: string }) => s.status).sort(),
      ["pending", "retired"],
      "without status the list includes retired ones",
    );
    await c.close();
  }));

Deno.test("QuantGPT over MCP, Signal Submission: submit, history, override, withdraw conditions", () =>
  withWorld(async (x) => {
    const c = await quickstart(x.url);
    await c.callTool("create_strategy", CREATE_BODY);
    const slug = "hs300-ml-alpha";
    const submitted = await c.callTool("submit_signal", { slug, ...SIGNAL_BODY });
    assert.equal(submitted.isError, false, submitted.text);
    assertShape(submitted.body, { ...SUBMITTED_EXAMPLE, attestation: { committed: false } });
    assert.deepEqual(submitted.body.attestation, { committed: false, reason: "repo_not_configured" });
    assert.equal(submitted.body.replaced, false);

    const history = await c.callTool("list_signals", { slug, limit: 30, offset: 0 });
    assertShape(history.body, HISTORY_EXAMPLE);
    assert.deepEqual(history.body.signals[0].signals, SIGNAL_BODY.signals, "in the order submitted");
    assert.equal(history.body.signals[0].signal_hash, submitted.body.signal_hash);

    // Override before the deadline: re-submit with the same trade_date.
    const replaced = await c.callTool("submit_signal", {
      slug,
      trade_date: "2026-05-14",
      signals: [{ symbol: "600519.SH", weight: 0.1 }],
    });
    assert.equal(replaced.body.replaced, true);

    // Delete Conditions: before the deadline, not settled, not attested → withdrawn; again → 404.
    assert.equal((await c.callTool("withdraw_signal", { slug, trade_date: "2026-05-14" })).isError, false);
    failed(await c.callTool("withdraw_signal", { slug, trade_date: "2026-05-14" }), 404);
    await c.callTool("submit_signal", { slug, ...SIGNAL_BODY });
    x.w.clock.set(cst(9, 15));
    const late = failed(await c.callTool("withdraw_signal", { slug, trade_date: "2026-05-14" }), 400);
    assert.match(late.detail, /deadline passed, signal locked/);
    await settleToday(x);
    const settled = failed(await c.callTool("withdraw_signal", { slug, trade_date: "2026-05-14" }), 400);
    assert.match(settled.detail, /settled signals are immutable/);
    const after = await c.callTool("list_signals", { slug, limit: 1 });
    assertShape(after.body, HISTORY_EXAMPLE);
    assert.equal(after.body.signals[0].is_settled, true);
    await c.close();
  }));

// ------------------------------------------------------------------ Recommended Workflow

Deno.test("QuantGPT over MCP, Recommended Workflow: bootstrap, the 09:00 daily loop, the 18:45 settlement check", () =>
  withWorld(async (x) => {
    // First-time agent bootstrap.
    const c = await quickstart(x.url);
    const created = await c.callTool("create_strategy", { name: "...", slug: "my-slug", universe: "hs300" });
    assert.equal(created.isError, false, created.text);
    const taken = failed(
      await c.callTool("create_strategy", { name: "...", slug: "my-slug", universe: "hs300" }),
      409,
    );
    assert.match(taken.recovery, /choose another/, "if 409: slug already taken, choose another");
    const atSetup = await c.callTool("list_strategies", {});
    assert.ok(atSetup.body.strategies.length > 0);

    // Daily loop at ~09:00 CST. A pending strategy is activated by its first signal.
    x.w.clock.set(cst(9, 0));
    const calendar = await c.callTool("get_calendar", { date: "2026-05-14" });
    const today: string = calendar.body.today;
    assert.equal(calendar.body.is_trading_day, true);
    assert.equal(
      (await c.callTool("submit_signal", { slug: "my-slug", ...SIGNAL_BODY, trade_date: today })).isError,
      false,
    );
    const strategies = (await c.callTool("list_strategies", { status: "active" })).body.strategies;
    assert.deepEqual(strategies.map((s: { slug: string }) => s.slug), ["my-slug"]);
    for (const s of strategies) {
      const post = await c.callTool("submit_signal", { slug: s.slug, ...SIGNAL_BODY, trade_date: today });
      // "if 409: already submitted today, skip"
      assert.equal(failed(post, 409).extra.reason, "identical");
    }

    // 18:45 CST settlement check (settlement ran at 18:15): verify the day.
    await settleToday(x);
    x.w.clock.set(cst(18, 45));
    const anon = await connectMcp(x.url);
    for (const s of strategies) {
      const resp = await c.callTool("list_signals", { slug: s.slug, limit: 1 });
      assert.equal(resp.body.signals[0].is_settled, true);
      const verify = await anon.callTool("verify_day", { slug: s.slug, date: today });
      assert.equal(verify.isError, false, verify.text);
      for (const k of ["verification", "data_provenance", "how_to_verify"]) assert.ok(k in verify.body, k);
      assert.equal(typeof verify.body.verification.nav, "number");
    }
    await anon.close();
    await c.close();
  }));

// ------------------------------------------------------------------ Error Recovery (each row)

Deno.test("QuantGPT over MCP, Error Recovery 409 with GitHub on: identical → skip; replaceable → withdraw + re-submit; attested → final", () =>
  withWorld(async (x) => {
    const c = await quickstart(x.url);
    await c.callTool("create_strategy", CREATE_BODY);
    const slug = "hs300-ml-alpha";
    x.gh!.failWith = 503; // GitHub down: the signal stays unattested (replaceable) until the retry below
    assert.equal((await c.callTool("submit_signal", { slug, ...SIGNAL_BODY })).isError, false);
    await x.w.deps.track.background.drain();

    const again = failed(await c.callTool("submit_signal", { slug, ...SIGNAL_BODY }), 409);
    assertShape(again, {
      detail: "",
      extra: { reason: "identical", existing_signal_hash: "", replaceable: true },
    });
    assert.deepEqual([again.extra.reason, again.extra.replaceable], ["identical", true]);
    assert.match(again.recovery, /nothing to do/);
    // The recovery read: the recorded signal equals mine — skip.
    const existing = await c.callTool("list_signals", { slug, limit: 1 });
    assert.deepEqual(existing.body.signals[0].signals, SIGNAL_BODY.signals);
    assert.equal(existing.body.signals[0].signal_hash, again.extra.existing_signal_hash);

    // Different and not yet attested: withdraw, then submit again.
    const mine = { trade_date: "2026-05-14", signals: [{ symbol: "600519.SH", weight: 0.2 }] };
    assert.equal((await c.callTool("withdraw_signal", { slug, trade_date: "2026-05-14" })).isError, false);
    const reposted = await c.callTool("submit_signal", { slug, ...mine });
    assert.equal(reposted.body.replaced, false, "a fresh submission after the withdrawal");

    // Once attested (GitHub back, the 09:10 retry job): a different re-submit is 409 final; withdraw 400.
    await x.w.deps.track.background.drain();
    x.gh!.failWith = null;
    const retry = await x.w.request("POST", "/api/v1/admin/jobs/retry-attestations/run", { token: x.admin });
    assert.equal(retry.status, 200);
    const latest = await c.callTool("list_signals", { slug, limit: 1 });
    assert.equal(latest.body.signals[0].github_committed, true);
    assertShape(latest.body.signals[0].attestation, SUBMITTED_EXAMPLE.attestation);
    const final = failed(await c.callTool("submit_signal", { slug, ...SIGNAL_BODY }), 409);
    assert.deepEqual([final.extra.reason, final.extra.replaceable], ["attested", false]);
    assert.match(final.recovery, /final.*next trading day/s);
    assert.doesNotMatch(final.detail, /deadline passed/);
    const del = failed(await c.callTool("withdraw_signal", { slug, trade_date: "2026-05-14" }), 400);
    assert.match(del.detail, /attested signals cannot be deleted/);
    await c.close();
  }, { github: true }));

Deno.test("QuantGPT over MCP, Error Recovery 400 rows and 422: not a trading day, deadline passed, paused, retired, loc", () =>
  withWorld(async (x) => {
    const c = await quickstart(x.url);
    await c.callTool("create_strategy", CREATE_BODY);
    const slug = "hs300-ml-alpha";

    // 400 "not a trading day": use next_trading_day instead.
    const saturday = failed(
      await c.callTool("submit_signal", { slug, ...SIGNAL_BODY, trade_date: "2026-05-16" }),
      400,
    );
    assert.match(saturday.detail, /not an SSE trading day/);
    assert.equal(saturday.extra.next_trading_day, "2026-05-18");
    assert.match(saturday.recovery, /next_trading_day/);
    const cal = await c.callTool("get_calendar", { date: "2026-05-16" });
    assert.equal(cal.body.next_trading_day, "2026-05-18");
    assert.equal(
      (await c.callTool("submit_signal", { slug, ...SIGNAL_BODY, trade_date: cal.body.next_trading_day }))
        .isError,
      false,
    );

    // 400 "deadline passed": submit for the next trading day instead.
    x.w.clock.set(cst(9, 15));
    const late = failed(await c.callTool("submit_signal", { slug, ...SIGNAL_BODY }), 400);
    assert.match(late.detail, /deadline passed/);
    assert.match(late.recovery, /next trading day/);
    const next = (await c.callTool("get_calendar", { date: "2026-05-14" })).body.next_trading_day;
    assert.equal(
      (await c.callTool("submit_signal", { slug, ...SIGNAL_BODY, trade_date: next })).isError,
      false,
    );

    // 400 paused: update_strategy active, then retry.
    await c.callTool("update_strategy", { slug, status: "paused" });
    const paused = failed(
      await c.callTool("submit_signal", { slug, ...SIGNAL_BODY, trade_date: "2026-05-19" }),
      400,
    );
    assert.match(paused.detail, /is paused/);
    assert.match(paused.recovery, /update_strategy/);
    await c.callTool("update_strategy", { slug, status: "active" });
    assert.equal(
      (await c.callTool("submit_signal", { slug, ...SIGNAL_BODY, trade_date: "2026-05-19" })).isError,
      false,
    );

    // 400 retired: create a new strategy.
    await c.callTool("retire_strategy", { slug });
    const retired = failed(
      await c.callTool("submit_signal", { slug, ...SIGNAL_BODY, trade_date: "2026-05-20" }),
      400,
    );
    assert.match(retired.detail, /is retired/);
    assert.match(retired.recovery, /create_strategy/);
    await c.callTool("create_strategy", { ...CREATE_BODY, slug: "hs300-ml-alpha-2" });
    assert.equal(
      (await c.callTool("submit_signal", {
        slug: "hs300-ml-alpha-2",
        ...SIGNAL_BODY,
        trade_date: "2026-05-20",
      }))
        .isError,
      false,
    );

    // 422: read detail[].loc, fix that field, retry.
    const bad = failed(
      await c.callTool("submit_signal", {
        slug: "hs300-ml-alpha-2",
        trade_date: "2026-05-21",
        signals: [{ symbol: "600519.SH", weight: 0 }],
      }),
      422,
    );
    assertShape(bad.detail, VALIDATION_EXAMPLE);
    assert.deepEqual(bad.detail[0].loc, ["signals", 0, "weight"]);
    assert.match(bad.recovery, /do not retry with the same arguments/);
    const fixed = await c.callTool("submit_signal", {
      slug: "hs300-ml-alpha-2",
      trade_date: "2026-05-21",
      signals: [{ symbol: "600519.SH", weight: 0.1 }],
    });
    assert.equal(fixed.isError, false, fixed.text);
    await c.close();
  }));

Deno.test("QuantGPT over MCP, Error Recovery authentication: revoked key → list_api_keys and create_api_key; disabled → 403", () =>
  withWorld(async (x) => {
    const c = await quickstart(x.url);
    const spare = await c.callTool("create_api_key", { name: "spare" });
    const agentKeyId = (await c.callTool("list_api_keys", {})).body.items
      .find((k: { name: string }) => k.name === "my-agent").id;
    // The agent's key is revoked (from the spare session): it is refused by HTTP before any tool runs.
    const spareClient = await connectMcp(x.url, spare.body.api_key);
    assert.equal((await spareClient.callTool("revoke_api_key", { key_id: agentKeyId })).isError, false);
    const refused = await fetch(`${x.url}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${c.apiKey}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    assert.equal(refused.status, 401);
    assertShape(await refused.json(), { detail: "Invalid token" });
    // The recovery: check the keys from a working session, then create a new one.
    const keys = (await spareClient.callTool("list_api_keys", {})).body.items;
    assert.deepEqual(keys.map((k: { name: string }) => k.name), ["spare"]);
    const fresh = await spareClient.callTool("create_api_key", { name: "my-agent" });
    const again = await connectMcp(x.url, fresh.body.api_key);
    assert.equal((await again.callTool("list_strategies", {})).isError, false);
    await again.close();
    await spareClient.close();

    // 403 "Account disabled".
    const off = await x.w.request("PATCH", `/api/v1/admin/users/${c.userId}`, {
      token: x.admin,
      json: { disabled: true },
    });
    assert.equal(off.status, 200);
    // Refused by HTTP before any tool runs, or (where a disabled account keeps the support tools its HTTP
    // routes allow) by each other tool, with the recovery: contact support.
    const disabled = await fetch(`${x.url}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${fresh.body.api_key}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    if (disabled.status === 403) {
      assertShape(await disabled.json(), { detail: "Account disabled" });
    } else {
      await disabled.body?.cancel();
      const d = await connectMcp(x.url, fresh.body.api_key);
      const refused = failed(await d.callTool("list_strategies", {}), 403);
      assert.equal(refused.detail, "Account disabled");
      assert.match(refused.recovery, /create_ticket \{category: "other", title: "account disabled"\}/);
      if (served("create_ticket")) {
        const ticket = await d.callTool("create_ticket", { category: "other", title: "account disabled" });
        assert.equal(ticket.isError, false, ticket.text);
      }
      await d.close();
    }
    await c.close();
  }));

Deno.test("QuantGPT over MCP, Error Recovery: settlement not appearing at 18:30 reads is_settled false (wait, then a ticket)", () =>
  withWorld(async (x) => {
    const c = await quickstart(x.url);
    await c.callTool("create_strategy", CREATE_BODY);
    await c.callTool("submit_signal", { slug: "hs300-ml-alpha", ...SIGNAL_BODY });
    x.w.clock.set(cst(18, 30)); // after 18:15, settlement not run
    const resp = await c.callTool("list_signals", { slug: "hs300-ml-alpha", limit: 1 });
    assert.deepEqual([resp.body.signals[0].trade_date, resp.body.signals[0].is_settled], [
      "2026-05-14",
      false,
    ]);
    if (served("create_ticket")) {
      x.w.clock.set(cst(19, 5));
      const ticket = await c.callTool("create_ticket", {
        category: "data",
        title: "settlement missing for hs300-ml-alpha on 2026-05-14",
      });
      assert.equal(ticket.isError, false, ticket.text);
      assertShape(ticket.body, {
        id: "uuid",
        user_id: "uuid",
        title: "...",
        description: "...",
        category: "bug",
        status: "open",
        admin_reply: null,
        resolved_at: null,
        created_at: "2026-05-14T07:15:41+00:00",
      });
    }
    await c.close();
  }));

// ------------------------------------------------------------------ Idempotency & Retry Safety

Deno.test("QuantGPT over MCP, network timeout recovery: the 'confirm before retry' reads show the earlier call succeeded", () =>
  withWorld(async (x) => {
    const c = await quickstart(x.url);
    // Strategy create "timed out": list_strategies shows whether the slug exists.
    await c.callTool("create_strategy", CREATE_BODY);
    const slugs = (await c.callTool("list_strategies", {})).body.strategies.map((s: { slug: string }) =>
      s.slug
    );
    assert.ok(slugs.includes("hs300-ml-alpha"), "it succeeded: do not retry");
    // Signal submit "timed out": the latest signal's trade_date is today, so it succeeded.
    const sent = await c.callTool("submit_signal", { slug: "hs300-ml-alpha", ...SIGNAL_BODY });
    const latest = (await c.callTool("list_signals", { slug: "hs300-ml-alpha", limit: 1 })).body.signals[0];
    assert.deepEqual([latest.trade_date, latest.signal_hash], ["2026-05-14", sent.body.signal_hash]);
    // API key create "timed out": list_api_keys lists it.
    await c.callTool("create_api_key", { name: "second" });
    const keys = (await c.callTool("list_api_keys", {})).body.items;
    assert.deepEqual(keys.map((k: { name: string }) => k.name).sort(), ["my-agent", "second"]);
    // Each non-idempotent tool's description names its confirming read.
    const describe = (n: string) => ALL_TOOLS.find((t) => t.name === n)!.description;
    assert.match(describe("create_strategy"), /list_strategies/);
    assert.match(describe("submit_signal"), /list_signals \{slug, limit: 1\}/);
    assert.match(describe("create_api_key"), /list_api_keys/);
    await c.close();
  }));

Deno.test("QuantGPT over MCP, the Idempotency table: each row through its tool", () =>
  withWorld(async (x) => {
    // register_with_invite (POST /auth/invite): NO — each call creates a NEW account.
    const anon = await connectMcp(x.url);
    const one = await anon.callTool("register_with_invite", { invite_code: "YOUR_CODE" });
    const two = await anon.callTool("register_with_invite", { invite_code: "YOUR_CODE" });
    assert.notEqual(one.body.user.id, two.body.user.id);
    await anon.close();
    const c = await quickstart(x.url);
    // create_api_key: NO — a NEW key even with the same name.
    assert.equal((await c.callTool("create_api_key", { name: "my-agent" })).isError, false);
    const keys = (await c.callTool("list_api_keys", {})).body.items;
    assert.deepEqual(keys.map((k: { name: string }) => k.name), ["my-agent", "my-agent"]);
    // create_strategy: NO — 409 if the slug is taken.
    assert.equal((await c.callTool("create_strategy", CREATE_BODY)).isError, false);
    failed(await c.callTool("create_strategy", CREATE_BODY), 409);
    // submit_signal: NO — 409 if the trade_date is already submitted.
    const slug = "hs300-ml-alpha";
    assert.equal((await c.callTool("submit_signal", { slug, ...SIGNAL_BODY })).isError, false);
    failed(await c.callTool("submit_signal", { slug, ...SIGNAL_BODY }), 409);
    // withdraw_signal (DELETE signal): YES — 404 on the second call.
    assert.equal((await c.callTool("withdraw_signal", { slug, trade_date: "2026-05-14" })).isError, false);
    failed(await c.callTool("withdraw_signal", { slug, trade_date: "2026-05-14" }), 404);
    // upload_claimed_history (PUT claimed): YES — always replaces, same answer.
    await c.callTool("submit_signal", { slug, ...SIGNAL_BODY });
    const records = [
      { date: "2024-01-02", nav: 1000000.00 },
      { date: "2024-01-03", nav: 1005200.50 },
      { date: "2024-01-04", nav: 1003100.25 },
    ];
    const put1 = await c.callTool("upload_claimed_history", { slug, records });
    const put2 = await c.callTool("upload_claimed_history", { slug, records });
    assert.equal(put1.isError, false, put1.text);
    assertShape(put1.body, CLAIMED_EXAMPLE);
    assert.deepEqual({ ...put2.body, uploaded_at: null }, { ...put1.body, uploaded_at: null });
    // mark_all_notifications_read (POST read-all): YES — safe to repeat.
    if (served("mark_all_notifications_read")) {
      for (let i = 0; i < 2; i++) {
        assert.equal((await c.callTool("mark_all_notifications_read", {})).isError, false);
      }
    }
    // create_ticket (POST /tickets): NO — each call a NEW ticket.
    if (served("create_ticket") && served("list_tickets")) {
      for (let i = 0; i < 2; i++) {
        await c.callTool("create_ticket", { title: "t", description: "d", category: "bug" });
      }
      assert.equal((await c.callTool("list_tickets", {})).body.items.length, 2);
    }
    // The annotations say the same as the table.
    const hint = (n: string) => ALL_TOOLS.find((t) => t.name === n)!.hints.idempotent;
    assert.deepEqual(
      ["register_with_invite", "create_api_key", "create_strategy", "submit_signal"].map(hint),
      [false, false, false, false],
    );
    assert.deepEqual(["withdraw_signal", "upload_claimed_history"].map(hint), [true, true]);
    await c.close();
  }));

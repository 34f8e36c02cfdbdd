/**
 * Conformance with the QuantGPT Cloud guide (the product document `002_ff083b1df4fa4df6.txt`): its request
 * examples replayed as written, at the paths written, asserting every documented response field by name and
 * type. This file covers the guide's agent bootstrap check and daily loop (calendar, strategy list, signal
 * submission and history, notifications count); the remaining sections land with issue 13.
 */
import assert from "node:assert/strict";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

/** The guide's "Create Strategy" body, as written. */
const CREATE_BODY = {
  name: "HS300 ML Alpha",
  slug: "hs300-ml-alpha",
  universe: "hs300",
  execution_price: "open",
  holding_period: 10,
  initial_capital: 1000000,
  commission_rate: 0.0003,
  slippage_rate: 0.002,
};

/** The guide's "Submit Signal" body, on the test world's day (2026-05-14, 09:00 Asia/Shanghai). */
const SIGNAL_BODY = {
  trade_date: "2026-05-14",
  signals: [{ symbol: "600519.SH", weight: 0.05 }, { symbol: "000858.SZ", weight: 0.04 }],
};

/** Asserts `value[key]` exists with the JSON type `type` (`"string|null"` allows null). */
function field(value: Record<string, unknown>, key: string, type: string): void {
  assert.ok(key in value, `missing documented field "${key}"`);
  const actual = value[key] === null ? "null" : Array.isArray(value[key]) ? "array" : typeof value[key];
  assert.ok(type.split("|").includes(actual), `"${key}" is ${actual}, the document says ${type}`);
}

/** The documented fields of a strategy in `GET /api/v1/strategies`. */
function assertStrategy(s: Record<string, unknown>): void {
  for (
    const [k, t] of Object.entries({
      slug: "string",
      name: "string",
      description: "string|null",
      universe: "string",
      execution_price: "string",
      holding_period: "number",
      initial_capital: "number",
      commission_rate: "number",
      slippage_rate: "number",
      status: "string",
      is_public: "boolean",
      activated_at: "string|null",
      retired_at: "string|null",
      created_at: "string",
    })
  ) field(s, k, t);
}

async function withAgent(fn: (w: TestWorld, key: string) => Promise<void>): Promise<void> {
  const w = await openTestWorld();
  try {
    const token = (await signInWithOtp(w, "agent@example.com")).access_token;
    const res = await w.request("POST", "/api/v1/billing/api-keys", { json: { name: "my-agent" }, token });
    assert.equal(res.status, 201);
    await fn(w, (await res.json()).api_key);
  } finally {
    await w.close();
  }
}

Deno.test("QuantGPT bootstrap: create a strategy, then `len(strategies.strategies) > 0`", async () => {
  await withAgent(async (w, key) => {
    const created = await w.request("POST", "/api/v1/strategies", { json: CREATE_BODY, token: key });
    assert.equal(created.status, 201);
    const body = await created.json();
    assertStrategy(body);
    assert.equal(body.status, "pending");
    const list = await (await w.request("GET", "/api/v1/strategies", { token: key })).json();
    assert.ok(Array.isArray(list.strategies) && list.strategies.length > 0);
    assertStrategy(list.strategies[0]);
    assert.equal(list.strategies[0].slug, "hs300-ml-alpha");
  });
});

Deno.test("QuantGPT daily loop: calendar, active strategies, submit, then signals?limit=1", async () => {
  await withAgent(async (w, key) => {
    await w.request("POST", "/api/v1/strategies", { json: CREATE_BODY, token: key });
    const cal = await (await w.request("GET", "/api/v1/calendar?date=2026-05-14")).json();
    field(cal, "date", "string");
    field(cal, "is_trading_day", "boolean");
    field(cal, "next_trading_day", "string");
    field(cal, "today", "string");
    assert.equal(cal.is_trading_day, true);

    const submitted = await w.request("POST", "/api/v1/strategies/hs300-ml-alpha/signals", {
      json: SIGNAL_BODY,
      token: key,
    });
    assert.equal(submitted.status, 201);
    const s = await submitted.json();
    field(s, "id", "string");
    field(s, "signal_hash", "string");
    field(s, "submitted_at", "string");
    field(s, "is_settled", "boolean");
    field(s, "github_committed", "boolean");
    field(s, "attestation", "object");
    field(s.attestation, "committed", "boolean");

    const active = await (await w.request("GET", "/api/v1/strategies?status=active", { token: key })).json();
    assert.deepEqual(active.strategies.map((x: { slug: string }) => x.slug), ["hs300-ml-alpha"]);
    assertStrategy(active.strategies[0]);

    const history = await w.request("GET", "/api/v1/strategies/hs300-ml-alpha/signals?limit=1", {
      token: key,
    });
    assert.equal(history.status, 200);
    const latest = (await history.json()).signals[0];
    for (
      const [k, t] of Object.entries({
        id: "string",
        trade_date: "string",
        signals: "array",
        signal_hash: "string",
        submitted_at: "string",
        is_settled: "boolean",
        github_committed: "boolean",
      })
    ) field(latest, k, t);
    assert.equal(latest.trade_date, "2026-05-14");
    assert.deepEqual(latest.signals, [{ symbol: "000858.SZ", weight: 0.04 }, {
      symbol: "600519.SH",
      weight: 0.05,
    }]);
    assert.equal(latest.is_settled, false);
  });
});

Deno.test("QuantGPT lists honour ?limit= and ?offset= on GET /api/v1/strategies", async () => {
  await withAgent(async (w, key) => {
    for (const slug of ["alpha-one", "alpha-two", "alpha-three"]) {
      const res = await w.request("POST", "/api/v1/strategies", {
        json: { ...CREATE_BODY, slug },
        token: key,
      });
      assert.equal(res.status, 201);
      w.clock.advance(1_000); // newest first: distinct creation times
    }
    const first = await (await w.request("GET", "/api/v1/strategies?limit=2", { token: key })).json();
    assert.deepEqual(first.strategies.map((s: { slug: string }) => s.slug), ["alpha-three", "alpha-two"]);
    assert.equal(first.total, 3);
    const rest = await (await w.request("GET", "/api/v1/strategies?limit=2&offset=2", { token: key })).json();
    assert.deepEqual(rest.strategies.map((s: { slug: string }) => s.slug), ["alpha-one"]);
    assert.equal((await w.request("GET", "/api/v1/strategies?limit=0", { token: key })).status, 422);
  });
});

Deno.test("QuantGPT notifications: GET /api/v1/notifications/unread-count → {unread_count}", async () => {
  await withAgent(async (w, key) => {
    const res = await w.request("GET", "/api/v1/notifications/unread-count", { token: key });
    assert.equal(res.status, 200);
    const body = await res.json();
    field(body, "unread_count", "number");
  });
});

Deno.test("QuantGPT tiers: GET /api/v1/billing/tier and /tiers carry max_strategies and strategy_universes", async () => {
  await withAgent(async (w, key) => {
    const mine = await (await w.request("GET", "/api/v1/billing/tier", { token: key })).json();
    field(mine, "tier", "string");
    field(mine, "max_strategies", "number");
    field(mine, "strategy_universes", "array");
    assert.equal(mine.tier, "free");
    assert.equal(mine.max_strategies, 3);
    assert.equal(mine.max_strategies, mine.limits.max_tracked_strategies, "one limit, two names");
    assert.deepEqual(mine.strategy_universes, ["hs300", "csi500", "csi1000", "csi2000", "etf_all"]);
    const all = await (await w.request("GET", "/api/v1/billing/tiers")).json();
    for (const t of all.tiers) {
      field(t, "max_strategies", "number");
      assert.deepEqual(t.strategy_universes, ["hs300", "csi500", "csi1000", "csi2000", "etf_all"]);
    }
    assert.deepEqual(all.tiers.map((t: { max_strategies: number }) => t.max_strategies), [3, 20]);
  });
});

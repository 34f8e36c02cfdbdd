/**
 * Issue 17's acceptance, with the SDK's MCP client on loopback: it lists the tools, runs the QuantGPT document's
 * "First-time agent bootstrap" (register_with_invite with an admin-made invite code → reconnect with the API key
 * → create_strategy → list_strategies) and one "Agent daily loop" end to end (get_calendar → list_strategies
 * {status: "active"} → submit_signal before the deadline → list_signals {limit: 1} reads it back → after the
 * 18:15 settlement the day is settled → the day's verification package verifies by hand: nav = Σ market_value +
 * cash, symbols_hash and signal_hash recomputed here). A day of the demo replay (`deno task demo`) verifies the
 * same way. Then the document's "Error Recovery" rows, through tools: an identical re-submit, a date that is not
 * a trading day, a late submission and a paused strategy, each with the recovery the agent follows.
 */
import assert from "node:assert/strict";
import { buildMarketServices } from "../../app/market_services.ts";
import { fixedClock } from "../../domain/clock.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import { DEMO_SLUGS, replayDemo } from "../../scripts/demo_replay.ts";
import { connectMcp, type McpTestClient, serveWorld, withMcpWorld } from "../_helpers/mcp_client.ts";
import { signInAdmin, type TestWorld } from "../_helpers/test_app.ts";
import { withGuideWorld } from "../_helpers/quantgpt_client.ts";

/** `hh:mm` Asia/Shanghai on `date`. */
const cst = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00+08:00`);

// deno-lint-ignore no-explicit-any -- the verification package as an agent reads it
type Json = Record<string, any>;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const near = (a: number, b: number) =>
  assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b)), `${a} vs ${b}`);

/** The platform's 18:15 CST settlement job for `date`, run the way the cron does (the admin job route). */
async function settle(w: TestWorld, date: string): Promise<void> {
  w.clock.set(cst(date, "18:15"));
  const admin = (await signInAdmin(w)).access_token;
  const res = await w.request("POST", `/api/v1/admin/jobs/settle-signals/run?date=${date}`, { token: admin });
  assert.equal(res.status, 200, await res.clone().text());
}

/**
 * The verification package of `slug` on `date` through the verify_day tool, checked equal to what
 * `GET /public/strategies/{slug}/verify?date=` answers for the same state.
 */
async function verificationPackage(
  w: TestWorld,
  mcp: McpTestClient,
  slug: string,
  date: string,
): Promise<Json> {
  const viaTool = await mcp.callTool("verify_day", { slug, date });
  assert.equal(viaTool.isError, false, viaTool.text);
  const res = await w.request("GET", `/api/v1/public/strategies/${slug}/verify?date=${date}`);
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(viaTool.body, await res.json(), "verify_day answers what the HTTP route answers");
  return viaTool.body;
}

/** The document's verification steps 3 and 4, and the signal hash, recomputed here. */
async function assertVerifies(pkg: Json, slug: string, date: string, canonical?: string): Promise<void> {
  const v = pkg.verification;
  assert.equal(typeof v.nav, "number");
  assert.ok(Array.isArray(v.positions) && v.positions.length > 0, `${slug} ${date} holds positions`);
  // Step 4: sum(positions.market_value) + cash == reported nav.
  const sum = v.positions.reduce((s: number, p: { market_value: number }) => s + p.market_value, 0);
  near(sum + v.cash, v.nav);
  for (const p of v.positions) near(p.quantity * p.price, p.market_value);
  // Step 3: symbols_hash = SHA256(comma-joined sorted symbols)[:16].
  const held = v.positions.map((p: { symbol: string }) => p.symbol).sort();
  assert.equal(v.symbols_hash, (await sha256Hex(held.join(","))).slice(0, 16));
  // The signal: its canonical JSON (written by hand here when known) hashes to signal_hash.
  const a = v.signal_attestation;
  assert.ok(a, `${slug} ${date} has a signal`);
  if (canonical !== undefined) assert.equal(a.canonical_json, canonical);
  const parsed = JSON.parse(a.canonical_json);
  assert.deepEqual([parsed.strategy, parsed.trade_date], [slug, date]);
  assert.equal(a.signal_hash, await sha256Hex(a.canonical_json));
  assert.equal(a.symbols_hash, (await sha256Hex([...a.symbols].sort().join(","))).slice(0, 16));
  assert.ok(Date.parse(a.submitted_at) < Date.parse(a.deadline_at), "submitted before the deadline");
}

/** The daily loop's signal for 2026-05-14, and its canonical JSON written out by hand. */
const TODAY_SIGNALS = [{ symbol: "600519.SH", weight: 0.5 }, { symbol: "000858.SZ", weight: 0.4 }];
const TODAY_CANONICAL =
  '{"signals":[{"symbol":"000858.SZ","weight":"0.4"},{"symbol":"600519.SH","weight":"0.5"}],' +
  '"strategy":"agent-alpha","trade_date":"2026-05-14"}';

Deno.test("acceptance: the SDK client lists the tools, bootstraps with an invite and runs one daily loop to a verified settled day", () =>
  withMcpWorld(async (w, served) => {
    // ---- First-time agent bootstrap (the day before, 2026-05-13 at 08:30 CST).
    w.clock.set(cst("2026-05-13", "08:30"));
    const anon = await connectMcp(served.url);
    const { tools } = await anon.client.listTools();
    const names = tools.map((t: { name: string }) => t.name);
    for (const n of ["register_with_invite", "create_strategy", "list_strategies", "get_calendar"]) {
      assert.ok(names.includes(n), n);
    }
    for (const n of ["submit_signal", "list_signals", "withdraw_signal", "update_strategy", "verify_day"]) {
      assert.ok(names.includes(n), n);
    }
    // Step 1–2: register with the admin's invite code; the answer carries the API key (shown once).
    const reg = await anon.callTool("register_with_invite", { invite_code: "YOUR_CODE" });
    assert.equal(reg.isError, false, reg.text);
    const apiKey: string = reg.body.api_key;
    assert.match(apiKey, /^qe_/);
    assert.equal(reg.body.user.tier, "free");
    await anon.close();
    // Reconnect with the key: it is used for everything after.
    const mcp = await connectMcp(served.url, apiKey);
    const me = await mcp.callTool("whoami");
    assert.deepEqual([me.body.id, me.body.authenticated_with], [reg.body.user.id, "api_key"]);
    // Step 3: create the strategy (a taken slug would be 409: choose another).
    const created = await mcp.callTool("create_strategy", {
      name: "Agent Alpha",
      slug: "agent-alpha",
      universe: "hs300",
    });
    assert.equal(created.isError, false, created.text);
    assert.deepEqual([created.body.slug, created.body.status], ["agent-alpha", "pending"]);
    const taken = await mcp.callTool("create_strategy", { name: "Again", slug: "agent-alpha" });
    assert.equal(taken.body.error.status, 409);
    assert.match(taken.body.error.recovery, /choose another/);
    // Step 4: verify setup.
    const setup = await mcp.callTool("list_strategies", {});
    assert.ok(setup.body.strategies.length > 0);
    assert.ok(setup.body.strategies.some((s: { slug: string }) => s.slug === "agent-alpha"));
    // Its first signal (for 2026-05-13) activates it; that day settles in the evening.
    const first = await mcp.callTool("submit_signal", {
      slug: "agent-alpha",
      trade_date: "2026-05-13",
      signals: [{ symbol: "600519.SH", weight: 0.45 }],
    });
    assert.equal(first.isError, false, first.text);
    await settle(w, "2026-05-13");

    // ---- The agent daily loop, 2026-05-14 at 09:00 CST.
    w.clock.set(cst("2026-05-14", "09:00"));
    const probe = await mcp.callTool("get_calendar", { date: "2026-05-14" });
    const today: string = probe.body.today;
    assert.equal(today, "2026-05-14", "today in Asia/Shanghai");
    const calendar = await mcp.callTool("get_calendar", { date: today });
    assert.equal(calendar.body.is_trading_day, true);
    const active = await mcp.callTool("list_strategies", { status: "active" });
    assert.equal(active.isError, false, active.text);
    assert.deepEqual(active.body.strategies.map((s: { slug: string }) => s.slug), ["agent-alpha"]);
    const submitted: Record<string, Json> = {};
    for (const s of active.body.strategies) {
      const post = await mcp.callTool("submit_signal", {
        slug: s.slug,
        trade_date: today,
        signals: TODAY_SIGNALS,
      });
      assert.equal(post.isError, false, post.text);
      assert.equal(post.body.is_settled, false);
      submitted[s.slug] = post.body;
    }
    const post = submitted["agent-alpha"];
    assert.ok(Date.parse(post.submitted_at) < cst(today, "09:15"), "before the 09:15 deadline");
    assert.equal(post.signal_hash, await sha256Hex(TODAY_CANONICAL), "the hash of the canonical JSON");
    // Read it back.
    const latest = await mcp.callTool("list_signals", { slug: "agent-alpha", limit: 1 });
    assert.equal(latest.isError, false, latest.text);
    assert.equal(latest.body.signals.length, 1);
    const back = latest.body.signals[0];
    assert.deepEqual(
      [back.id, back.trade_date, back.signal_hash, back.is_settled],
      [post.id, today, post.signal_hash, false],
    );
    assert.deepEqual(
      [...back.signals].sort((a: { symbol: string }, b: { symbol: string }) => a.symbol < b.symbol ? -1 : 1),
      [...TODAY_SIGNALS].sort((a, b) => a.symbol < b.symbol ? -1 : 1),
    );

    // ---- 18:45 CST settlement check: settled at 18:15, then the day verifies.
    await settle(w, today);
    w.clock.set(cst(today, "18:45"));
    for (const slug of Object.keys(submitted)) {
      const resp = await mcp.callTool("list_signals", { slug, limit: 1 });
      assert.deepEqual([resp.body.signals[0].trade_date, resp.body.signals[0].is_settled], [today, true]);
      const pkg = await verificationPackage(w, mcp, slug, today);
      await assertVerifies(pkg, slug, today, TODAY_CANONICAL);
      assert.equal(pkg.verification.signal_attestation.signal_hash, post.signal_hash);
    }
    await mcp.close();
    assert.ok(!JSON.stringify(w.logs).includes(apiKey), "the key never reaches the log");
  }));

Deno.test("acceptance: a settled day of the demo replay verifies through the agent's tools", () =>
  withGuideWorld(async (w) => {
    // The demo replay (`deno task demo`) of the 5 trading days through 2026-05-13, under the moving test clock.
    const demoNow = cst("2026-05-13", "20:00");
    const market = buildMarketServices(w.kv, fixedClock(demoNow), {
      seed: w.config.marketSeed,
      cacheBytes: 64 << 20,
      yahoo: w.config.yahoo,
    });
    const report = await replayDemo(
      { ...w.deps.track, market: market.data, clock: w.clock },
      w.deps.auth.users,
      createSettingsRepo(w.kv),
      { days: 5, nowMs: demoNow },
    );
    assert.equal(report.last_day, "2026-05-13");
    w.clock.set(cst("2026-05-14", "09:00"));
    const served = serveWorld(w);
    try {
      const mcp = await connectMcp(served.url);
      // demo-momentum submits on every day but each fourth: its last day has a signal and positions.
      const slug = DEMO_SLUGS[1];
      const pkg = await verificationPackage(w, mcp, slug, report.last_day);
      await assertVerifies(pkg, slug, report.last_day);
      await mcp.close();
    } finally {
      await served.close();
    }
  }));

Deno.test("acceptance: the Error Recovery rows through tools — identical re-submit, not a trading day, deadline passed, paused", () =>
  withMcpWorld(async (w, served) => {
    w.clock.set(cst("2026-05-14", "09:00"));
    const anon = await connectMcp(served.url);
    const reg = await anon.callTool("register_with_invite", { invite_code: "YOUR_CODE" });
    await anon.close();
    const mcp = await connectMcp(served.url, reg.body.api_key);
    await mcp.callTool("create_strategy", { name: "Recovery", slug: "recovery-alpha" });
    const signal = { slug: "recovery-alpha", trade_date: "2026-05-14", signals: TODAY_SIGNALS };
    const first = await mcp.callTool("submit_signal", signal);
    assert.equal(first.isError, false, first.text);

    // 409 (an identical re-submit, e.g. a blind retry): reason identical, nothing to do.
    const again = await mcp.callTool("submit_signal", signal);
    assert.equal(again.isError, true);
    const e409 = again.body.error;
    assert.equal(e409.status, 409);
    assert.equal(e409.extra.reason, "identical");
    assert.equal(e409.extra.existing_signal_hash, first.body.signal_hash);
    assert.match(e409.recovery, /already recorded.*nothing to do/);
    // The document's check: the recorded signal equals mine, so skip.
    const recorded = await mcp.callTool("list_signals", { slug: "recovery-alpha", limit: 1 });
    assert.equal(recorded.body.signals[0].signal_hash, e409.extra.existing_signal_hash);

    // 400 not a trading day: next_trading_day, and submitting for it works.
    const saturday = await mcp.callTool("submit_signal", { ...signal, trade_date: "2026-05-16" });
    const e400 = saturday.body.error;
    assert.equal(e400.status, 400);
    assert.match(e400.detail, /not an SSE trading day/);
    assert.equal(e400.extra.next_trading_day, "2026-05-18");
    assert.match(e400.recovery, /next_trading_day/);
    const cal = await mcp.callTool("get_calendar", { date: "2026-05-16" });
    assert.equal(cal.body.next_trading_day, e400.extra.next_trading_day);
    const moved = await mcp.callTool("submit_signal", { ...signal, trade_date: cal.body.next_trading_day });
    assert.equal(moved.isError, false, moved.text);

    // 400 deadline passed (09:15 is too late, no grace period): submit for the next trading day instead.
    w.clock.set(cst("2026-05-14", "09:15"));
    const late = await mcp.callTool("submit_signal", {
      ...signal,
      signals: [{ symbol: "600519.SH", weight: 0.3 }],
    });
    const eLate = late.body.error;
    assert.equal(eLate.status, 400);
    assert.match(eLate.detail, /deadline passed/);
    assert.match(eLate.recovery, /next trading day/);
    assert.match(eLate.recovery, /get_calendar/);
    assert.match(late.text, /^400 bad_request: .*deadline passed.*\nRecovery: /s);
    const next = (await mcp.callTool("get_calendar", { date: "2026-05-14" })).body.next_trading_day;
    assert.equal(next, "2026-05-15");
    const nextDay = await mcp.callTool("submit_signal", { ...signal, trade_date: next });
    assert.equal(nextDay.isError, false, nextDay.text);

    // 400 paused: update_strategy {status: "active"}, then the retry works.
    const paused = await mcp.callTool("update_strategy", { slug: "recovery-alpha", status: "paused" });
    assert.equal(paused.body.status, "paused");
    const refused = await mcp.callTool("submit_signal", { ...signal, trade_date: "2026-05-19" });
    const ePaused = refused.body.error;
    assert.equal(ePaused.status, 400);
    assert.match(ePaused.detail, /paused/);
    assert.match(ePaused.recovery, /update_strategy \{slug, status: "active"\}/);
    const resumed = await mcp.callTool("update_strategy", { slug: "recovery-alpha", status: "active" });
    assert.equal(resumed.body.status, "active");
    const retried = await mcp.callTool("submit_signal", { ...signal, trade_date: "2026-05-19" });
    assert.equal(retried.isError, false, retried.text);

    // Retired: final; the recovery is a new strategy.
    await mcp.callTool("retire_strategy", { slug: "recovery-alpha" });
    const retired = await mcp.callTool("submit_signal", { ...signal, trade_date: "2026-05-20" });
    assert.equal(retired.body.error.status, 400);
    assert.match(retired.body.error.recovery, /create_strategy/);
    await mcp.close();
  }));

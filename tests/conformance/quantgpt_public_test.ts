/**
 * Conformance with the QuantGPT Cloud guide (the product document `002_ff083b1df4fa4df6.txt`), its sections
 * "Historical NAV Upload (Claim Data)", "Tracking Metrics", "Public Verification", "Verification Steps" and
 * "Pagination": every request example replayed as written (same path, same body), every documented response
 * field asserted by name and JSON type against the document's own example JSON (copied below), and the
 * document's verification steps 2–4 and tracking formulas checked against independent calculations.
 *
 * The world: an agent creates the guide's strategy, submits a signal for 2026-05-13 (the verify example's date)
 * and the guide's own signal for 2026-05-14, GitHub attestation goes to a loopback contents API, and settlement
 * runs to the 62nd trading day (so the rolling 60-day excess Sharpe has values).
 */
import assert from "node:assert/strict";
import { assertDocumentField, assertDocumentShape } from "../_helpers/document_shape.ts";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { settleAll } from "../../domain/track_record/settlement/settle.ts";
import { startFakeGithubContents } from "../_helpers/fake_github_contents.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const SLUG = "hs300-ml-alpha";
/** 09:00 Asia/Shanghai on `date`. */
const morningCst = (date: string) => Date.parse(`${date}T09:00:00+08:00`);
/** 18:15 Asia/Shanghai on `date` (settlement time). */
const eveningCst = (date: string) => Date.parse(`${date}T18:15:00+08:00`);

/** The guide's "Create Strategy" body, as written. */
const CREATE_BODY = {
  name: "HS300 ML Alpha",
  slug: SLUG,
  universe: "hs300",
  execution_price: "open",
  holding_period: 10,
  initial_capital: 1000000,
  commission_rate: 0.0003,
  slippage_rate: 0.002,
};

/** The guide's "Submit Signal" body, as written. */
const SIGNAL_BODY = {
  trade_date: "2026-05-14",
  signals: [{ symbol: "600519.SH", weight: 0.05 }, { symbol: "000858.SZ", weight: 0.04 }],
};

/** A signal for the verify example's date (2026-05-13), large enough that whole lots are bought. */
const SIGNAL_0513 = {
  trade_date: "2026-05-13",
  signals: [{ symbol: "600519.SH", weight: 0.5 }, { symbol: "000858.SZ", weight: 0.4 }],
};

/** The guide's "Upload / Replace" body, as written. */
const CLAIMED_BODY = {
  records: [
    { date: "2024-01-02", nav: 1000000.00 },
    { date: "2024-01-03", nav: 1005200.50 },
    { date: "2024-01-04", nav: 1003100.25 },
  ],
};

// ---- The document's example answers, copied as written (abbreviated ones written out with their types). ----

/** "Upload / Replace" response. */
const DOC_PUT_CLAIMED = {
  strategy_slug: "hs300-ml-alpha",
  data_points: 240,
  start_date: "2024-01-02",
  end_date: "2024-12-31",
  total_return: 0.1523,
  sharpe: 1.42,
  max_drawdown: 0.0834,
  uploaded_at: "2026-05-14T10:00:00Z",
};

/** "Query Claimed Performance": `{ meta: {…}, records: [{ date, nav, daily_return, cumulative_return }] }`. */
const DOC_GET_CLAIMED = {
  meta: {
    start_date: "2024-01-02",
    end_date: "2024-12-31",
    data_points: 240,
    total_return: 0.1523,
    sharpe: 1.42,
    max_drawdown: 0.0834,
  },
  records: [{ date: "2024-01-02", nav: 1.0, daily_return: 0.0, cumulative_return: 0.0 }],
};

/** "Delete Claimed Performance". */
const DOC_DELETE_CLAIMED = { deleted: true, data_points_removed: 240 };

/** The `track-record` example with its claimed block. */
const DOC_TRACK_RECORD = {
  records: [
    {
      date: "2026-05-14",
      nav: 1.0523,
      daily_return: 0.0012,
      cumulative_return: 0.0523,
      benchmark_return: 0.0003,
    },
  ],
  claimed: {
    meta: {
      start_date: "2024-01-02",
      end_date: "2024-12-31",
      data_points: 240,
      total_return: 0.1523,
      sharpe: 1.42,
      max_drawdown: 0.0834,
      uploaded_at: "2026-05-14T10:00:00+00:00",
    },
    records: [{ date: "2024-01-02", nav: 1.0, cumulative_return: 0.0, benchmark_return: 0.0 }],
    tracking: {
      tracking_diff_annualized: 0.012,
      tracking_error_annualized: 0.031,
      correlation: 0.97,
      overlap_days: 45,
    },
  },
};

/** "Strategy List" example. */
const DOC_PUBLIC_LIST = {
  strategies: [{
    slug: "hs300-ml-alpha",
    name: "HS300 ML Alpha",
    description: null,
    universe: "hs300",
    holding_period: 10,
    execution_price: "open",
    status: "active",
    creator: "user_a1b2c3",
    created_at: "2026-05-14T07:15:41+00:00",
    activated_at: "2026-05-14T07:20:00+00:00",
    trading_days: 45,
    has_claimed: true,
    latest_date: "2026-05-14",
    nav: 1052300.50,
    total_return: 0.0523,
    daily_return: 0.0012,
  }],
};

/** "Performance Metrics": every figure a number, `rolling_excess_sharpe: [{ date, value }]`. */
const DOC_PERFORMANCE = {
  metrics: {
    total_return: 0.1,
    annual_return: 0.1,
    volatility: 0.1,
    sharpe: 0.1,
    max_drawdown: 0.1,
    calmar: 0.1,
    excess_return: 0.1,
    excess_sharpe: 0.1,
    benchmark_return: 0.1,
    trading_days: 1,
  },
  rolling_excess_sharpe: [{ date: "2026-05-14", value: 0.1 }],
};

/** "Audit Log": `{ audit_log: [{ date, type, detail }], total: int }`. */
const DOC_AUDIT = { audit_log: [{ date: "2026-05-14", type: "REBALANCE", detail: "…" }], total: 1 };

// ---- Helpers. ----

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Asserts `actual` has every key of the document's example `doc`, recursively, with the same JSON type. */
const assertShape = (doc: Json, actual: unknown) => assertDocumentShape(actual, doc);

const near = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)), `${a} vs ${b}`);

const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
/** Sample standard deviation (ddof 1). */
const sd = (x: number[]) => {
  const m = mean(x);
  return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1));
};
const pearson = (x: number[], y: number[]) => {
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0, syy = 0;
  x.forEach((_, i) => {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
};

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The document's step 3: `SHA256(comma-joined sorted symbols)[:16]`. */
const symbolsHash = async (symbols: string[]) =>
  (await sha256Hex([...symbols].sort().join(","))).slice(0, 16);

const sse = getCalendar("SSE");
/** The last settled day: 61 trading days after 2026-05-13, i.e. 62 settled days. */
const LAST_DAY = sse.tradingDayOffset("2026-05-13", 61);

/** Trade dates of the signals submitted ahead (every 8th trading day after 2026-05-14). */
const FUTURE_SIGNAL_DAYS = Array.from(
  { length: 7 },
  (_, i) => sse.tradingDayOffset("2026-05-14", 8 * (i + 1)),
);

interface World {
  w: TestWorld;
  gh: ReturnType<typeof startFakeGithubContents>;
  key: string;
}

/**
 * The agent's world: strategy created on 2026-05-13 before the open, signals for 2026-05-13 and (the guide's
 * body) 2026-05-14 committed to the fake GitHub, then every day through `LAST_DAY` settled at 18:15 CST.
 */
async function withSettledStrategy(fn: (x: World) => Promise<void>): Promise<void> {
  const gh = startFakeGithubContents({ token: "ghp_test", owner: "acme", repo: "signals" });
  const w = await openTestWorld({
    GITHUB_TOKEN: "ghp_test",
    ATTEST_REPO: "acme/signals",
    GITHUB_API_BASE_URL: gh.apiBaseUrl,
  });
  try {
    w.clock.set(morningCst("2026-05-13"));
    const token = (await signInWithOtp(w, "agent@example.com")).access_token;
    // The guide's optional profile step, so public pages show a creator name.
    const profile = await w.request("PATCH", "/api/v1/auth/profile", {
      json: { nickname: "my_username" },
      token,
    });
    assert.equal(profile.status, 200);
    const keyRes = await w.request("POST", "/api/v1/billing/api-keys", { json: { name: "my-agent" }, token });
    assert.equal(keyRes.status, 201);
    const key = (await keyRes.json()).api_key;
    assert.equal(
      (await w.request("POST", "/api/v1/strategies", { json: CREATE_BODY, token: key })).status,
      201,
    );
    const post = (body: unknown) =>
      w.request("POST", `/api/v1/strategies/${SLUG}/signals`, { json: body, token: key });
    assert.equal((await post(SIGNAL_0513)).status, 201);
    // Signals may be submitted ahead: one every 8 trading days keeps the book invested to the end.
    for (const trade_date of FUTURE_SIGNAL_DAYS) {
      const body = {
        trade_date,
        signals: [{ symbol: "600519.SH", weight: 0.45 }, { symbol: "000858.SZ", weight: 0.45 }],
      };
      assert.equal((await post(body)).status, 201);
    }
    await w.deps.track.background.drain();
    w.clock.set(morningCst("2026-05-14"));
    assert.equal((await post(SIGNAL_BODY)).status, 201);
    await w.deps.track.background.drain();
    w.clock.set(eveningCst(LAST_DAY));
    const run = await settleAll(w.deps.track, LAST_DAY);
    assert.deepEqual(run.outcomes.map((o) => o.status), ["settled"]);
    await fn({ w, gh, key });
  } finally {
    await w.close();
    await gh.close();
  }
}

/** `count` trading days ending on `last`, oldest first. */
function tradingDaysThrough(last: string, count: number): string[] {
  const out = [last];
  while (out.length < count) out.unshift(sse.tradingDayOffset(out[0], -1));
  return out;
}

// ---- Tests. ----

Deno.test("QuantGPT claimed: PUT as written answers 201 then 200 on replace, with the documented summary", () =>
  withSettledStrategy(async ({ w, key }) => {
    const put = () =>
      w.request("PUT", `/api/v1/strategies/${SLUG}/claimed`, { json: CLAIMED_BODY, token: key });
    const first = await put();
    assert.equal(first.status, 201);
    const summary = await first.json();
    assertShape(DOC_PUT_CLAIMED, summary);
    assert.equal(summary.strategy_slug, SLUG);
    assert.equal(summary.data_points, 3);
    assert.equal(summary.start_date, "2024-01-02");
    assert.equal(summary.end_date, "2024-01-04");
    near(summary.total_return, 1003100.25 / 1000000 - 1);
    // drawdown from the peak 1005200.50 to 1003100.25
    near(summary.max_drawdown, 1 - 1003100.25 / 1005200.50);
    assert.ok(!("tracking" in summary), "no overlap with the platform record, no tracking");
    const again = await put(); // the idempotency table: "Always replaces existing data, safe to retry"
    assert.equal(again.status, 200);
    assertShape(DOC_PUT_CLAIMED, await again.json());
  }));

Deno.test("QuantGPT claimed: prerequisites — a pending strategy and a retired one answer 400", () =>
  withSettledStrategy(async ({ w, key }) => {
    const other = { ...CREATE_BODY, slug: "hs300-pending", name: "Pending" };
    assert.equal((await w.request("POST", "/api/v1/strategies", { json: other, token: key })).status, 201);
    const put = () =>
      w.request("PUT", "/api/v1/strategies/hs300-pending/claimed", { json: CLAIMED_BODY, token: key });
    const pending = await put();
    assert.equal(pending.status, 400);
    assert.equal(typeof (await pending.json()).detail, "string");
    assert.equal((await w.request("DELETE", "/api/v1/strategies/hs300-pending", { token: key })).status, 200);
    assert.equal((await put()).status, 400, "retired strategies are immutable");
  }));

Deno.test("QuantGPT claimed: GET (owner and public) answers meta and records normalised to 1.0; DELETE as documented", () =>
  withSettledStrategy(async ({ w, key }) => {
    await w.request("PUT", `/api/v1/strategies/${SLUG}/claimed`, { json: CLAIMED_BODY, token: key });
    const mine = await w.request("GET", `/api/v1/strategies/${SLUG}/claimed`, { token: key });
    assert.equal(mine.status, 200);
    const body = await mine.json();
    assertShape(DOC_GET_CLAIMED, body);
    field(body.meta, "uploaded_at", "string");
    const navs = CLAIMED_BODY.records.map((r) => r.nav);
    assert.deepEqual(body.records.map((r: { date: string }) => r.date), [
      "2024-01-02",
      "2024-01-03",
      "2024-01-04",
    ]);
    body.records.forEach((r: { nav: number; nav_value: number; cumulative_return: number }, i: number) => {
      near(r.nav, navs[i] / navs[0]);
      near(r.cumulative_return, navs[i] / navs[0] - 1);
      assert.equal(r.nav_value, navs[i], "the uploaded NAV is kept as nav_value");
    });
    assert.equal(body.records[0].nav, 1);
    assert.equal(body.records[0].daily_return, 0);
    field(body.records[0], "drawdown", "number"); // "Server normalizes NAV to 1.0 and computes … drawdown"
    near(body.records[2].drawdown, 1 - navs[2] / navs[1]);
    near(body.records[2].daily_return, navs[2] / navs[1] - 1);
    // the benchmark (CSI 300, 000300.SH) over the same spans, from the market's own closes
    const bars = (await w.deps.track.market.getBars("000300.SH", "2024-01-02", "2024-01-04"))!;
    assert.equal(body.records[0].benchmark_return, 0);
    near(body.records[1].benchmark_return, bars.close[1] / bars.close[0] - 1);
    near(body.records[2].benchmark_return, bars.close[2] / bars.close[1] - 1);

    const pub = await w.request("GET", `/api/v1/public/strategies/${SLUG}/claimed`);
    assert.equal(pub.status, 200);
    const pubBody = await pub.json();
    assertShape(DOC_GET_CLAIMED, pubBody);
    assert.deepEqual(pubBody.records, body.records, "the same as the authenticated GET");
    assert.ok(!("tracking" in pubBody), "tracking only when available");

    const del = await w.request("DELETE", `/api/v1/strategies/${SLUG}/claimed`, { token: key });
    assert.equal(del.status, 200);
    const gone = await del.json();
    assertShape(DOC_DELETE_CLAIMED, gone);
    assert.deepEqual(gone, { deleted: true, data_points_removed: 3 });
    assert.equal((await w.request("GET", `/api/v1/strategies/${SLUG}/claimed`, { token: key })).status, 404);
  }));

Deno.test("QuantGPT claimed: the old /backtest addresses redirect to /claimed (migration note)", () =>
  withSettledStrategy(async ({ w, key }) => {
    const owner = await w.request("GET", `/api/v1/strategies/${SLUG}/backtest`, { token: key });
    assert.equal(owner.status, 308);
    assert.equal(owner.headers.get("location"), `/api/v1/strategies/${SLUG}/claimed`);
    const pub = await w.request("GET", `/api/v1/public/strategies/${SLUG}/backtest`);
    assert.equal(pub.status, 308);
    assert.equal(pub.headers.get("location"), `/api/v1/public/strategies/${SLUG}/claimed`);
  }));

Deno.test("QuantGPT track-record: nav normalised to 1.0 at the start, claimed {meta, records, tracking} with hand-computed tracking", () =>
  withSettledStrategy(async ({ w, key }) => {
    const bare = await (await w.request("GET", `/api/v1/public/strategies/${SLUG}/track-record`)).json();
    assert.ok(!("claimed" in bare), "claimed is present only when data exists");
    assertShape({ records: DOC_TRACK_RECORD.records }, bare);
    assert.equal(bare.records.length, 62);
    for (const r of bare.records) {
      near(r.nav, r.nav_value / 1_000_000);
      near(r.nav, 1 + r.cumulative_return);
    }

    // Out-of-sample paper trading that overlaps the platform's record: 10 days before it, then its last 20 days
    // with small daily differences. The platform record itself is not touched.
    const platform = new Map<string, number>(bare.records.map((r: { date: string; nav_value: number }) => [
      r.date,
      r.nav_value,
    ]));
    const overlapDates = bare.records.slice(-20).map((r: { date: string }) => r.date);
    const before = tradingDaysThrough(sse.tradingDayOffset("2026-05-13", -1), 10);
    const wiggle = [0.001, -0.0005, 0.0002, 0, 0.0008];
    let nav = 0.98;
    const records = before.map((date) => ({ date, nav: nav *= 1.001 }));
    for (const [i, date] of overlapDates.entries()) {
      records.push({ date, nav: (platform.get(date)! / 1_000_000) * (1 + wiggle[i % wiggle.length]) });
    }
    const put = await w.request("PUT", `/api/v1/strategies/${SLUG}/claimed`, {
      json: { records },
      token: key,
    });
    assert.equal(put.status, 201, await put.clone().text());
    const uploaded = await put.json();
    assertShape(DOC_PUT_CLAIMED, uploaded);
    assert.ok(uploaded.tracking, "overlap ≥ 5 days: the upload answers tracking");

    const rec = await (await w.request("GET", `/api/v1/public/strategies/${SLUG}/track-record`)).json();
    assertShape(DOC_TRACK_RECORD, rec);
    assert.deepEqual(rec.records, bare.records, "the claimed series never mixes into the platform's");
    assert.equal(rec.claimed.records[0].nav, 1);
    assert.equal(rec.claimed.records[0].cumulative_return, 0);
    assert.equal(rec.claimed.records[0].benchmark_return, 0);
    assert.equal(rec.claimed.meta.data_points, 30);

    // The document's formulas, computed here from the two series on their 20 common dates (19 return pairs).
    const c: number[] = [], p: number[] = [];
    for (let i = 1; i < overlapDates.length; i++) {
      const [d0, d1] = [overlapDates[i - 1], overlapDates[i]];
      const claimed = (d: string) => records.find((r) => r.date === d)!.nav;
      c.push(claimed(d1) / claimed(d0) - 1);
      p.push(platform.get(d1)! / platform.get(d0)! - 1);
    }
    const diff = c.map((v, i) => v - p[i]);
    const t = rec.claimed.tracking;
    assert.equal(t.overlap_days, 20);
    near(t.tracking_diff_annualized, mean(diff) * 252, 1e-8);
    near(t.tracking_error_annualized, sd(diff) * Math.sqrt(252), 1e-8);
    const corr = pearson(c, p);
    near(t.correlation, corr, 1e-8);
    const te = sd(diff) * Math.sqrt(252);
    const verdict = te < 0.02 && corr > 0.95
      ? "consistent"
      : te < 0.05 || corr > 0.85
      ? "moderate_divergence"
      : "significant_divergence";
    assert.equal(t.verdict, verdict);
    assert.equal(verdict, "consistent", "TE ≈ 0.0139 < 0.02 and correlation ≈ 0.9991 > 0.95 in this world");
    assert.deepEqual(uploaded.tracking, t);

    const pub = await (await w.request("GET", `/api/v1/public/strategies/${SLUG}/claimed`)).json();
    assertShape(DOC_GET_CLAIMED, pub);
    assertShape({ tracking: DOC_TRACK_RECORD.claimed.tracking }, pub);
    assert.deepEqual(pub.tracking, t, "the public claimed GET adds the tracking metrics");
  }));

Deno.test("QuantGPT public list: GET /public/strategies?universe=hs300&limit=50&offset=0 as written", () =>
  withSettledStrategy(async ({ w, key }) => {
    await w.request("PUT", `/api/v1/strategies/${SLUG}/claimed`, { json: CLAIMED_BODY, token: key });
    const res = await w.request("GET", "/api/v1/public/strategies?universe=hs300&limit=50&offset=0");
    assert.equal(res.status, 200);
    const list = await res.json();
    assertShape(DOC_PUBLIC_LIST, list);
    const row = list.strategies[0];
    assert.equal(row.slug, SLUG);
    assert.equal(row.has_claimed, true);
    assert.equal(row.trading_days, 62);
    assert.equal(row.latest_date, LAST_DAY);
    const rec = await (await w.request("GET", `/api/v1/public/strategies/${SLUG}/track-record`)).json();
    assert.equal(row.nav, rec.records.at(-1).nav_value, "the list's nav is the currency NAV");
    near(row.total_return, row.nav / 1_000_000 - 1);
    assert.equal(row.daily_return, rec.records.at(-1).daily_return);
    assert.equal(row.creator, "my_username");
    assert.deepEqual(row.activated_at !== null, true);
    assert.deepEqual([list.total, list.limit, list.offset], [1, 50, 0]);
    assert.deepEqual(list.items, list.strategies, "the earlier name stays beside");
    // The universe filter is honoured; the default limit is 50 (Pagination section).
    const other = await (await w.request("GET", "/api/v1/public/strategies?universe=csi500")).json();
    assert.deepEqual([other.strategies, other.total, other.limit], [[], 0, 50]);
    assert.equal((await w.request("GET", "/api/v1/public/strategies?limit=201")).status, 422, "max 200");
  }));

Deno.test("QuantGPT performance: metrics and rolling_excess_sharpe, recomputed from the track record", () =>
  withSettledStrategy(async ({ w }) => {
    const res = await w.request("GET", `/api/v1/public/strategies/${SLUG}/performance`);
    assert.equal(res.status, 200);
    const perf = await res.json();
    assertShape(DOC_PERFORMANCE, perf);
    const rec = await (await w.request("GET", `/api/v1/public/strategies/${SLUG}/track-record`)).json();
    const navs: number[] = rec.records.map((r: { nav_value: number }) => r.nav_value);
    const r = navs.map((v, i) => v / (i === 0 ? 1_000_000 : navs[i - 1]) - 1);
    const b: number[] = rec.records.map((x: { benchmark_return: number | null }) => x.benchmark_return ?? 0);
    const m = perf.metrics;
    assert.equal(m.trading_days, 62);
    near(m.total_return, navs.at(-1)! / 1_000_000 - 1);
    near(m.annual_return, (1 + m.total_return) ** (252 / 62) - 1);
    near(m.volatility, sd(r) * Math.sqrt(252));
    near(m.sharpe, (mean(r) / sd(r)) * Math.sqrt(252));
    let peak = 1_000_000, mdd = 0;
    for (const v of navs) {
      peak = Math.max(peak, v);
      mdd = Math.max(mdd, 1 - v / peak);
    }
    near(m.max_drawdown, mdd);
    near(m.calmar, m.annual_return / m.max_drawdown);
    const bench = b.reduce((g, x) => g * (1 + x), 1) - 1;
    near(m.benchmark_return, bench);
    near(m.excess_return, m.total_return - bench);
    const excess = r.map((x, i) => x - b[i]);
    near(m.excess_sharpe, (mean(excess) / sd(excess)) * Math.sqrt(252));
    // 60-day windows: the first ends on the 60th day, so 62 days give 3 values.
    assert.equal(perf.rolling_excess_sharpe.length, 3);
    assert.equal(perf.rolling_excess_sharpe[0].date, rec.records[59].date);
    const last = excess.slice(-60);
    near(perf.rolling_excess_sharpe[2].value, (mean(last) / sd(last)) * Math.sqrt(252));
    assert.deepEqual(
      [perf.conventions.periods_per_year, perf.conventions.std_ddof, perf.conventions.rolling_window_days],
      [252, 1, 60],
    );
  }));

Deno.test("QuantGPT verify?date=2026-05-13: verification block; the document's steps 2, 3 and 4 hold", () =>
  withSettledStrategy(async ({ w, gh }) => {
    const res = await w.request("GET", `/api/v1/public/strategies/${SLUG}/verify?date=2026-05-13`);
    assert.equal(res.status, 200);
    const body = await res.json();
    for (const k of ["verification", "data_provenance", "how_to_verify"]) assert.ok(k in body, k);
    const v = body.verification;
    field(v, "nav", "number");
    field(v, "positions", "array");
    field(v, "signal_attestation", "object");
    field(v, "trades", "array");
    field(body, "data_provenance", "object");
    field(body, "how_to_verify", "array");
    assert.ok(v.positions.length > 0, "the day holds positions");

    // Step 2: fetch the GitHub attestation from github_raw_url and compare signal_hash.
    const a = v.signal_attestation;
    assert.equal(typeof body.github_raw_url, "string");
    assert.equal(a.github_raw_url, body.github_raw_url);
    const url = new URL(body.github_raw_url);
    const prefix = `/acme/signals/raw/${a.commit_sha}/`;
    assert.equal(`${url.origin}`, gh.apiBaseUrl);
    assert.ok(url.pathname.startsWith(prefix), url.pathname);
    const path = url.pathname.slice(prefix.length);
    assert.equal(path, `signals/${SLUG}/2026-05-13.json`);
    assert.ok(gh.commits.some((c) => c.sha === a.commit_sha && c.path === path), "the URL names the commit");
    assert.equal(JSON.parse(gh.file(path)!.text).signal_hash, a.signal_hash);
    assert.equal(await sha256Hex(a.canonical_json), a.signal_hash);

    // Step 3: symbols_hash = SHA256(comma-joined sorted symbols)[:16].
    const held = v.positions.map((p: { symbol: string }) => p.symbol);
    assert.deepEqual(v.symbols, [...held].sort());
    assert.equal(v.symbols_hash, await symbolsHash(held));
    assert.deepEqual(a.symbols, ["000858.SZ", "600519.SH"]);
    assert.equal(a.symbols_hash, await symbolsHash(SIGNAL_0513.signals.map((s) => s.symbol)));

    // Step 4: sum(positions.market_value) + cash == reported nav.
    const sum = v.positions.reduce((s: number, p: { market_value: number }) => s + p.market_value, 0);
    near(sum + v.cash, v.nav);
    for (const p of v.positions) near(p.quantity * p.price, p.market_value);
    // Step 5's inputs: the deadline and the submission time.
    assert.equal(a.deadline_at, "2026-05-13T01:15:00.000Z");
    assert.ok(Date.parse(a.submitted_at) < Date.parse(a.deadline_at));

    // The earlier flat fields carry the same values.
    assert.equal(body.nav, v.nav);
    assert.equal(body.symbols_hash, v.symbols_hash);
    assert.equal(body.signal.signal_hash, a.signal_hash);
    assert.ok(body.how_to_verify.some((s: string) => s.includes("github_raw_url")));
  }));

Deno.test("QuantGPT audit?limit=50&offset=0: REBALANCE and HOLD days typed, total beside", () =>
  withSettledStrategy(async ({ w }) => {
    const res = await w.request("GET", `/api/v1/public/strategies/${SLUG}/audit?limit=50&offset=0`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assertShape(DOC_AUDIT, body);
    assert.equal(body.audit_log.length, 50);
    const settled = body.audit_log.filter((e: { type: string }) =>
      e.type === "REBALANCE" || e.type === "HOLD"
    );
    assert.ok(settled.some((e: { type: string }) => e.type === "HOLD"));
    const all = await (await w.request("GET", `/api/v1/public/strategies/${SLUG}/audit?limit=200`)).json();
    assert.equal(all.total, body.total);
    const days = all.audit_log.filter((e: { type: string }) => e.type === "REBALANCE" || e.type === "HOLD");
    assert.equal(days.length, 62, "one REBALANCE or HOLD entry per settled day");
    assert.deepEqual(
      days.filter((e: { type: string }) => e.type === "REBALANCE").map((e: { date: string }) => e.date)
        .sort(),
      ["2026-05-13", "2026-05-14", ...FUTURE_SIGNAL_DAYS],
    );
    // The default limit is 50 (Pagination section).
    const dflt = await (await w.request("GET", `/api/v1/public/strategies/${SLUG}/audit`)).json();
    assert.equal(dflt.audit_log.length, 50);
  }));

/** Asserts `value[key]` exists with the JSON type `type`. */
const field = (value: Record<string, unknown>, key: string, type: string) =>
  assertDocumentField(value, key, type);

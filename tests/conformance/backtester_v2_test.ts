/**
 * Conformance with the Backtester API v2 document (the product document `004_8eae355b049f84be.txt`): its
 * `POST /run_backtest` example replayed as written (no token, the full `backtest_config` of the document's
 * `/agent/invoke` "config ready" answer passed as `config`), asserting every documented field of `summary`,
 * `trades`, `dailyPortfolio` and `monthlyPerformance` by name and type and what it means; then the ugly cases
 * (unknown parameter or type, ATR alone, runs without trades and their notes, every filter honoured) and
 * `POST /refresh_cache`. `/health` and `/agent/*` are covered with their own work.
 */
import assert from "node:assert/strict";
import { assertDocumentField } from "../_helpers/document_shape.ts";
import { DOCUMENT_CONFIG } from "../_helpers/backtester_v2_example.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

type Json = Record<string, unknown>;
type Trade = {
  date: string;
  ticker: string;
  action: string;
  quantity: number;
  price: number;
  value: number;
  fees: number;
  reason: string;
  profitLoss?: number;
  profitLossPercent?: number;
};

/** Asserts `value[key]` exists with the JSON type `type` (`"number|null"` allows null). */
const field = (value: Json, key: string, type: string, where: string) =>
  assertDocumentField(value, key, type, where);

function fields(value: Json, spec: Record<string, string>, where: string): void {
  for (const [k, t] of Object.entries(spec)) field(value, k, t, where);
}

const SUMMARY = {
  initialCapital: "number",
  finalValue: "number",
  totalReturn: "number",
  annualizedReturn: "number",
  benchmarkReturn: "number|null",
  totalTrades: "number",
  closedTrades: "number",
  winningTrades: "number",
  losingTrades: "number",
  breakevenTrades: "number",
  winRate: "number",
  maxDrawdown: "number",
  sharpeRatio: "number",
  averageHoldingDays: "number",
  bestTrade: "object",
  worstTrade: "object",
};
const TRADE = {
  date: "string",
  ticker: "string",
  companyName: "string",
  action: "string",
  quantity: "number",
  price: "number",
  value: "number",
  portfolioValue: "number",
  reason: "string",
};
const SELL_ONLY = { profitLoss: "number", profitLossPercent: "number", holdingDays: "number" };
const DAY = {
  date: "string",
  portfolioValue: "number",
  portfolioNormalized: "number",
  ihsgValue: "number|null",
  lq45Value: "number|null",
  drawdown: "number",
};
const MONTH = {
  month: "string",
  winRate: "number|null",
  returns: "number",
  benchmarkReturns: "number|null",
  probability: "number|null",
  tradesCount: "number",
};

async function withWorld(fn: (w: TestWorld) => Promise<void>): Promise<void> {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** `POST /run_backtest {config}` as the document's client sends it: JSON, no token. */
async function runBacktest(w: TestWorld, config: unknown): Promise<{ status: number; body: Json }> {
  const res = await w.request("POST", "/run_backtest", { json: { config } });
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  return { status: res.status, body: await res.json() };
}

/** The document's config with `changes` merged into `backtestConfig` and the top level. */
function variant(top: Json, backtestConfig: Json = {}): Json {
  return {
    ...DOCUMENT_CONFIG,
    ...top,
    backtestConfig: { ...DOCUMENT_CONFIG.backtestConfig, ...backtestConfig },
  };
}

const SHORT = { startDate: "2024-01-01", endDate: "2024-03-31" };

Deno.test("Backtester v2: the document's run_backtest example answers every documented field", async () => {
  await withWorld(async (w) => {
    const { status, body } = await runBacktest(w, DOCUMENT_CONFIG);
    assert.equal(status, 200);
    for (const k of ["summary", "trades", "dailyPortfolio", "monthlyPerformance"]) assert.ok(k in body, k);

    const s = body.summary as Json;
    fields(s, SUMMARY, "summary");
    for (const k of ["bestTrade", "worstTrade"]) {
      fields(s[k] as Json, { ticker: "string", return: "number" }, k);
    }
    const trades = body.trades as Trade[];
    const sells = trades.filter((t) => t.action === "SELL");
    const wins = sells.filter((t) => t.profitLoss! > 0).length;
    const losses = sells.filter((t) => t.profitLoss! < 0).length;
    assert.ok(sells.length > 0, "the example trades");
    assert.equal(s.initialCapital, 100000000);
    assert.equal(s.totalTrades, trades.length);
    assert.equal(s.closedTrades, sells.length);
    assert.deepEqual([s.winningTrades, s.losingTrades, s.breakevenTrades], [
      wins,
      losses,
      sells.length - wins - losses,
    ]);
    assert.ok(
      Math.abs((s.winRate as number) - (wins / sells.length) * 100) < 1e-3,
      "winRate over closed trades",
    );
    assert.ok((s.maxDrawdown as number) <= 0, "maxDrawdown is negative (or 0)");
    const best = Math.max(...sells.map((t) => t.profitLossPercent!));
    assert.ok(Math.abs((s.bestTrade as Json).return as number - best) < 1e-3);

    for (const t of trades) {
      fields(t as unknown as Json, TRADE, `trade ${t.date}`);
      assert.ok(t.action === "BUY" || t.action === "SELL");
      assert.match(t.date, /^2024-\d\d-\d\d$/);
      assert.equal(t.quantity % 100, 0, "IDX lots of 100");
      if (t.action === "SELL") fields(t as unknown as Json, SELL_ONLY, `sell ${t.date}`);
      else for (const k of Object.keys(SELL_ONLY)) assert.ok(!(k in t), `BUY carries ${k}`);
    }

    const days = body.dailyPortfolio as Json[];
    for (const d of days) fields(d, DAY, `day ${d.date}`);
    assert.deepEqual(
      [days[0].portfolioNormalized, days[0].ihsgValue, days[0].lq45Value, days[0].drawdown],
      [100, 100, 100, 0],
    );
    assert.ok(days.some((d) => d.ihsgValue !== d.lq45Value), "LQ45 is not the composite");
    assert.equal(s.finalValue, days.at(-1)!.portfolioValue);
    assert.ok(
      Math.abs((s.benchmarkReturn as number) - ((days.at(-1)!.ihsgValue as number) - 100)) < 1e-3,
      "benchmarkReturn is the IHSG return",
    );

    const months = body.monthlyPerformance as Json[];
    assert.equal(months.length, 12);
    assert.deepEqual(months.slice(0, 2).map((m) => m.month), ["Jan 24", "Feb 24"]);
    for (const m of months) {
      fields(m, MONTH, `month ${m.month}`);
      assert.ok((m.probability as number) >= 0 && (m.probability as number) <= 1);
    }
    const closed = months.reduce((n, m) => n + (m.tradesCount as number), 0);
    assert.equal(closed, sells.length, "tradesCount counts the trades closed in the month");
  });
});

Deno.test("Backtester v2: filters, costs, portfolio and risk of the document's config are all honoured", async () => {
  await withWorld(async (w) => {
    const { body } = await runBacktest(w, DOCUMENT_CONFIG);
    const trades = body.trades as Trade[];
    const market = w.deps.market.market;
    // filters.marketCap: ["large"]
    for (const t of trades) assert.equal(market.symbol(t.ticker)!.market_cap_class, "large", t.ticker);
    // tradingCosts: 0.15 % a side with a minimum fee of 1,000.
    for (const t of trades) {
      assert.ok(
        Math.abs(t.fees - Math.max(1000, (t.value * 0.15) / 100)) < 1e-4,
        `${t.date} ${t.ticker} fee`,
      );
    }
    // portfolio: at most 5 positions; every position at least 5 % of the capital and about 20 % of equity.
    const held = new Set<string>();
    for (const t of trades) {
      if (t.action === "BUY") {
        held.add(t.ticker);
        assert.ok(held.size <= 5, `${held.size} positions on ${t.date}`);
        assert.ok(t.value >= 5_000_000, `position ${t.value} below minPositionPercent`);
        assert.ok(t.value <= 0.2 * 100000000 * 1.5, `position ${t.value} far above positionSizePercent`);
      } else held.delete(t.ticker);
    }
    // riskManagement: a stop fills at −5 % (or the open of a gap below it), a target at +10 % (or a gap above).
    const sells = trades.filter((t) => t.action === "SELL");
    for (const t of sells) {
      if (/^stop loss/.test(t.reason)) assert.ok(t.profitLossPercent! <= -5 + 1e-6, t.reason);
      if (/^take profit/.test(t.reason)) assert.ok(t.profitLossPercent! >= 10 - 1e-6, t.reason);
    }
    const reasons = new Set(sells.map((t) => t.reason.split(" ").slice(0, 2).join(" ")));
    assert.ok(reasons.has("stop loss") && reasons.has("take profit"), [...reasons].join(", "));
    for (const t of sells) {
      const holding = (t as unknown as { holdingDays: number }).holdingDays;
      assert.ok(holding <= 31, `held ${holding} days, maxHoldingDays 30`);
    }
    assert.ok((body.notes as string[]).some((n) => n.includes("every indicator's buy condition")));
  });
});

Deno.test("Backtester v2: filters.tickers, syariah, sectors, minDailyValue and fundamentals are honoured", async () => {
  await withWorld(async (w) => {
    const market = w.deps.market.market;
    const loose = { positionSizePercent: 20, minPositionPercent: 0, maxPositions: 5 };
    const buyAll = [{ type: "SMA_TREND", shortPeriod: 5, longPeriod: 20 }];
    const traded = async (top: Json) => {
      const r = await runBacktest(
        w,
        variant({ filters: {}, technicalIndicators: buyAll, ...top }, { ...SHORT, portfolio: loose }),
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return { tickers: new Set((r.body.trades as Trade[]).map((t) => t.ticker)), body: r.body };
    };
    const tickers = await traded({ filters: { tickers: ["BBCA", "TLKM", "ASII.JK"] } });
    assert.ok(tickers.tickers.size > 0);
    for (const t of tickers.tickers) assert.ok(["BBCA.JK", "TLKM.JK", "ASII.JK"].includes(t), t);
    const syariah = await traded({ filters: { syariah: true } });
    assert.ok(syariah.tickers.size > 0);
    for (const t of syariah.tickers) assert.equal(market.symbol(t)!.syariah, true, t);
    const sectors = await traded({ filters: { sectors: ["Financials"] } });
    assert.ok(sectors.tickers.size > 0);
    for (const t of sectors.tickers) assert.equal(market.symbol(t)!.sector, "Financials", t);
    // No IDX stock trades a trillion rupiah a day: the filter blocks every buy and the notes say so.
    const value = await traded({ filters: { minDailyValue: 1e15 } });
    assert.equal(value.tickers.size, 0);
    assert.ok(
      (value.body.notes as string[]).some((n) => /minimum traded value or fundamental filters/.test(n)),
    );
    const pe = await traded({ fundamentalIndicators: [{ type: "PE_RATIO", max: -1000 }] });
    assert.equal(pe.tickers.size, 0);
    assert.ok((pe.body.notes as string[]).some((n) => /fundamental filters blocked every one/.test(n)));
  });
});

Deno.test("Backtester v2: unknown parameters and types are a 422 naming them; ATR alone is refused", async () => {
  await withWorld(async (w) => {
    const cases: [Json, (string | number)[], RegExp][] = [
      [
        { technicalIndicators: [{ type: "RSI", period: 14, oversold: 30, overbought: 70, lookback: 5 }] },
        ["body", "config", "technicalIndicators", 0, "lookback"],
        /Unknown parameter "lookback" for RSI/,
      ],
      [
        { technicalIndicators: [{ type: "STOCHASTIC", period: 14 }] },
        ["body", "config", "technicalIndicators", 0, "type"],
        /Unknown technical indicator type "STOCHASTIC"/,
      ],
      [
        { technicalIndicators: [{ type: "ATR", period: 14 }] },
        ["body", "config", "technicalIndicators"],
        /No technical indicator gives a buy signal: ATR is volatility only/,
      ],
      [{ filters: { marketCaps: ["large"] } }, ["body", "config", "filters", "marketCaps"], /Extra inputs/],
    ];
    for (const [top, loc, msg] of cases) {
      const { status, body } = await runBacktest(w, variant(top));
      assert.equal(status, 422, JSON.stringify(body));
      const issues = body.detail as { type: string; loc: (string | number)[]; msg: string }[];
      assert.ok(
        issues.some((i) => JSON.stringify(i.loc) === JSON.stringify(loc) && msg.test(i.msg)),
        JSON.stringify(issues),
      );
    }
  });
});

Deno.test("Backtester v2: runs without trades say why in notes; filters that leave no ticker are a 400", async () => {
  await withWorld(async (w) => {
    const never = await runBacktest(
      w,
      variant({ technicalIndicators: [{ type: "RSI", period: 14, oversold: 0.001, overbought: 70 }] }, SHORT),
    );
    assert.equal(never.status, 200);
    assert.equal((never.body.trades as unknown[]).length, 0);
    assert.ok(
      (never.body.notes as string[]).some((n) => /no buy signal fired/.test(n)),
      String(never.body.notes),
    );
    assert.equal((never.body.summary as Json).winRate, null, "no closed trade: no win rate");

    const poor = await runBacktest(
      w,
      variant({ technicalIndicators: [{ type: "SMA_TREND", shortPeriod: 5, longPeriod: 20 }] }, {
        ...SHORT,
        initialCapital: 1000,
      }),
    );
    assert.equal(poor.status, 200);
    assert.equal((poor.body.trades as unknown[]).length, 0);
    assert.ok((poor.body.notes as string[]).some((n) => /capital below one lot of every candidate/.test(n)));

    const none = await runBacktest(w, variant({ filters: { tickers: ["BBCA"], syariah: true } }, SHORT));
    assert.equal(none.status, 400);
    assert.equal(typeof none.body.detail, "string");
    assert.match(none.body.detail as string, /^Backtest failed: the filters left no tickers/);
  });
});

Deno.test("Backtester v2: without initialCapital an IDX run starts with 100,000,000 IDR and says so", async () => {
  await withWorld(async (w) => {
    const { initialCapital: _drop, ...settings } = DOCUMENT_CONFIG.backtestConfig;
    const { status, body } = await runBacktest(w, {
      ...DOCUMENT_CONFIG,
      backtestConfig: { ...settings, ...SHORT },
    });
    assert.equal(status, 200);
    assert.equal((body.summary as Json).initialCapital, 100_000_000);
    assert.ok((body.notes as string[]).some((n) => n.includes("100,000,000 IDR")));
    assert.ok((body.trades as unknown[]).length > 0);
  });
});

Deno.test("Backtester v2: POST /refresh_cache (no token) says what it refreshed", async () => {
  await withWorld(async (w) => {
    const res = await w.request("POST", "/refresh_cache");
    assert.equal(res.status, 200);
    const body = await res.json();
    fields(body, {
      status: "string",
      source: "string",
      universes: "array",
      refreshed: "number",
      through: "object",
    }, "refresh");
    assert.equal(body.status, "refreshed");
    assert.equal(
      body.refreshed,
      w.deps.market.market.universe("idx").length + 2,
      "idx stocks, ^JKSE and LQ45",
    );
    assert.match(body.through.IDX, /^\d{4}-\d\d-\d\d$/);
  });
});

Deno.test("Backtester v2: anonymous runs are counted per address against RATE_LIMIT_BACKTEST", async () => {
  const w = await openTestWorld({ RATE_LIMIT_BACKTEST: "2/1m" });
  try {
    const small = variant({ filters: { tickers: ["BBCA"] } }, SHORT);
    assert.equal((await runBacktest(w, small)).status, 200);
    assert.equal((await runBacktest(w, small)).status, 200);
    const third = await runBacktest(w, small);
    assert.equal(third.status, 429);
    assert.match(third.body.detail as string, /^Rate limit exceeded/);
  } finally {
    await w.close();
  }
});

Deno.test("Backtester v2: a run outside the IDX answers ihsgValue and lq45Value as null", async () => {
  await withWorld(async (w) => {
    const { status, body } = await runBacktest(w, {
      tickers: ["AAPL"],
      technicalIndicators: [{ type: "SMA_TREND", shortPeriod: 5, longPeriod: 20 }],
      backtestConfig: { ...SHORT, initialCapital: 100_000 },
    });
    assert.equal(status, 200);
    for (const d of body.dailyPortfolio as Json[]) {
      fields(d, DAY, `day ${d.date}`);
      assert.deepEqual([d.ihsgValue, d.lq45Value], [null, null]);
    }
    assert.equal((body.summary as Json).benchmarkReturn, null);
    assert.ok(!(body.notes as string[]).some((n) => n.includes("IDR")));
  });
});

Deno.test("Backtester v2: a signed-in run joins the caller's run list; an anonymous run is answered but not kept", async () => {
  const w = await openTestWorld();
  try {
    const small = variant({ filters: { tickers: ["BBCA"] } }, SHORT);
    assert.equal((await runBacktest(w, small)).status, 200);
    const kept = async () => {
      let n = 0;
      for await (const _ of w.kv.list({ prefix: ["sync_runs"] })) n++;
      return n;
    };
    assert.equal(await kept(), 0, "the anonymous run left no record");
    const { access_token } = await signInWithOtp(w, "v2client@example.com");
    const res = await w.request("POST", "/run_backtest", { json: { config: small }, token: access_token });
    assert.equal(res.status, 200);
    assert.equal(await kept(), 1);
    const list = await (await w.request("GET", "/api/backtests", { token: access_token })).json();
    assert.equal(list.length, 1);
    assert.equal(list[0].backend, "rules");
  } finally {
    await w.close();
  }
});

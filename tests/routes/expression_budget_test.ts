/**
 * The expression budget (MAX_EXPRESSION_COST, MAX_JOB_EXPRESSION_COST): the heavy spec of the hardening issue —
 * 76 terms `ts_rank(close, 1400+i) > 0` per rule on 20 tickers — is refused up front with a 422 that names the
 * budget and the computed cost, on every route that evaluates expressions, and nothing is loaded or queued.
 */
import assert from "node:assert/strict";
import { DEFAULT_MAX_EXPRESSION_COST, DEFAULT_MAX_JOB_EXPRESSION_COST } from "../../domain/config.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const HEAVY = Array.from({ length: 76 }, (_, i) => `ts_rank(close,${1400 + i})>0`).join(" and ");

async function heavySpec(w: TestWorld) {
  const tickers = (await w.deps.market.data.getUniverse("hs300")).slice(0, 20);
  return {
    name: "Heavy ranks",
    universe: { tickers },
    entry: HEAVY,
    exit: HEAVY,
    start: "2015-01-01",
    end: "2022-12-31",
  };
}

/** Asserts a 422 `expression_cost` body naming `setting` and the cost, with the cost over `budget`. */
async function assertRefused(res: Response, budget: number, setting: string, loc: (string | number)[]) {
  const text = await res.text();
  assert.equal(res.status, 422, text.slice(0, 300));
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const [issue] = JSON.parse(text).detail;
  assert.equal(issue.type, "expression_cost");
  assert.deepEqual(issue.loc, loc);
  assert.equal(issue.ctx.budget, budget);
  assert.equal(issue.ctx.budget_setting, setting);
  assert.ok(issue.ctx.cost > budget, `cost ${issue.ctx.cost} not over ${budget}`);
  const grouped = (n: number) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  assert.ok(issue.msg.includes(setting), issue.msg);
  assert.ok(issue.msg.includes(grouped(budget)), issue.msg);
  assert.ok(issue.msg.includes(grouped(issue.ctx.cost)), issue.msg);
  assert.match(issue.msg, /ts_rank\(close, 14\d\d\)/);
  return issue;
}

/** No synthetic series was generated (the run was refused before loading data). */
async function assertNothingLoaded(w: TestWorld, symbols: string[]) {
  for (const s of symbols) {
    assert.equal(await w.deps.market.bars.getMeta(w.deps.market.synthetic.namespace, s), null, `${s} loaded`);
  }
}

Deno.test("the heavy ts_rank spec is refused with 422 (budget and cost named) on the synchronous backtest routes", async () => {
  const w = await openTestWorld();
  try {
    const t = (await signInWithOtp(w, "heavy@example.com")).access_token;
    const spec = await heavySpec(w);
    const run = await w.request("POST", "/api/v1/backtests/run", { json: { spec }, token: t });
    const issue = await assertRefused(run, DEFAULT_MAX_EXPRESSION_COST, "MAX_EXPRESSION_COST", [
      "body",
      "spec",
    ]);
    assert.equal(issue.ctx.symbols, 20);
    const quick = await w.request("POST", "/api/v1/backtest", {
      json: { spec, ticker: spec.universe.tickers[0] },
      token: t,
    });
    await assertRefused(quick, DEFAULT_MAX_EXPRESSION_COST, "MAX_EXPRESSION_COST", ["body", "spec"]);
    const plot = await w.request("POST", "/api/v1/plot", {
      json: { spec, ticker: spec.universe.tickers[1] },
      token: t,
    });
    await assertRefused(plot, DEFAULT_MAX_EXPRESSION_COST, "MAX_EXPRESSION_COST", ["body", "spec"]);
    await assertNothingLoaded(w, spec.universe.tickers);
  } finally {
    await w.close();
  }
});

Deno.test("the heavy rule is refused on /indicators over the symbol's whole history", async () => {
  const w = await openTestWorld();
  try {
    const t = (await signInWithOtp(w, "heavy@example.com")).access_token;
    const [symbol] = (await heavySpec(w)).universe.tickers;
    const res = await w.request("POST", "/api/v1/indicators", {
      json: { symbol, start: "2015-01-01", end: "2026-05-13", expressions: [HEAVY, "close"] },
      token: t,
    });
    const issue = await assertRefused(res, DEFAULT_MAX_EXPRESSION_COST, "MAX_EXPRESSION_COST", [
      "body",
      "expressions",
    ]);
    assert.equal(issue.ctx.symbols, 1);
    // A light request on the same bars is answered.
    const ok = await w.request("POST", "/api/v1/indicators", {
      json: { symbol, start: "2015-01-01", end: "2026-05-13", expressions: ["ts_rank(close, 20)"] },
      token: t,
    });
    assert.equal(ok.status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("a queued heavy backtest is refused at submission: 422 and no job", async () => {
  const w = await openTestWorld();
  try {
    const t = (await signInWithOtp(w, "heavy@example.com")).access_token;
    const spec = await heavySpec(w);
    const res = await w.request("POST", "/api/v1/backtests", { json: { spec }, token: t });
    await assertRefused(res, DEFAULT_MAX_JOB_EXPRESSION_COST, "MAX_JOB_EXPRESSION_COST", ["body", "spec"]);
    const jobs = await (await w.request("GET", "/api/v1/backtests", { token: t })).json();
    assert.equal(jobs.total, 0);
    const code = [
      `universe: ${JSON.stringify(spec.universe)}`,
      `entry: ${HEAVY}`,
      `exit: ${HEAVY}`,
      `start: "2015-01-01"`,
      `end: "2022-12-31"`,
    ].join("\n");
    const text = await w.request("POST", "/api/v1/backtests", { json: { strategy_code: code }, token: t });
    await assertRefused(text, DEFAULT_MAX_JOB_EXPRESSION_COST, "MAX_JOB_EXPRESSION_COST", [
      "body",
      "strategy_code",
    ]);
    assert.equal((await (await w.request("GET", "/api/v1/backtests", { token: t })).json()).total, 0);
  } finally {
    await w.close();
  }
});

Deno.test("the heavy spec saved in the library is refused by library compare and run, catalog compare and the leaderboard", async () => {
  const w = await openTestWorld();
  try {
    const t = (await signInWithOtp(w, "heavy@example.com")).access_token;
    const spec = await heavySpec(w);
    const saved = await w.request("POST", "/api/v1/library", {
      json: { name: "Heavy ranks", spec },
      token: t,
    });
    assert.equal(saved.status, 201);
    const { strategy_id } = await saved.json();

    const cmp = await w.request("GET", `/api/v1/library/${strategy_id}/compare?a=1&b=1`, { token: t });
    await assertRefused(cmp, DEFAULT_MAX_EXPRESSION_COST, "MAX_EXPRESSION_COST", ["query", "a"]);

    const job = await w.request("POST", "/api/v1/backtests", { json: { library_id: strategy_id }, token: t });
    await assertRefused(job, DEFAULT_MAX_JOB_EXPRESSION_COST, "MAX_JOB_EXPRESSION_COST", [
      "body",
      "library_id",
    ]);
    assert.equal((await (await w.request("GET", "/api/v1/backtests", { token: t })).json()).total, 0);

    await w.request("POST", `/api/v1/library/${strategy_id}/stage`, { json: { version: 1 }, token: t });
    assert.equal(
      (await w.request("POST", `/api/v1/library/${strategy_id}/promote`, { token: t })).status,
      200,
    );
    assert.equal(
      (await w.request("PATCH", `/api/v1/library/${strategy_id}`, { json: { is_public: true }, token: t }))
        .status,
      200,
    );
    const catalog = await w.request("GET", "/api/v1/catalog/strategies/Heavy%20ranks/compare");
    await assertRefused(catalog, DEFAULT_MAX_EXPRESSION_COST, "MAX_EXPRESSION_COST", ["path", "name"]);

    // The leaderboard reruns the rules on a dataset's symbols and dates: hs300 (300 symbols) and crypto
    // (every-day bars) are over the budget.
    for (const dataset of ["hs300-2020-2024", "crypto-2021-2024"]) {
      const lb = await w.request("POST", "/api/v1/leaderboard/submit", {
        json: { strategy_id, dataset },
        token: t,
      });
      await assertRefused(lb, DEFAULT_MAX_EXPRESSION_COST, "MAX_EXPRESSION_COST", ["body", "strategy_id"]);
    }
    await assertNothingLoaded(w, spec.universe.tickers);
  } finally {
    await w.close();
  }
});

Deno.test("specs within the budget still run: the documented SMA cross on 20 symbols", async () => {
  const w = await openTestWorld();
  try {
    const t = (await signInWithOtp(w, "light@example.com")).access_token;
    const spec = {
      ...(await heavySpec(w)),
      entry: "crosses_above(sma(close, 20), sma(close, 50))",
      exit: "crosses_below(sma(close, 20), sma(close, 50))",
    };
    const res = await w.request("POST", "/api/v1/backtests/run", { json: { spec }, token: t });
    assert.equal(res.status, 200);
    assert.ok((await res.json()).trades.length > 0);
  } finally {
    await w.close();
  }
});

Deno.test("MAX_EXPRESSION_COST is configurable: a small budget refuses the documented SMA cross", async () => {
  const w = await openTestWorld({ MAX_EXPRESSION_COST: "1000" });
  try {
    const t = (await signInWithOtp(w, "light@example.com")).access_token;
    const spec = {
      universe: { tickers: ["600519.SH"] },
      entry: "crosses_above(sma(close, 20), sma(close, 50))",
      exit: "crosses_below(sma(close, 20), sma(close, 50))",
    };
    const res = await w.request("POST", "/api/v1/backtests/run", { json: { spec }, token: t });
    const issue = await (async () => {
      const text = await res.text();
      assert.equal(res.status, 422, text);
      return JSON.parse(text).detail[0];
    })();
    assert.equal(issue.ctx.budget, 1000);
    assert.match(issue.msg, /MAX_EXPRESSION_COST/);
  } finally {
    await w.close();
  }
});

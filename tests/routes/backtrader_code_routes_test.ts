/**
 * Backtrader code through the HTTP routes: each fixture strategy (tests/fixtures/backtrader/) imports and runs
 * through the copilot's `POST /backtest` (the ticker is the universe) and `POST /api/v1/backtests/run`; saved
 * Python keeps its spec and answers strategy text; code outside the subset is a 422 naming the construct and line.
 */
import assert from "node:assert/strict";
import { lastOtp, openTestWorld, type TestWorld } from "../_helpers/test_app.ts";
import { RELIANCE_SMA } from "../_helpers/backtrader_samples.ts";

const DIR = new URL("../fixtures/backtrader/", import.meta.url);
const FIXTURES = [...Deno.readDirSync(DIR)].filter((f) => f.name.endsWith(".py")).map((f) => f.name).sort();

async function withWorld(fn: (w: TestWorld, token: string) => Promise<void>): Promise<void> {
  const w = await openTestWorld();
  try {
    const email = "bt@example.com";
    await w.request("POST", "/auth/request-otp", { json: { email } });
    const res = await w.request("POST", "/auth/verify-otp", {
      json: { email, otp_code: lastOtp(w.sent, email) },
    });
    assert.equal(res.status, 200);
    await fn(w, (await res.json()).access_token);
  } finally {
    await w.close();
  }
}

const code = (name: string) => Deno.readTextFileSync(new URL(name, DIR));

Deno.test("every backtrader fixture imports and runs through POST /backtest with a ticker", async () => {
  assert.ok(FIXTURES.length >= 20, `${FIXTURES.length} fixtures`);
  await withWorld(async (w, token) => {
    for (const name of FIXTURES) {
      w.clock.advance(61_000); // the synchronous-run rate limit
      const res = await w.request("POST", "/backtest", {
        json: { strategy_code: code(name), ticker: "RELIANCE.NS" },
        token,
      });
      assert.equal(res.status, 200, `${name}: ${await res.clone().text()}`);
      const body = await res.json();
      assert.equal(typeof body.start_value, "number", name);
      assert.equal(typeof body.end_value, "number", name);
      assert.ok(Number.isFinite(body.pnl), name);
    }
  });
});

Deno.test("backtrader code runs through POST /api/v1/backtests/run with its own feed as the universe", async () => {
  await withWorld(async (w, token) => {
    const res = await w.request("POST", "/api/v1/backtests/run", {
      json: { strategy_code: RELIANCE_SMA },
      token,
    });
    assert.equal(res.status, 200, await res.clone().text());
    const report = await res.json();
    assert.ok(Array.isArray(report.trades) && report.trades.length > 0, "trades");
    assert.equal(typeof report.summary.finalValue, "number");
    assert.match(report.generated_code, /entry: crosses_above\(sma\(close, 20\), sma\(close, 50\)\)/);
    assert.match(report.generated_code, /capital: 100000/);
  });
});

Deno.test("POST /plot and a queued job take backtrader code", async () => {
  await withWorld(async (w, token) => {
    const plot = await w.request("POST", "/plot", {
      json: { strategy_code: code("sma_cross.py"), ticker: "RELIANCE.NS" },
      token,
    });
    assert.equal(plot.status, 200, await plot.clone().text());
    assert.ok(Array.isArray((await plot.json()).data));
    const job = await w.request("POST", "/api/v1/backtests", {
      json: { strategy_code: RELIANCE_SMA },
      token,
    });
    assert.ok(job.status === 200 || job.status === 201 || job.status === 202, await job.clone().text());
  });
});

Deno.test("saved backtrader code keeps its spec; its code reads back as strategy text; leaderboard code matches", async () => {
  await withWorld(async (w, token) => {
    const saved = await w.request("POST", "/strategy/save", {
      json: { name: "SMA from backtrader", prompt: "pasted", code: RELIANCE_SMA },
      token,
    });
    assert.equal(saved.status, 200, await saved.clone().text());
    const id = (await saved.json()).strategy_id;
    const got = await (await w.request("GET", `/strategy/${id}`, { token })).json();
    assert.match(got.code, /^name: "SMA from backtrader"/);
    assert.match(got.code, /entry: crosses_above\(sma\(close, 20\), sma\(close, 50\)\)/);
    const lib = await w.request("POST", "/api/v1/library", {
      json: { name: "Library SMA", strategy_code: RELIANCE_SMA },
      token,
    });
    assert.ok(lib.status === 200 || lib.status === 201, await lib.clone().text());
    const submit = await w.request("POST", "/leaderboard/submit", {
      json: { strategy_id: id, code: RELIANCE_SMA, dataset: "default" },
      token,
    });
    assert.equal(submit.status, 200, await submit.clone().text());
  });
});

Deno.test("backtrader code outside the subset is a 422 naming the construct and the line", async () => {
  await withWorld(async (w, token) => {
    const bad = RELIANCE_SMA.replace(
      "        if not self.position:",
      "        while True:\n            pass\n        if not self.position:",
    );
    for (
      const [path, json] of [
        ["/backtest", { strategy_code: bad, ticker: "RELIANCE.NS" }],
        ["/api/v1/backtests/run", { strategy_code: bad }],
        ["/strategy/save", { name: "x", code: bad }],
      ] as const
    ) {
      const res = await w.request("POST", path, { json, token });
      assert.equal(res.status, 422, path);
      const body = await res.json();
      assert.equal(body.detail[0].type, "unsupported_construct", path);
      assert.match(body.detail[0].msg, /line 12: `while` loops are not supported/, path);
      assert.equal(body.detail[0].loc[0], "body", path);
    }
    const placeholder = await w.request("POST", "/backtest", {
      json: { strategy_code: "import backtrader as bt\n...", ticker: "RELIANCE.NS" },
      token,
    });
    assert.equal(placeholder.status, 422);
    const body = await placeholder.json();
    assert.equal(body.detail[0].type, "no_strategy");
    assert.match(body.error, /\/docs\/strategy-text/);
  });
});

import assert from "node:assert/strict";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

const SPEC = {
  universe: { tickers: ["600519.SH"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
};

Deno.test("library: save, version, stage, promote, catalog, rollback, export, delete — and ownership", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "lib@example.com");
    const other = await signInWithOtp(w, "other@example.com", "10.0.0.3");
    await w.request("PATCH", "/api/v1/auth/profile", {
      json: { nickname: "alpha_lab" },
      token: me.access_token,
    });
    const t = me.access_token;
    const saved = await w.request("POST", "/api/v1/library", {
      json: { name: "SMA cross", prompt: "trend", spec: SPEC },
      token: t,
    });
    assert.equal(saved.status, 201);
    const { strategy_id, message, version } = await saved.json();
    assert.equal(message, "Strategy saved successfully");
    assert.equal(version, 1);
    const v2 = await (await w.request("POST", "/api/v1/library", {
      json: {
        name: "SMA cross",
        strategy_id,
        code:
          'universe: {"tickers":["600519.SH"]}\nentry: close > sma(close, 100)\nexit: close < sma(close, 100)',
      },
      token: t,
    })).json();
    assert.equal(v2.version, 2);
    assert.equal(
      (await w.request("POST", "/api/v1/library", {
        json: { name: "x", strategy_id, spec: SPEC },
        token: other.access_token,
      })).status,
      404,
    );

    const detail = await (await w.request("GET", `/api/v1/library/${strategy_id}`, { token: t })).json();
    assert.equal(detail.latest_version, 2);
    assert.match(detail.latest.generated_code, /entry: close > sma\(close, 100\)/);
    const versions = await (await w.request("GET", `/api/v1/library/${strategy_id}/versions`, { token: t }))
      .json();
    assert.equal(versions.total, 2);
    assert.equal(
      (await w.request("GET", `/api/v1/library/${strategy_id}`, { token: other.access_token })).status,
      404,
    );

    assert.equal(
      (await w.request("POST", `/api/v1/library/${strategy_id}/promote`, { token: t })).status,
      400,
      "nothing staged",
    );
    await w.request("POST", `/api/v1/library/${strategy_id}/stage`, { json: { version: 1 }, token: t });
    const p1 = await (await w.request("POST", `/api/v1/library/${strategy_id}/promote`, { token: t })).json();
    assert.equal(p1.production_version, 1);
    assert.equal(p1.is_public, false, "promoting does not publish");
    assert.equal((await (await w.request("GET", "/api/v1/catalog/strategies")).json()).total, 0);
    const published = await w.request("PATCH", `/api/v1/library/${strategy_id}`, {
      json: { is_public: true },
      token: t,
    });
    assert.equal((await published.json()).is_public, true);
    const catalog = await (await w.request("GET", "/api/v1/catalog/strategies")).json();
    assert.equal(catalog.total, 1);
    assert.equal(catalog.items[0].author, "alpha_lab");
    assert.ok(!JSON.stringify(catalog).includes("lib@example.com"), "never an email");
    await w.request("POST", `/api/v1/library/${strategy_id}/stage`, { json: { version: 2 }, token: t });
    assert.equal(
      (await (await w.request("POST", `/api/v1/library/${strategy_id}/promote`, { token: t })).json())
        .production_version,
      2,
    );
    assert.equal(
      (await (await w.request("POST", `/api/v1/library/${strategy_id}/rollback`, { token: t })).json())
        .production_version,
      1,
    );
    assert.equal(
      (await w.request("POST", `/api/v1/library/${strategy_id}/rollback`, { token: t })).status,
      400,
    );
    assert.equal((await w.request("GET", "/api/v1/catalog/strategies/sma%20CROSS")).status, 200);
    assert.equal((await w.request("GET", "/api/v1/catalog/strategies/nothing")).status, 404);
    const compared = await (await w.request("GET", "/api/v1/catalog/strategies/SMA%20cross/compare")).json();
    assert.equal(compared.strategies.length, 1);
    assert.deepEqual([compared.strategies[0].author, compared.strategies[0].production_version], [
      "alpha_lab",
      1,
    ]);
    assert.equal(typeof compared.strategies[0].metrics.totalReturn, "number");

    const exported = await w.request("GET", `/api/v1/library/${strategy_id}/export.ts`, { token: t });
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get("content-disposition")!, /attachment; filename="strat_.*-v2\.ts"/);
    assert.match(await exported.text(), /^entry: close > sma\(close, 100\)$/m);

    assert.equal(
      (await w.request("DELETE", `/api/v1/library/${strategy_id}`, { token: other.access_token })).status,
      404,
    );
    assert.equal((await w.request("DELETE", `/api/v1/library/${strategy_id}`, { token: t })).status, 200);
    assert.equal((await w.request("GET", `/api/v1/library/${strategy_id}`, { token: t })).status, 404);
    assert.equal((await (await w.request("GET", "/api/v1/catalog/strategies")).json()).total, 0);
    assert.equal((await (await w.request("GET", "/api/v1/library", { token: t })).json()).total, 0);
  } finally {
    await w.close();
  }
});

Deno.test("library: compare two versions, run a saved version as a job, export its trades and equity as CSV", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "cmp@example.com");
    const t = me.access_token;
    const { strategy_id } = await (await w.request("POST", "/api/v1/library", {
      json: { name: "Cross", spec: { ...SPEC, start: "2017-01-01", end: "2019-12-31" } },
      token: t,
    })).json();
    await w.request("POST", "/api/v1/library", {
      json: {
        name: "Cross",
        strategy_id,
        spec: {
          ...SPEC,
          entry: "crosses_above(sma(close, 10), sma(close, 30))",
          start: "2017-01-01",
          end: "2019-12-31",
        },
      },
      token: t,
    });
    const cmp = await (await w.request("GET", `/api/v1/library/${strategy_id}/compare?a=1&b=2`, { token: t }))
      .json();
    assert.equal(cmp.a.version, 1);
    assert.equal(typeof cmp.b.metrics.totalReturn, "number");
    assert.deepEqual(cmp.spec_differences.map((d: { path: string }) => d.path), ["entry"]);
    assert.equal(
      (await w.request("GET", `/api/v1/library/${strategy_id}/export.csv`, { token: t })).status,
      404,
      "no run yet",
    );

    const queued = await w.request("POST", "/api/v1/backtests", {
      json: { library_id: strategy_id, version: 1 },
      token: t,
    });
    assert.equal(queued.status, 202);
    const { job_id } = await queued.json();
    assert.equal(await runBacktestJob(w.deps.backtests, job_id), "completed");
    const csv = await w.request("GET", `/api/v1/library/${strategy_id}/export.csv`, { token: t });
    assert.equal(csv.status, 200);
    const text = await csv.text();
    assert.match(text, new RegExp(`^# trades \\(backtest ${job_id}, version 1\\)`));
    const [tradesPart, equityPart] = text.split("# daily equity\r\n");
    assert.match(tradesPart.split("\r\n")[1], /^date,ticker,companyName,action/);
    const equityRows = equityPart.trim().split("\r\n");
    assert.equal(equityRows[0], "date,portfolioValue,cash,drawdown");
    const job = await (await w.request("GET", `/api/v1/backtests/${job_id}`, { token: t })).json();
    assert.equal(equityRows.length - 1, job.equity_curve.length, "one row per day");
    assert.equal(Number(equityRows.at(-1)!.split(",")[1]), job.equity_curve.at(-1).portfolio_value);
    const both = await w.request("POST", "/api/v1/backtests", {
      json: { library_id: strategy_id, spec: SPEC },
      token: t,
    });
    assert.equal(both.status, 422);
  } finally {
    await w.close();
  }
});

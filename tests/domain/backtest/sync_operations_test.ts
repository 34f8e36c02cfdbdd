import assert from "node:assert/strict";
import { MAX_INDICATOR_VALUES, previewIndicators } from "../../../domain/backtest/indicator_preview.ts";
import { runBacktest } from "../../../domain/backtest/run_backtest.ts";
import { JOB_QUEUE_HINT, SyncRunTooLargeError } from "../../../domain/backtest/run_errors.ts";
import {
  plotOnTicker,
  runOnTicker,
  runReport,
  type SyncRunDeps,
} from "../../../domain/backtest/sync_runs.ts";
import { ValidationError } from "../../../domain/errors.ts";
import { toStrategyText } from "../../../domain/strategy/strategy_text.ts";
import { openBacktestWorld, rsiSpec } from "../../_helpers/backtest_world.ts";

const noUrl = (e: Error) => assert.ok(!/\/api\/|POST |GET /.test(e.message), `no API route in: ${e.message}`);

Deno.test("runReport() answers the engine's report plus the canonical text, from text or spec alike", async () => {
  const w = await openBacktestWorld();
  try {
    const deps: SyncRunDeps = {
      market: w.market.data,
      maxSymbolBars: 1e9,
      maxExpressionCost: 1e12,
      now: () => 0,
    };
    const spec = rsiSpec(["600519.SH"]);
    const fromSpec = await runReport(deps, "usr_a", { spec, trials: 5 });
    const fromText = await runReport(deps, "usr_a", { strategy_code: toStrategyText(spec), trials: 5 });
    const direct = await runBacktest(spec, w.market.data, {
      ownerId: "usr_a",
      maxSymbolBars: 1e9,
      now: () => 0,
      trials: 5,
    });
    assert.deepEqual(fromSpec.summary, direct.summary);
    assert.deepEqual(fromText.summary, direct.summary);
    assert.equal(fromSpec.generated_code, toStrategyText(spec));
    assert.ok(fromSpec.summary.deflatedSharpe !== undefined);
  } finally {
    w.close();
  }
});

Deno.test("sync runs: errors name fields relative to the request and the job queue without a URL", async () => {
  const w = await openBacktestWorld();
  try {
    const deps: SyncRunDeps = {
      market: w.market.data,
      maxSymbolBars: 1e9,
      maxExpressionCost: 1e12,
      now: () => 0,
    };
    await assert.rejects(
      runReport(deps, "usr_a", { spec: { ...rsiSpec(["600519.SH"]), entry: "smaa(close) > 1" } }),
      (e) => {
        assert.ok(e instanceof ValidationError);
        assert.deepEqual(e.loc, ["spec", "entry"]);
        return true;
      },
    );
    await assert.rejects(
      runOnTicker(deps, "usr_a", { strategy_code: "nonsense", ticker: "600519.SH" }),
      (e) => {
        assert.ok(e instanceof ValidationError);
        assert.deepEqual(e.loc, ["strategy_code"]);
        return true;
      },
    );
    const tight = { ...deps, maxExpressionCost: 1 };
    await assert.rejects(
      runOnTicker(tight, "usr_a", { strategy_code: toStrategyText(rsiSpec(["X"])), ticker: "600519.SH" }),
      (e) => {
        assert.ok(e instanceof ValidationError);
        assert.deepEqual(e.loc, ["strategy_code"]);
        assert.deepEqual(e.issues?.[0].loc, ["strategy_code"]);
        return true;
      },
    );
    await assert.rejects(
      runReport({ ...deps, maxSymbolBars: 10 }, "usr_a", { spec: rsiSpec(["600519.SH"]) }),
      (e) => {
        assert.ok(e instanceof SyncRunTooLargeError);
        assert.ok(e.message.endsWith(JOB_QUEUE_HINT));
        noUrl(e);
        return true;
      },
    );
  } finally {
    w.close();
  }
});

Deno.test("runOnTicker() and plotOnTicker() run the strategy on the one ticker given", async () => {
  const w = await openBacktestWorld();
  try {
    const deps: SyncRunDeps = {
      market: w.market.data,
      maxSymbolBars: 1e9,
      maxExpressionCost: 1e12,
      now: () => 0,
    };
    const spec = rsiSpec(["000001.SZ", "600036.SH"]);
    const quick = await runOnTicker(deps, "usr_a", { spec, ticker: "600519.sh" });
    const direct = await runBacktest({ ...spec, universe: { tickers: ["600519.SH"] } }, w.market.data, {
      ownerId: "usr_a",
      maxSymbolBars: 1e9,
      now: () => 0,
    });
    assert.equal(quick.start_value, spec.capital);
    assert.equal(quick.end_value, direct.summary.finalValue);
    assert.equal(quick.pnl, Math.round((quick.end_value - spec.capital) * 1e4) / 1e4);
    const figure = await plotOnTicker(deps, "usr_a", {
      strategy_code: toStrategyText(spec),
      ticker: "600519.SH",
    });
    const price = figure.data[0] as { name: string; x: string[] };
    assert.equal(price.name, "600519.SH");
    assert.equal(price.x[0] >= spec.start, true);
  } finally {
    w.close();
  }
});

Deno.test("previewIndicators(): warm values from the first answered day; refusals name expressions and dates", async () => {
  const w = await openBacktestWorld();
  try {
    const deps = {
      market: w.market.data,
      targetDate: (s: string) => w.market.synthetic.targetDate(s),
      maxExpressionCost: 1e12,
    };
    const out = await previewIndicators(deps, null, {
      symbol: "600519.SH",
      start: "2020-01-01",
      end: "2020-06-30",
      expressions: ["sma(close, 50)", "close"],
    });
    assert.ok(out.dates[0] >= "2020-01-01");
    assert.equal(out.dates.length, out.series["close"].length);
    assert.equal(typeof out.series["sma(close, 50)"][0], "number", "warmed up by the history before start");
    const reject = async (
      input: Parameters<typeof previewIndicators>[2],
      loc: (string | number)[],
      d = deps,
    ) =>
      await assert.rejects(previewIndicators(d, null, input), (e) => {
        assert.ok(e instanceof ValidationError);
        assert.deepEqual(e.loc, loc);
        return true;
      });
    await reject({ symbol: "600519.SH", expressions: ["close", "smaa(close)"] }, ["expressions", 1]);
    await reject({ symbol: "600519.SH", start: "2020-02-01", end: "2020-01-01", expressions: ["close"] }, [
      "start",
    ]);
    await reject({ symbol: "600519.SH", expressions: ["sma(close, 20)"] }, ["expressions"], {
      ...deps,
      maxExpressionCost: 1,
    });
    // The bars of the range × this many expressions is just over the answer limit.
    const range = { symbol: "600519.SH", start: "2012-01-01", end: "2021-12-31" };
    const bars = (await previewIndicators(deps, null, { ...range, expressions: ["close"] })).dates.length;
    const many = Array.from(
      { length: Math.floor(MAX_INDICATOR_VALUES / bars) + 1 },
      (_, i) => `close + ${i}`,
    );
    await reject({ ...range, expressions: many }, ["expressions"]);
    const fits = await previewIndicators(deps, null, { ...range, expressions: many.slice(1) });
    assert.equal(Object.keys(fits.series).length, many.length - 1, "at the limit it still answers");
    await assert.rejects(
      previewIndicators(deps, null, { symbol: "NOPE.XX", expressions: ["close"] }),
      /Unknown symbol/,
    );
  } finally {
    w.close();
  }
});

/** The three draft checks on hand-made drafts, each failing alone, over the synthetic market of the wiring. */
import assert from "node:assert/strict";
import { checkDraft, type DraftCheckResult } from "../../../domain/assistant/draft_checks.ts";
import { openBacktestWorld } from "../../_helpers/backtest_world.ts";

const SPEC = {
  universe: { tickers: ["AAPL"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
  start: "2024-01-01",
  end: "2024-06-30",
};

const CONFIG = {
  filters: { tickers: ["BBCA"] },
  technicalIndicators: [{ type: "SMA_CROSSOVER", shortPeriod: 10, longPeriod: 30 }],
  backtestConfig: { initialCapital: 100_000_000, startDate: "2024-01-01", endDate: "2024-06-30" },
};

function errorsOf(r: DraftCheckResult): string[] {
  assert.equal(r.ok, false, "expected the draft to fail");
  return r.ok ? [] : r.errors;
}

Deno.test("draft checks", async (t) => {
  const world = await openBacktestWorld();
  const ctx = { market: world.market.data, userId: "u1" };
  const spec = (fields: Record<string, unknown>) => checkDraft("generate", { ...SPEC, ...fields }, ctx);
  const chat = (fields: Record<string, unknown>, backtest: Record<string, unknown> = {}) =>
    checkDraft("chat", {
      ...CONFIG,
      ...fields,
      backtestConfig: { ...CONFIG.backtestConfig, ...backtest },
    }, ctx);
  try {
    await t.step("a good spec passes all three and comes back parsed", async () => {
      const r = await spec({});
      assert.ok(r.ok);
      assert.equal(r.spec.entry, SPEC.entry);
      assert.equal(r.spec.capital, 100_000);
      assert.equal(r.config, null);
    });

    await t.step("a good chat config passes and is compiled", async () => {
      const r = await chat({});
      assert.ok(r.ok);
      assert.deepEqual(r.spec.universe.tickers, ["BBCA.JK"]);
      assert.equal(r.spec.entry, "crosses_above(sma(close, 10), sma(close, 30))");
      assert.equal(r.config?.backtestConfig.initialCapital, 100_000_000);
    });

    await t.step("shape: an unknown field, a wrong type, a missing rule (spec)", async () => {
      const r = await spec({ colour: "red", capital: "lots" });
      const errors = errorsOf(r);
      assert.ok(errors.some((e) => /^draft: Unrecognized key: "colour"/.test(e)), errors.join("\n"));
      assert.ok(errors.some((e) => /^capital: /.test(e)), errors.join("\n"));
      const noExit = await checkDraft("generate", { universe: SPEC.universe, entry: SPEC.entry }, ctx);
      assert.ok(errorsOf(noExit).some((e) => e.startsWith("exit: ")));
      assert.deepEqual(noExit.ok ? null : noExit.slots, ["exit"]);
    });

    await t.step("shape: an unknown indicator type is answered with the nearest types (chat)", async () => {
      const errors = errorsOf(await chat({ technicalIndicators: [{ type: "SMA_CROSS" }] }));
      assert.deepEqual(errors, [
        'technicalIndicators.0.type: Unknown technical indicator type "SMA_CROSS"; nearest allowed: ' +
        "SMA_CROSSOVER, SMA_TREND, MACD",
      ]);
    });

    await t.step("expressions: an unknown function is answered with the nearest allowed names", async () => {
      const r = await spec({ exit: "rsi(close, 14) > 70 or crossover_below(close, sma(close, 20))" });
      assert.deepEqual(errorsOf(r), [
        'exit: unknown function "crossover_below" at column 24; nearest allowed: crosses_below, crosses_above, ' +
        "zscore",
      ]);
      assert.deepEqual(r.ok ? null : r.slots, ["exit"]);
    });

    await t.step("expressions: an unknown field and a syntax error", async () => {
      assert.deepEqual(errorsOf(await spec({ entry: "closing > 5" })), [
        'entry: unknown name "closing" at column 1; nearest allowed: close, log, rsi',
      ]);
      assert.match(
        errorsOf(await spec({ entry: "close > " }))[0],
        /^entry: Unexpected end of input at column 9/,
      );
    });

    await t.step(
      "expressions: types — entry and exit are conditions, rank_by a number, and/or join conditions",
      async () => {
        assert.deepEqual(errorsOf(await spec({ entry: "sma(close, 20)" })), [
          "entry: must be a condition (a comparison, crosses_above/crosses_below, and/or/not), not a number",
        ]);
        assert.deepEqual(errorsOf(await spec({ rank_by: "close > 5" })), [
          "rank_by: must be a number (the higher, the earlier taken), not a condition",
        ]);
        assert.deepEqual(errorsOf(await spec({ entry: "close > 5 and volume" })), [
          'entry: "and" joins conditions, not numbers',
        ]);
        assert.deepEqual(errorsOf(await spec({ exit: "sma(close > 5, 3) > 1" })), [
          "exit: sma() takes a number series as x, got a condition",
        ]);
      },
    );

    await t.step("market: unknown tickers and an empty date range", async () => {
      const unknown = errorsOf(await spec({ universe: { tickers: ["AAPL", "AAPLE", "NOPE.XX"] } }));
      assert.equal(unknown.length, 2);
      assert.match(unknown[0], /^universe\.tickers: unknown ticker "AAPLE"; nearest known: AAPL, /);
      assert.match(
        unknown[1],
        /^universe\.tickers: unknown ticker "NOPE\.XX"; nearest known: \S+, \S+, \S+$/,
      );
      const r = await spec({ start: "1990-01-01", end: "1990-12-31" });
      assert.deepEqual(errorsOf(r), [
        "start/end: no bars between 1990-01-01..1990-12-31 for AAPL; choose other dates",
      ]);
      assert.deepEqual(r.ok ? null : r.slots, ["date_range"]);
    });

    await t.step("market: a window longer than the bars of the range (nested windows add up)", async () => {
      // 2024-01-01..2024-06-30 holds 124 AAPL bars: sma 100 of an rsi 14 needs 114 (fits), of an sma 30 needs 130.
      assert.ok((await spec({ entry: "close > sma(rsi(close, 14), 100)" })).ok);
      assert.deepEqual(errorsOf(await spec({ entry: "close > sma(sma(close, 30), 100)" })), [
        "entry: needs 130 bars of history but 2024-01-01..2024-06-30 has 124; shorten the window or widen the dates",
      ]);
      // macd needs slow + signal bars.
      assert.ok((await spec({ exit: "macd(close, 12, 26, 9) < 0" })).ok);
      assert.match(
        errorsOf(await spec({ exit: "macd(close, 12, 100, 30) < 0" }))[0],
        /^exit: needs 130 bars/,
      );
      // A chat's windows come from its indicators.
      assert.match(
        errorsOf(
          await chat({ technicalIndicators: [{ type: "SMA_CROSSOVER", shortPeriod: 50, longPeriod: 200 }] }),
        )[0],
        /^technicalIndicators → entry: needs 201 bars of history but 2024-01-01\.\.2024-06-30 has 12\d/,
      );
    });

    await t.step("market: static filters that leave no symbol are refused", async () => {
      // The run would fail with "the filters left no tickers"; the check says so first.
      const none = errorsOf(
        await spec({ universe: { tickers: ["AAPL"], filters: { sectors: ["No Such Sector"] } } }),
      );
      assert.deepEqual(none, [
        "universe.filters: the filters (market cap, sectors, syariah) leave none of the 1 symbols; loosen them or " +
        "choose another universe",
      ]);
      assert.ok((await spec({ universe: { name: "us", filters: { market_cap: ["large"] } } })).ok);
    });

    await t.step(
      "market: a named universe with data passes; the capital must buy a lot of the dearest ticker",
      async () => {
        assert.ok((await spec({ universe: { name: "us" } })).ok);
        // 600519.SH trades in lots of 100 at about 259 CNY on 2024-01-02: 25,906 for one lot.
        const errors = errorsOf(
          await spec({ universe: { tickers: ["AAPL", "600519.SH"] }, capital: 10_000 }),
        );
        assert.equal(errors.length, 1);
        assert.match(
          errors[0],
          /^capital: 10000 does not buy one lot of 600519\.SH \(100 × 259\.06 = 25906 on 2024-01-01\)/,
        );
        assert.ok((await spec({ universe: { tickers: ["AAPL", "600519.SH"] }, capital: 30_000 })).ok);
      },
    );

    await t.step(
      "sizing: percent × max positions at most 100; the minimum no larger than a position",
      async () => {
        assert.deepEqual(
          errorsOf(await spec({ sizing: { method: "percent_equity", percent: 40, max_positions: 3 } })),
          ["sizing.percent: 40% × 3 positions (sizing.max_positions) = 120% of capital; keep the product at most 100"],
        );
        assert.ok((await spec({ sizing: { method: "percent_equity", percent: 25, max_positions: 4 } })).ok);
        assert.deepEqual(
          errorsOf(
            await spec({
              sizing: { method: "percent_equity", percent: 10, max_positions: 5, min_position: 20_000 },
            }),
          ),
          ["sizing.min_position: the smallest position (20% of capital) is larger than a position (10%)"],
        );
        assert.deepEqual(
          errorsOf(await chat({}, { portfolio: { positionSizePercent: 5, minPositionPercent: 8 } })),
          [
            "backtestConfig.portfolio.minPositionPercent: the smallest position (8% of capital) is larger than a " +
            "position (5%)",
          ],
        );
        // The compiler's defaults (10 % × 10) add up; 20 % × the default 10 does not.
        assert.match(
          errorsOf(await chat({}, { portfolio: { positionSizePercent: 20 } }))[0],
          /^backtestConfig\.portfolio\.positionSizePercent: 20% × 10 positions/,
        );
      },
    );

    await t.step("without a market only the first two checks and sizing run", async () => {
      const r = await checkDraft("generate", { ...SPEC, universe: { tickers: ["NOPE.XX"] } }, {
        userId: null,
      });
      assert.ok(r.ok);
    });
  } finally {
    world.kv.close();
  }
});

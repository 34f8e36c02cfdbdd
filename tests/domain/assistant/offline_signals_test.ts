import assert from "node:assert/strict";
import { splitClauses } from "../../../domain/assistant/offline/clauses.ts";
import { normalizeText } from "../../../domain/assistant/offline/lexicon.ts";
import {
  canonical,
  mirror,
  rankExpression,
  ruleOf,
  signalName,
} from "../../../domain/assistant/offline/rules.ts";
import { extractSignals, type Signal } from "../../../domain/assistant/offline/signals.ts";
import { extractSlots } from "../../../domain/assistant/offline/slots.ts";
import type { Language } from "../../../domain/assistant/turn_contract.ts";

/** Entry and exit rules of a message as the generate task reads them (sided first, neutral for what is left). */
function rules(text: string, lang: Language = "en") {
  const s = extractSlots(text, "2026-06-15", lang);
  const side = (list: Signal[], which: "entry" | "exit") => list.map((x) => ruleOf(x, which)).join(" | ");
  return {
    entry: side(s.entry.length ? s.entry : s.neutral, "entry"),
    exit: side(s.exit.length ? s.exit : s.neutral.map(mirror), "exit"),
  };
}

Deno.test("splitClauses() labels buy and sell clauses: verb first (en, id), verb last (zh)", () => {
  assert.deepEqual(
    splitClauses(normalizeText("Buy when RSI < 30 and sell when RSI > 70"), "en").map((
      c,
    ) => [c.side, c.text]),
    [["entry", "buy when rsi < 30 and"], ["exit", "sell when rsi > 70"]],
  );
  assert.deepEqual(
    splitClauses(normalizeText("RSI低于30买入，高于70卖出"), "zh").map((c) => [c.side, c.text]),
    [["entry", "rsi below 30 buy"], ["exit", "above 70 sell"]],
  );
  assert.deepEqual(
    splitClauses(normalizeText("beli saat RSI di bawah 30, jual saat di atas 70"), "id").map((c) => c.side),
    ["entry", "exit"],
  );
  assert.deepEqual(splitClauses(normalizeText("RSI 30/70 strategy on AAPL"), "en").map((c) => c.side), [
    null,
  ]);
  assert.deepEqual(splitClauses("", "en"), []);
});

Deno.test("moving averages: crossovers, periods in any order, golden cross = 50/200, price against a MA", async (t) => {
  const cases: [string, Language, string, string][] = [
    [
      "Buy when the 20-day SMA crosses above the 50-day SMA, sell when it crosses below",
      "en",
      "crosses_above(sma(close, 20), sma(close, 50))",
      "crosses_below(sma(close, 20), sma(close, 50))",
    ],
    [
      "EMA 12/26 crossover",
      "en",
      "crosses_above(ema(close, 12), ema(close, 26))",
      "crosses_below(ema(close, 12), ema(close, 26))",
    ],
    [
      "golden cross",
      "en",
      "crosses_above(sma(close, 50), sma(close, 200))",
      "crosses_below(sma(close, 50), sma(close, 200))",
    ],
    [
      "sell on the death cross, buy on the golden cross",
      "en",
      "crosses_above(sma(close, 50), sma(close, 200))",
      "crosses_below(sma(close, 50), sma(close, 200))",
    ],
    ["buy when the 50 sma is above the 200 sma", "en", "sma(close, 50) > sma(close, 200)", ""],
    ["buy when price is above the 200-day moving average", "en", "close > sma(close, 200)", ""],
    [
      "5日均线上穿20日均线买入，下穿卖出",
      "zh",
      "crosses_above(sma(close, 5), sma(close, 20))",
      "crosses_below(sma(close, 5), sma(close, 20))",
    ],
    [
      "均线金叉买入，死叉卖出",
      "zh",
      "crosses_above(sma(close, 50), sma(close, 200))",
      "crosses_below(sma(close, 50), sma(close, 200))",
    ],
    [
      "Beli ketika rata-rata bergerak 20 hari memotong ke atas rata-rata bergerak 50 hari, jual ketika memotong ke bawah",
      "id",
      "crosses_above(sma(close, 20), sma(close, 50))",
      "crosses_below(sma(close, 20), sma(close, 50))",
    ],
    [
      "persilangan emas",
      "id",
      "crosses_above(sma(close, 50), sma(close, 200))",
      "crosses_below(sma(close, 50), sma(close, 200))",
    ],
  ];
  for (const [text, lang, entry, exit] of cases) {
    await t.step(text, () => {
      const r = rules(text, lang);
      assert.equal(r.entry, entry);
      if (exit) assert.equal(r.exit, exit);
    });
  }
});

Deno.test("RSI: periods, levels, oversold/overbought, 30/70 pairs and crossings", async (t) => {
  const cases: [string, Language, string, string][] = [
    [
      "buy when RSI(14) drops below 30, sell when it goes above 70",
      "en",
      "rsi(close, 14) < 30",
      "rsi(close, 14) > 70",
    ],
    ["RSI 2 strategy: buy below 10, exit above 90", "en", "rsi(close, 2) < 10", "rsi(close, 2) > 90"],
    ["RSI 30/70", "en", "rsi(close, 14) < 30", "rsi(close, 14) > 70"],
    ["buy when oversold on RSI, sell when overbought", "en", "rsi(close, 14) < 30", "rsi(close, 14) > 70"],
    ["14-day RSI, oversold 20, overbought 80", "en", "rsi(close, 14) < 20", "rsi(close, 14) > 80"],
    [
      "buy on RSI crossing above 30, sell when RSI crosses below 70",
      "en",
      "crosses_above(rsi(close, 14), 30)",
      "crosses_below(rsi(close, 14), 70)",
    ],
    ["RSI低于30买入，高于70卖出", "zh", "rsi(close, 14) < 30", "rsi(close, 14) > 70"],
    ["相对强弱指数(6)低于20买入", "zh", "rsi(close, 6) < 20", ""],
    ["beli saat RSI jenuh jual, jual saat jenuh beli", "id", "rsi(close, 14) < 30", "rsi(close, 14) > 70"],
  ];
  for (const [text, lang, entry, exit] of cases) {
    await t.step(text, () => {
      const r = rules(text, lang);
      assert.equal(r.entry, entry);
      if (exit) assert.equal(r.exit, exit);
    });
  }
});

Deno.test("Bollinger, MACD, breakouts, momentum and VWAP", async (t) => {
  const cases: [string, Language, string, string][] = [
    [
      "Bollinger(20, 2): buy at the lower band, sell at the middle band",
      "en",
      "close < bb_lower(close, 20, 2)",
      "close > bb_middle(close, 20)",
    ],
    [
      "bollinger 20 2.5, sell at the upper band",
      "en",
      "close < bb_lower(close, 20, 2.5)",
      "close > bb_upper(close, 20, 2.5)",
    ],
    [
      "buy when the close is 2 standard deviations below its 20-day mean",
      "en",
      "close < bb_lower(close, 20, 2)",
      "",
    ],
    ["布林带下轨买入，中轨卖出", "zh", "close < bb_lower(close, 20, 2)", "close > bb_middle(close, 20)"],
    [
      "MACD 12/26/9 cross",
      "en",
      "crosses_above(macd(close, 12, 26, 9), macd_signal(close, 12, 26, 9))",
      "crosses_below(macd(close, 12, 26, 9), macd_signal(close, 12, 26, 9))",
    ],
    [
      "MACD fast 8 slow 21 signal 5",
      "en",
      "crosses_above(macd(close, 8, 21, 5), macd_signal(close, 8, 21, 5))",
      "",
    ],
    [
      "buy when MACD is above zero, sell below zero",
      "en",
      "macd(close, 12, 26, 9) > 0",
      "macd(close, 12, 26, 9) < 0",
    ],
    [
      "MACD金叉买入，死叉卖出",
      "zh",
      "crosses_above(macd(close, 12, 26, 9), macd_signal(close, 12, 26, 9))",
      "crosses_below(macd(close, 12, 26, 9), macd_signal(close, 12, 26, 9))",
    ],
    [
      "buy a 20-day high, sell a 10-day low",
      "en",
      "close > delay(highest(high, 20), 1)",
      "close < delay(lowest(low, 10), 1)",
    ],
    ["donchian 55", "en", "close > delay(highest(high, 55), 1)", "close < delay(lowest(low, 55), 1)"],
    ["52-week high breakout", "en", "close > delay(highest(high, 252), 1)", ""],
    [
      "突破20日新高买入，跌破10日新低卖出",
      "zh",
      "close > delay(highest(high, 20), 1)",
      "close < delay(lowest(low, 10), 1)",
    ],
    ["beli ketika menembus harga tertinggi 20 hari", "id", "close > delay(highest(high, 20), 1)", ""],
    [
      "buy when 20-day momentum is above 5%, sell when it falls below 0",
      "en",
      "roc(close, 20) > 5",
      "roc(close, 20) < 0",
    ],
    ["price crosses above VWAP", "en", "crosses_above(close, vwap(20))", "crosses_below(close, vwap(20))"],
    ["buy when volume is above 2x the 20-day average", "en", "volume > 2 * volume_sma(20)", ""],
    ["成交量放大2倍买入", "zh", "volume > 2 * volume_sma(20)", ""],
    ["beli ketika volume naik 3 kali rata-rata", "id", "volume > 3 * volume_sma(20)", ""],
    [
      "SMA(close, 20) > SMA(close, 50)",
      "en",
      "sma(close, 20) > sma(close, 50)",
      "sma(close, 20) < sma(close, 50)",
    ],
  ];
  for (const [text, lang, entry, exit] of cases) {
    await t.step(text, () => {
      const r = rules(text, lang);
      assert.equal(r.entry, entry);
      if (exit) assert.equal(r.exit, exit);
    });
  }
});

Deno.test("top-N ranking: the factor, its period and N (momentum, volume) in three languages", async (t) => {
  const cases: [string, Language, string, number][] = [
    ["top 10 stocks by 20-day momentum", "en", "roc(close, 20)", 10],
    ["pick the 5 strongest by 3-month momentum", "en", "roc(close, 63)", 5],
    ["过去20日涨幅前10的股票", "zh", "roc(close, 20)", 10],
    ["10 saham teratas berdasarkan momentum 20 hari", "id", "roc(close, 20)", 10],
    ["top 5 by volume", "en", "sma(close * volume, 20)", 5],
  ];
  for (const [text, lang, rankBy, top] of cases) {
    await t.step(text, () => {
      const s = extractSlots(text, "2026-06-15", lang);
      assert.ok(s.rank);
      assert.equal(rankExpression(s.rank!), rankBy);
      assert.equal(s.rank!.top, top);
      assert.equal(
        s.neutral.filter((x) => x.kind === "momentum").length,
        0,
        "the ranking's momentum is no rule",
      );
    });
  }
});

Deno.test("bad numbers become the default with a note: RSI 0, period 100000, RSI level 150, MACD fast ≥ slow", () => {
  const notes = (text: string) =>
    extractSignals(normalizeText(text), undefined, normalizeText(text)).notes.join(" | ");
  assert.match(notes("rsi 0"), /RSI period 0 is not a whole number from 1 to 1000: 14 used/);
  assert.match(notes("rsi 100000 below 30"), /RSI period 100000 .*14 used/);
  assert.match(notes("rsi above 150"), /RSI level 150 is not between 0 and 100: 70 used/);
  assert.match(notes("macd 26 12 9"), /MACD fast period 26 is not below the slow 12: 12\/26 used/);
  assert.match(notes("sma 5000 crosses above sma 9000"), /not a whole number from 1 to 1000/);
  const s = extractSlots("Buy when SMA -20 crosses above SMA 50", "2026-06-15", "en");
  assert.match(s.notes.join(" "), /SMA period -20 read as 20/);
});

Deno.test("rules print canonically; mirror() flips a side; signalName() names a signal", () => {
  assert.equal(
    canonical("CROSSES_ABOVE(SMA(close,20),SMA(close,50))"),
    "crosses_above(sma(close, 20), sma(close, 50))",
  );
  const cross: Signal = { kind: "ma_cross", ma: "sma", fast: 20, slow: 50, dir: "above", cross: true };
  assert.equal(ruleOf(mirror(cross), "exit"), "crosses_below(sma(close, 20), sma(close, 50))");
  assert.equal(signalName(cross), "SMA 20/50 crossover");
  const breakout: Signal = { kind: "breakout", period: 20, side: "high" };
  assert.equal(ruleOf(mirror(breakout), "exit"), "close < delay(lowest(low, 20), 1)");
  assert.equal(ruleOf({ kind: "rank", factor: "momentum", period: 20, top: 5 }, "entry"), null);
});

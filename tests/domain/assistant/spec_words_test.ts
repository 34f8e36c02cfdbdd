/** Rules of the expression language in words (`ruleInWords`), by hand-written expectations. */
import assert from "node:assert/strict";
import { num, ruleInWords } from "../../../domain/assistant/spec_words.ts";

Deno.test("ruleInWords: crosses of the same average with two windows read 'the N-day one'", () => {
  assert.equal(
    ruleInWords("crosses_above(sma(close, 20), sma(close, 50))", "en"),
    "the 20-day simple moving average of the close crosses above the 50-day one",
  );
  assert.equal(
    ruleInWords("crosses_below(ema(close, 12), ema(close, 26))", "id"),
    "rata-rata bergerak eksponensial 12 hari dari harga penutupan memotong ke bawah yang 26 hari",
  );
  assert.equal(
    ruleInWords("crosses_above(sma(close, 5), sma(close, 10))", "zh"),
    "收盘价的5日简单移动平均线上穿10日均线",
  );
  // Different inputs are not "the same average": both sides are spelled out.
  assert.equal(
    ruleInWords("crosses_above(sma(close, 20), sma(volume, 20))", "en"),
    "the 20-day simple moving average of the close crosses above the 20-day simple moving average of the volume",
  );
});

Deno.test("ruleInWords: indicators, comparisons, logic and arithmetic", () => {
  assert.equal(
    ruleInWords("crosses_above(macd(close), macd_signal(close))", "en"),
    "the MACD line (12/26/9) of the close crosses above the MACD signal line (12/26/9) of the close",
  );
  assert.equal(
    ruleInWords("close < bb_lower(close, 20, 2.5) and rsi(close) <= 30", "en"),
    "the close is below the lower Bollinger band (20 days, 2.5 standard deviations) of the close and the " +
      "14-day RSI of the close is at or below 30",
  );
  assert.equal(
    ruleInWords("not close > highest(close, 20) - 3 * atr(22)", "en"),
    "it is not true that the close is above the highest value of the close over the last 20 days minus 3 " +
      "times the 22-day average true range",
  );
  assert.equal(
    ruleInWords("volume > 1.5 * volume_sma(20)", "en"),
    "the volume is above 1.5 times the 20-day average volume",
  );
  assert.equal(ruleInWords("0 > 1", "en"), "never (positions leave only by the risk rules)");
  assert.equal(ruleInWords("0 > 1", "zh"), "从不（仅按风控规则平仓）");
});

Deno.test("num: grouped thousands, at most 6 decimals", () => {
  assert.equal(num(100_000_000), "100,000,000");
  assert.equal(num(0.15), "0.15");
  assert.equal(num(1 / 3), "0.333333");
});

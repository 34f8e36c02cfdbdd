import assert from "node:assert/strict";
import { normalizeText } from "../../../domain/assistant/offline/lexicon.ts";
import { extractRisk } from "../../../domain/assistant/offline/risk.ts";
import { extractUniverse } from "../../../domain/assistant/offline/universe.ts";
import type { Language } from "../../../domain/assistant/turn_contract.ts";

const universe = (text: string, lang: Language = "en") => {
  const { marketHint: _, ...u } = extractUniverse(text, normalizeText(text), lang);
  return u;
};

Deno.test("extractUniverse(): tickers of every market, bare IDX codes and company names", async (t) => {
  const cases: [string, Language, string[]][] = [
    ["Buy AAPL and MSFT", "en", ["AAPL", "MSFT"]],
    ["RELIANCE.NS with RSI", "en", ["RELIANCE.NS"]],
    ["tlkm.jk", "en", ["TLKM.JK"]],
    ["600519.SH and 000858.sz", "zh", ["600519.SH", "000858.SZ"]],
    ["600519.ss", "en", ["600519.SH"]],
    ["贵州茅台 和 五粮液", "zh", ["600519.SH", "000858.SZ"]],
    ["600036 均线金叉", "zh", ["600036.SH"]],
    ["beli BBCA dan BBRI", "id", ["BBCA.JK", "BBRI.JK"]],
    ["beli bbca", "id", ["BBCA.JK"]],
    ["saham XYZA", "id", ["XYZA.JK"]],
    ["bitcoin breakout", "en", ["BTC-USD"]],
    ["trade msft", "en", ["MSFT"]],
    ["BUY WHEN RSI IS BELOW 30 AND SELL WHEN IT IS ABOVE 70 ON SPY", "en", ["SPY"]],
    ["capital 300000 yuan", "zh", []],
    ["Use AMD.", "en", ["AMD"]],
  ];
  for (const [text, lang, tickers] of cases) {
    await t.step(text, () => assert.deepEqual(universe(text, lang).tickers, tickers));
  }
});

Deno.test("extractUniverse(): universe names, market-cap classes and syariah in three languages", async (t) => {
  const cases: [string, Language, Record<string, unknown>][] = [
    ["CSI 300 stocks", "en", { name: "hs300", tickers: [], marketCap: [] }],
    ["沪深300成分股 大盘股", "zh", { name: "hs300", tickers: [], marketCap: ["large"] }],
    ["中证500", "zh", { name: "csi500", tickers: [], marketCap: [] }],
    ["中证1000", "zh", { name: "csi1000", tickers: [], marketCap: [] }],
    ["LQ45", "id", { name: "lq45", tickers: [], marketCap: [] }],
    ["saham berkapitalisasi besar syariah", "id", { tickers: [], marketCap: ["large"], syariah: true }],
    ["small-cap and mid cap names", "en", { tickers: [], marketCap: ["mid", "small"] }],
    ["large cap US stocks", "en", { name: "us", tickers: [], marketCap: ["large"] }],
    ["all ETFs", "en", { name: "etf_all", tickers: [], marketCap: [] }],
    ["nifty 50", "en", { name: "nifty", tickers: [], marketCap: [] }],
    ["crypto", "en", { name: "crypto", tickers: [], marketCap: [] }],
    ["semua saham IDX", "id", { name: "idx", tickers: [], marketCap: [] }],
    ["", "en", { tickers: [], marketCap: [] }],
  ];
  for (const [text, lang, want] of cases) await t.step(text || "(empty)", () => assert.deepEqual(universe(text, lang), want));
  assert.equal(extractUniverse("A-shares", normalizeText("A-shares"), "en").marketHint, "hs300");
});

Deno.test("extractRisk(): stops, targets, trailing stops and holding limits in three languages", async (t) => {
  const cases: [string, Record<string, unknown>][] = [
    ["stop loss 5%, take profit 10%", { stopLossPct: 5, takeProfitPct: 10 }],
    ["a 5% stop and a 12% profit target", { stopLossPct: 5, takeProfitPct: 12 }],
    ["3% trailing stop", { trailingStopPct: 3 }],
    ["trailing stop of 7% and stop loss 4%", { trailingStopPct: 7, stopLossPct: 4 }],
    ["sell when the price drops 5% below my entry", { stopLossPct: 5 }],
    ["hold at most 20 days", { maxHoldingDays: 20 }],
    ["hold for 2 weeks", { maxHoldingDays: 10 }],
    ["exit after 5 days", { maxHoldingDays: 5 }],
    ["止损5%，止盈10%", { stopLossPct: 5, takeProfitPct: 10 }],
    ["移动止损8%", { trailingStopPct: 8 }],
    ["持有不超过20天", { maxHoldingDays: 20 }],
    ["stop loss 5%, tahan maksimal 20 hari", { stopLossPct: 5, maxHoldingDays: 20 }],
    ["jual setelah 10 hari", { maxHoldingDays: 10 }],
  ];
  for (const [text, want] of cases) {
    await t.step(text, () => {
      const { notes: _, ...got } = extractRisk(normalizeText(text));
      assert.deepEqual(got, want);
    });
  }
});

Deno.test("extractRisk(): rebalance periods in bars and sizing", async (t) => {
  const cases: [string, Record<string, unknown>][] = [
    ["rebalance monthly", { rebalance: { bars: 21, phrase: "rebalance monthly" } }],
    ["weekly rebalance", { rebalance: { bars: 5, phrase: "weekly rebalanc" } }],
    ["rebalance every 10 days", { rebalance: { bars: 10, phrase: "rebalance every 10 days" } }],
    ["每月调仓", { rebalance: { bars: 21, phrase: "every month rebalanc" } }],
    ["rebalance setiap bulan", { rebalance: { bars: 21, phrase: "rebalance every month" } }],
    ["10% per position, max 5 positions", { positionPct: 10, maxPositions: 5 }],
    ["每只股票仓位10%，最多持有10只股票", { positionPct: 10, maxPositions: 10 }],
    ["maksimal 5 posisi, 20% per posisi", { positionPct: 20, maxPositions: 5 }],
    ["equal weight, hold 4 stocks", { maxPositions: 4, equalWeight: true }],
  ];
  for (const [text, want] of cases) {
    await t.step(text, () => {
      const { notes: _, ...got } = extractRisk(normalizeText(text));
      assert.deepEqual(got, want);
    });
  }
});

Deno.test("extractRisk(): out-of-range values are left out with a note, never a crash", () => {
  const r = extractRisk(normalizeText("stop loss 0%, take profit 20000%, hold 100000 days, 150% per position"));
  assert.equal(r.stopLossPct, undefined);
  assert.equal(r.takeProfitPct, undefined);
  assert.equal(r.maxHoldingDays, undefined);
  assert.equal(r.positionPct, undefined);
  assert.equal(r.notes.length, 4);
});

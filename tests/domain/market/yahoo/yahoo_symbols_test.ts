import assert from "node:assert/strict";
import {
  fromYahooSymbol,
  toYahooSymbol,
  yahooExchangeOf,
} from "../../../../domain/market/yahoo/yahoo_symbols.ts";

/** Product symbol, Yahoo ticker, exchange: the spellings Yahoo Finance uses for each market. */
const TABLE: [string, string, string][] = [
  ["600519.SH", "600519.SS", "SSE"],
  ["000300.SH", "000300.SS", "SSE"],
  ["510300.SH", "510300.SS", "SSE"],
  ["000001.SZ", "000001.SZ", "SZSE"],
  ["300750.SZ", "300750.SZ", "SZSE"],
  ["RELIANCE.NS", "RELIANCE.NS", "NSE"],
  ["^NSEI", "^NSEI", "NSE"],
  ["BBCA.JK", "BBCA.JK", "IDX"],
  ["^JKSE", "^JKSE", "IDX"],
  ["LQ45", "^JKLQ45", "IDX"],
  ["AAPL", "AAPL", "NYSE"],
  ["^GSPC", "^GSPC", "NYSE"],
  ["BTC-USD", "BTC-USD", "CRYPTO"],
  ["ETH-USD", "ETH-USD", "CRYPTO"],
];

Deno.test("toYahooSymbol() and fromYahooSymbol() map each market's spelling both ways", async (t) => {
  for (const [product, yahoo] of TABLE) {
    await t.step(product, () => {
      assert.equal(toYahooSymbol(product), yahoo);
      assert.equal(fromYahooSymbol(yahoo), product);
    });
  }
});

Deno.test("toYahooSymbol() only rewrites a trailing .SH", () => {
  assert.equal(toYahooSymbol("SHOP"), "SHOP");
  assert.equal(toYahooSymbol("A.SHX"), "A.SHX");
  assert.equal(fromYahooSymbol("SSAB.ST"), "SSAB.ST");
});

Deno.test("yahooExchangeOf() knows the exchange of product symbols, Yahoo tickers and indexes", async (t) => {
  for (const [product, yahoo, exchange] of TABLE) {
    await t.step(product, () => {
      assert.equal(yahooExchangeOf(product), exchange);
      assert.equal(yahooExchangeOf(yahoo), exchange);
    });
  }
  assert.equal(yahooExchangeOf("^BSESN"), "NSE");
  assert.equal(yahooExchangeOf("TCS.BO"), "NSE");
});

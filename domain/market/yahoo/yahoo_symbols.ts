/**
 * Maps product symbols to Yahoo Finance tickers and back (Shanghai is `.SH` here and `.SS` on Yahoo; the LQ45
 * index is `^JKLQ45` there), and tells a ticker's exchange, indexes included, for its time zone and calendar.
 */
import type { ExchangeCode } from "../../calendar/exchanges.ts";

/** Product symbols whose Yahoo ticker is not derived from the suffix. */
const SPECIAL_TO_YAHOO: Readonly<Record<string, string>> = {
  "LQ45": "^JKLQ45",
  "932000.CSI": "932000.SS",
};
const SPECIAL_FROM_YAHOO: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SPECIAL_TO_YAHOO).map(([product, yahoo]) => [yahoo, product]),
);

/** Index tickers (product or Yahoo spelling) and the exchange whose calendar they follow. */
const INDEX_EXCHANGES: Readonly<Record<string, ExchangeCode>> = {
  "^NSEI": "NSE",
  "^NSEBANK": "NSE",
  "^BSESN": "NSE",
  "^JKSE": "IDX",
  "^JKLQ45": "IDX",
  "LQ45": "IDX",
  "^GSPC": "NYSE",
  "^DJI": "NYSE",
  "^IXIC": "NYSE",
  "932000.CSI": "SSE",
};

/** The Yahoo ticker of a product symbol (`600519.SH` → `600519.SS`, `LQ45` → `^JKLQ45`; most are the same). */
export function toYahooSymbol(symbol: string): string {
  return SPECIAL_TO_YAHOO[symbol] ?? symbol.replace(/\.SH$/, ".SS");
}

/** The product symbol of a Yahoo ticker (`000300.SS` → `000300.SH`, `^JKLQ45` → `LQ45`). */
export function fromYahooSymbol(ticker: string): string {
  return SPECIAL_FROM_YAHOO[ticker] ?? ticker.replace(/\.SS$/, ".SH");
}

/**
 * The exchange of a product symbol or Yahoo ticker: by suffix (`.SH`/`.SS` SSE, `.SZ` SZSE, `.NS`/`.BO` NSE,
 * `.JK` IDX, `-USD` crypto), by the index table, else NYSE (bare US tickers).
 */
export function yahooExchangeOf(symbol: string): ExchangeCode {
  const index = INDEX_EXCHANGES[symbol];
  if (index) return index;
  if (/\.(SH|SS)$/.test(symbol)) return "SSE";
  if (/\.SZ$/.test(symbol)) return "SZSE";
  if (/\.(NS|BO)$/.test(symbol)) return "NSE";
  if (/\.JK$/.test(symbol)) return "IDX";
  if (/-(USD|USDT)$/.test(symbol)) return "CRYPTO";
  return "NYSE";
}

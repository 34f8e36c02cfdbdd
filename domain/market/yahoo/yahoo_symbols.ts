/**
 * Maps product symbols to Yahoo Finance tickers and back (Shanghai is `.SH` here and `.SS` on Yahoo; the LQ45
 * index is `^JKLQ45` there), and tells a ticker's exchange, indexes included, for its time zone and calendar.
 */
import { exchangeOfSymbol } from "../symbol_exchange.ts";

/** Product symbols whose Yahoo ticker is not derived from the suffix. */
const SPECIAL_TO_YAHOO: Readonly<Record<string, string>> = {
  "LQ45": "^JKLQ45",
  "932000.CSI": "932000.SS",
};
const SPECIAL_FROM_YAHOO: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SPECIAL_TO_YAHOO).map(([product, yahoo]) => [yahoo, product]),
);

/** Index tickers (product or Yahoo spelling) and the exchange whose calendar they follow. */

/** The Yahoo ticker of a product symbol (`600519.SH` → `600519.SS`, `LQ45` → `^JKLQ45`; most are the same). */
export function toYahooSymbol(symbol: string): string {
  return SPECIAL_TO_YAHOO[symbol] ?? symbol.replace(/\.SH$/, ".SS");
}

/** The product symbol of a Yahoo ticker (`000300.SS` → `000300.SH`, `^JKLQ45` → `LQ45`). */
export function fromYahooSymbol(ticker: string): string {
  return SPECIAL_FROM_YAHOO[ticker] ?? ticker.replace(/\.SS$/, ".SH");
}

/** The exchange of a product symbol or Yahoo ticker (see `exchangeOfSymbol`). */
export const yahooExchangeOf = exchangeOfSymbol;

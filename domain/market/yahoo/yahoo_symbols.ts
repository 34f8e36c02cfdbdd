/** Maps product symbols to Yahoo Finance tickers and back (Shanghai is `.SH` here and `.SS` on Yahoo). */

/** The Yahoo ticker of a product symbol (`600519.SH` → `600519.SS`; most others are the same). */
export function toYahooSymbol(symbol: string): string {
  if (symbol === "932000.CSI") return "932000.SS";
  return symbol.replace(/\.SH$/, ".SS");
}

/** The product symbol of a Yahoo ticker (`000300.SS` → `000300.SH`). */
export function fromYahooSymbol(ticker: string): string {
  return ticker.replace(/\.SS$/, ".SH");
}

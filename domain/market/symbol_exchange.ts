/** Which exchange a symbol trades on, from its form alone (no market data needed). */
import type { ExchangeCode } from "../calendar/exchanges.ts";

/** Index tickers whose exchange the suffix does not tell. */
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

/**
 * The exchange of a product symbol or Yahoo ticker: by the index table, then by suffix (`.SH`/`.SS` SSE,
 * `.SZ` SZSE, `.NS`/`.BO` NSE, `.JK` IDX, `-USD`/`-USDT` crypto), else NYSE (bare US tickers).
 */
export function exchangeOfSymbol(symbol: string): ExchangeCode {
  const index = INDEX_EXCHANGES[symbol];
  if (index) return index;
  if (/\.(SH|SS)$/.test(symbol)) return "SSE";
  if (/\.SZ$/.test(symbol)) return "SZSE";
  if (/\.(NS|BO)$/.test(symbol)) return "NSE";
  if (/\.JK$/.test(symbol)) return "IDX";
  if (/-(USD|USDT)$/.test(symbol)) return "CRYPTO";
  return "NYSE";
}

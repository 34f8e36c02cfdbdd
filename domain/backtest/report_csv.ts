/** The one CSV writer of backtest reports (RFC 4180 quoting, CRLF lines): trades and daily equity. */
import type { ReportDay, ReportTrade } from "./report.ts";

const TRADE_COLUMNS = [
  "date",
  "ticker",
  "companyName",
  "action",
  "quantity",
  "price",
  "value",
  "fees",
  "portfolioValue",
  "profitLoss",
  "profitLossPercent",
  "holdingDays",
  "reason",
] as const satisfies readonly (keyof ReportTrade)[];

const EQUITY_COLUMNS = [
  "date",
  "portfolioValue",
  "cash",
  "drawdown",
] as const satisfies readonly (keyof ReportDay)[];

const cell = (v: unknown) => {
  const s = v === undefined || v === null ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** A row with any of `columns` (an absent, undefined or null value is an empty cell). */
type CsvRow<C extends readonly string[]> = { readonly [K in C[number]]?: unknown };

/** A header row of `columns` and one row per record (missing values empty), each line ending in CRLF. */
function csvTable<C extends readonly string[]>(columns: C, rows: readonly CsvRow<C>[]): string {
  return [columns.join(","), ...rows.map((r) => columns.map((c: C[number]) => cell(r[c])).join(","))].join(
    "\r\n",
  ) +
    "\r\n";
}

/** The CSV text of a report's `trades` with a header row. */
export function tradesToCsv(trades: readonly CsvRow<typeof TRADE_COLUMNS>[]): string {
  return csvTable(TRADE_COLUMNS, trades);
}

/** The CSV text of a report's `dailyPortfolio` (date, value, cash, drawdown) with a header row. */
export function equityToCsv(days: readonly CsvRow<typeof EQUITY_COLUMNS>[]): string {
  return csvTable(EQUITY_COLUMNS, days);
}

/** The one CSV writer of backtest reports (RFC 4180 quoting, CRLF lines): trades and daily equity. */

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
] as const;

const EQUITY_COLUMNS = ["date", "portfolioValue", "cash", "drawdown"] as const;

const cell = (v: unknown) => {
  const s = v === undefined || v === null ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** A header row of `columns` and one row per record (missing values empty), each line ending in CRLF. */
function csvTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\r\n") +
    "\r\n";
}

/** The CSV text of a report's `trades` with a header row. */
export function tradesToCsv(trades: readonly Record<string, unknown>[]): string {
  return csvTable(TRADE_COLUMNS, trades);
}

/** The CSV text of a report's `dailyPortfolio` (date, value, cash, drawdown) with a header row. */
export function equityToCsv(days: readonly Record<string, unknown>[]): string {
  return csvTable(EQUITY_COLUMNS, days);
}

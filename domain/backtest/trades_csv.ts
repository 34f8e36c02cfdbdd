/** Trades as CSV (RFC 4180 quoting): one row per fill with the report's trade fields. */

const COLUMNS = [
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

const cell = (v: unknown) => {
  const s = v === undefined || v === null ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The CSV text of `trades` with a header row. */
export function tradesToCsv(trades: Record<string, unknown>[]): string {
  return [COLUMNS.join(","), ...trades.map((t) => COLUMNS.map((c) => cell(t[c])).join(","))].join("\r\n") +
    "\r\n";
}

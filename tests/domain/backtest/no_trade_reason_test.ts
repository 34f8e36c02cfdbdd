import assert from "node:assert/strict";
import { noTradeReason } from "../../../domain/backtest/report.ts";

Deno.test("noTradeReason() tells which step stopped every trade", () => {
  const c = { tickers: 30, filteredOut: 60, raw: 0, eligible: 0, affordable: 0 };
  assert.equal(
    noTradeReason(c),
    "No trades: no buy signal fired between start and end on any of 30 ticker(s) (60 removed by the filters)",
  );
  assert.match(
    noTradeReason({ ...c, raw: 12 }),
    /fired 12 time\(s\).*minimum traded value or fundamental filters/,
  );
  assert.match(
    noTradeReason({ ...c, raw: 12, eligible: 5 }),
    /^No trades: capital below one lot of every candidate/,
  );
  assert.match(noTradeReason({ ...c, raw: 12, eligible: 5, affordable: 2 }), /no order filled/);
});

import assert from "node:assert/strict";
import { type LiveTrade, liveTradeMessages } from "../../../domain/backtest/live_trades.ts";

const trade = (i: number): LiveTrade => ({
  date: "2024-01-02",
  asset: "BTC-USD",
  action: i % 2 === 0 ? "BUY" : "SELL",
  price: 100 + i,
  quantity: 1,
  reasoning: "entry: rsi(close, 14) < 30",
  confidence: i % 101,
});

Deno.test("liveTradeMessages(): numbered from the run's trade count, capped per write with a count of the rest", () => {
  const few = liveTradeMessages("bt_1", 7, 11, [trade(0), trade(1)]) as {
    type: string;
    data: Record<string, unknown>;
  }[];
  assert.deepEqual(few.map((m) => [m.type, m.data.id, m.data.backtest_id, m.data.price]), [
    ["trade", 11, 7, 100],
    ["trade", 12, 7, 101],
  ]);
  const many = liveTradeMessages("bt_1", 7, 1, Array.from({ length: 250 }, (_, i) => trade(i))) as {
    type: string;
    data: Record<string, unknown>;
  }[];
  assert.equal(many.length, 201);
  assert.equal(many.filter((m) => m.type === "trade").length, 200);
  assert.deepEqual(many.at(-1), {
    type: "trades_omitted",
    data: { job_id: "bt_1", backtest_id: 7, omitted: 50 },
  });
});

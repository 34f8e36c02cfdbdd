/**
 * The assistant's example inputs, shared by the HTTP route tests and the MCP tool tests: a StrategyBlueprint of
 * the Quant Copilot document (an SMA 20/50 cross on RELIANCE.NS) and a full strategy spec (AAPL and MSFT).
 */

/** A blueprint as the document's visual builder sends it. */
export const BLUEPRINT = {
  asset: "RELIANCE.NS",
  timeframe: "1d",
  entry: [{ indicator: "sma", operator: "crosses_above", value: null, params: { lookback: 20 } }],
  exit: [{ indicator: "sma", operator: "crosses_below", value: null, params: { lookback: 50 } }],
  risk: { stop_loss: 5.0, take_profit: 10.0 },
  position_sizing: "fixed",
};

/** A spec with every section written out. */
export const SPEC = {
  name: "SMA cross",
  universe: { tickers: ["AAPL", "MSFT"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50)) or rsi(close, 14) > 75",
  sizing: { method: "percent_equity", percent: 25, max_positions: 4 },
  risk: { stop_loss_pct: 7, take_profit_pct: 20, trailing_stop_pct: null, max_holding_days: 30 },
  costs: { buy_fee_pct: 0.05, sell_fee_pct: 0.15, min_fee: 1, slippage_pct: 0.02 },
  capital: 250000,
  start: "2022-01-03",
  end: "2024-06-28",
};

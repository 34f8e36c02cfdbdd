/**
 * The Backtester v2 document's (004) `backtest_config`: the "config ready" example of `/agent/invoke`, as written.
 * Shared by the conformance tests of `/run_backtest` and of the agent paths.
 */
export const DOCUMENT_CONFIG = {
  backtestId: "agent_abc123",
  filters: {
    marketCap: ["large"],
  },
  fundamentalIndicators: [],
  technicalIndicators: [
    {
      type: "RSI",
      period: 14,
      oversold: 30,
      overbought: 70,
    },
  ],
  backtestConfig: {
    initialCapital: 100000000,
    startDate: "2024-01-01",
    endDate: "2024-12-31",
    tradingCosts: {
      brokerFee: 0.15,
      sellFee: 0.15,
      minimumFee: 1000,
    },
    portfolio: {
      positionSizePercent: 20,
      minPositionPercent: 5,
      maxPositions: 5,
    },
    riskManagement: {
      stopLossPercent: 5,
      takeProfitPercent: 10,
      maxHoldingDays: 30,
    },
  },
};

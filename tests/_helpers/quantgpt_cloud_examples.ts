/**
 * The QuantGPT Cloud guide's (document 002) strategy and signal examples, as written there, shared by the
 * conformance files that replay them over HTTP (`quantgpt_cloud_test.ts`) and over MCP (`quantgpt_mcp_test.ts`).
 */

/** "Create Strategy" body. */
export const CREATE_BODY = {
  name: "HS300 ML Alpha",
  slug: "hs300-ml-alpha",
  universe: "hs300",
  execution_price: "open",
  holding_period: 10,
  initial_capital: 1000000,
  commission_rate: 0.0003,
  slippage_rate: 0.002,
};

/** "Create Strategy" response (201). */
export const CREATED_EXAMPLE = {
  slug: "hs300-ml-alpha",
  name: "HS300 ML Alpha",
  description: null,
  universe: "hs300",
  execution_price: "open",
  holding_period: 10,
  initial_capital: 1000000,
  commission_rate: 0.0003,
  slippage_rate: 0.002,
  status: "pending",
  is_public: true,
  activated_at: null,
  retired_at: null,
  created_at: "2026-05-14T07:15:41Z",
};

/** "GET response" of the strategy list. */
export const LIST_EXAMPLE = {
  strategies: [{ ...CREATED_EXAMPLE, status: "active", activated_at: "2026-05-14T07:20:00Z" }],
};

/** "Submit Signal" body (its trade date is the test world's day, 2026-05-14, at 09:00 Shanghai). */
export const SIGNAL_BODY = {
  trade_date: "2026-05-14",
  signals: [{ symbol: "600519.SH", weight: 0.05 }, { symbol: "000858.SZ", weight: 0.04 }],
};

/** "Submit Signal" response. */
export const SUBMITTED_EXAMPLE = {
  id: "...",
  signal_hash: "abc123...",
  submitted_at: "...",
  is_settled: false,
  github_committed: true,
  attestation: { committed: true, sha: "..." },
};

/** "Signal History" response. */
export const HISTORY_EXAMPLE = {
  signals: [{
    id: "a1b2c3d4-...",
    trade_date: "2026-05-14",
    signals: [{ symbol: "600519.SH", weight: 0.05 }, { symbol: "000858.SZ", weight: 0.04 }],
    signal_hash: "abc123def456...",
    submitted_at: "2026-05-14T01:20:00+00:00",
    is_settled: true,
    github_committed: true,
  }],
};

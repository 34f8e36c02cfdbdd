/**
 * The QuantGPT Cloud guide's "Alpha Factor Library" examples, as written in the document (bodies and answers),
 * copied here once for the conformance test and the factor acceptance test.
 */
/** "Create Factor" body. */
export const CREATE_FACTOR_BODY = {
  name: "momentum_20d",
  universe: "hs300",
  description: "20-day momentum factor",
  expression: "rank(ts_mean(close, 20))",
  claimed_ic_mean: 0.035,
  claimed_ic_ir: 0.68,
};

/** "Create Factor" response (201). */
export const FACTOR_EXAMPLE = {
  id: "uuid",
  name: "momentum_20d",
  universe: "hs300",
  status: "draft",
  expression: "rank(ts_mean(close, 20))",
  is: {
    ic_mean: null,
    ic_ir: null,
    turnover: null,
    sharpe: null,
    fitness: null,
    ic_decay: null,
    coverage: null,
    data_days: null,
    max_correlation: null,
  },
  os: { ic_mean_30d: null, ic_mean_60d: null, ic_mean_120d: null, start_date: null },
  claimed: { ic_mean: 0.035, ic_ir: 0.68 },
  checks: null,
  reject_reason: null,
  yearly_stats: null,
  submitted_at: null,
  validated_at: null,
  created_at: "...",
};

/** "Detail response includes additional series data (not in list)". */
export const SERIES_EXAMPLE = {
  ic_series: [{ date: "2025-01-02", ic: 0.042 }],
  ls_cumulative_returns: [{ date: "2025-01-02", ls_return: 0.003, cumulative: 1.003 }],
  yearly_stats: [{
    year: 2024,
    ic_mean: 0.035,
    ic_ir: 0.68,
    returns: 0.12,
    drawdown: 0.05,
    turnover: 0.3,
    days: 244,
  }],
};

/** "Upload Factor Values" body (2025-01-02 and 2025-01-03 are SSE trading days). */
export const UPLOAD_BODY = {
  data: [
    { date: "2025-01-02", values: { "600519.SH": 1.23, "600036.SH": -0.45 } },
    { date: "2025-01-03", values: { "600519.SH": 0.87, "600036.SH": 0.12 } },
  ],
};

/** "Upload Factor Values" response. */
export const UPLOAD_EXAMPLE = { uploaded: 2, total_days: 145, status: "ready" };

/** "Check Upload Progress" response. */
export const VALUES_STATUS_EXAMPLE = {
  total_days: 145,
  min_required: 120,
  ready: true,
  start_date: "2024-06-03",
  end_date: "2025-01-03",
};

/** "Validation Checks" table: Check, Metric, Threshold (in this order). */
export const CHECKS_TABLE = [
  { name: "IC_MEAN", metric: "abs(ic_mean)", threshold: 0.015 },
  { name: "IC_IR", metric: "abs(ic_ir)", threshold: 0.15 },
  { name: "HIGH_TURNOVER", metric: "turnover", threshold: 0.35 },
  { name: "SELF_CORRELATION", metric: "max_correlation", threshold: 0.7 },
  { name: "DATA_COVERAGE", metric: "data_days", threshold: 120 },
];

/** "Poll Validation Status" response. */
export const POLL_EXAMPLE = { status: "active", checks: [CHECKS_TABLE[0]], validated_at: "..." };

/** "View Correlations" response. */
export const CORRELATIONS_EXAMPLE = {
  correlations: [{ factor_id: "uuid", name: "value_factor", correlation: 0.423 }],
};

/** "IC Time Series" response. */
export const IC_SERIES_EXAMPLE = { records: [{ date: "2025-01-02", ic: 0.042 }] };

/** "Chart Data" response. */
export const CHART_DATA_EXAMPLE = {
  ic_series: SERIES_EXAMPLE.ic_series,
  ls_cumulative_returns: SERIES_EXAMPLE.ls_cumulative_returns,
  yearly_stats: SERIES_EXAMPLE.yearly_stats,
};

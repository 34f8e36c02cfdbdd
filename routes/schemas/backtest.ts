/** Response schemas of backtest reports, their parts and the Plotly figure, as `buildReport` and `plotFigure` answer. */
import type { JsonValue } from "../../domain/strategy/spec_diff.ts";
import { z } from "@hono/zod-openapi";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";

/** A metric rounded to 4 decimals; null when undefined (too few days, no benchmark, nothing traded…). */
const metric = z.number().nullable();

/**
 * A strategy spec as stored and echoed back (every default filled in): the domain's schema rebuilt here, since
 * the domain's own was made before the OpenAPI extension could name it.
 */
export const StrategySpecResponse = z.strictObject({
  ...StrategySpecSchema.shape,
  // Echoed with the dates filled in (a request may leave them out).
  start: z.string().openapi({ description: "First day simulated (YYYY-MM-DD)" }),
  end: z.string().openapi({ description: "Last day simulated (YYYY-MM-DD)" }),
}).openapi("StrategySpec");

/** The best or worst closed trade. */
const TradeExtreme = z.object({ ticker: z.string(), return: metric }).nullable();

/** Summary metrics of a run (camelCase as the product's clients read them); also the `metrics` of compares. */
export const BacktestSummarySchema = z.object({
  initialCapital: z.number(),
  finalValue: metric,
  totalReturn: metric,
  annualizedReturn: metric,
  volatility: metric,
  benchmarkReturn: metric,
  totalTrades: z.number().int(),
  closedTrades: z.number().int(),
  winningTrades: z.number().int(),
  losingTrades: z.number().int(),
  breakevenTrades: z.number().int(),
  winRate: metric,
  maxDrawdown: metric,
  sharpeRatio: metric,
  sortinoRatio: metric,
  calmarRatio: metric,
  profitFactor: metric,
  alpha: metric,
  beta: metric,
  alphaVsBuyAndHold: metric,
  averageHoldingDays: metric,
  bestTrade: TradeExtreme,
  worstTrade: TradeExtreme,
  exposure: metric,
  turnover: metric,
  totalFees: metric,
  probabilisticSharpe: metric,
  deflatedSharpe: metric,
}).openapi("BacktestSummary");

/** One fill; a SELL also carries its P&L and holding days. */
const ReportTradeSchema = z.object({
  date: z.string(),
  ticker: z.string(),
  companyName: z.string(),
  action: z.enum(["BUY", "SELL"]),
  quantity: z.number(),
  price: z.number(),
  value: z.number(),
  fees: z.number(),
  portfolioValue: z.number(),
  reason: z.string(),
  confidence: z.number().int().min(0).max(100).optional().openapi({
    description:
      "How decisively the rule fired on the decision bar (0–100; 100 for forced exits such as stops)",
  }),
  profitLoss: z.number().optional(),
  profitLossPercent: z.number().optional(),
  holdingDays: z.number().int().optional(),
}).openapi("ReportTrade");

/** One day of the portfolio; each benchmark adds `<symbol>Normalized` (= 100 at the start). */
const DailyPortfolioRow = z.object({
  date: z.string(),
  portfolioValue: metric,
  cash: metric,
  portfolioNormalized: metric,
  drawdown: metric,
  ihsgValue: metric.optional().openapi({
    description: "IHSG (^JKSE) normalised to 100 at the start; null when the run has no ^JKSE benchmark " +
      "(absent in reports stored before it existed)",
  }),
  lq45Value: metric.optional().openapi({
    description: "LQ45 normalised to 100 at the start; null when the run has no LQ45 benchmark " +
      "(absent in reports stored before it existed)",
  }),
}).catchall(metric.openapi({ description: "`<benchmark symbol>Normalized`" })).openapi("ReportDay");

const MonthRow = z.object({
  month: z.string().openapi({ example: "Jan 24" }),
  returns: metric,
  benchmarkReturns: metric,
  winRate: metric,
  probability: metric,
  tradesCount: z.number().int(),
}).openapi("ReportMonth");

const OpenPosition = z.object({
  symbol: z.string(),
  quantity: z.number(),
  entryPrice: z.number(),
  lastClose: z.number(),
  unrealizedProfitLoss: metric,
}).openapi("ReportOpenPosition");

const Conventions = z.object({
  periods_per_year: z.number(),
  risk_free_rate_pct: z.number(),
  std_ddof: z.number().int(),
  fill_timing: z.string(),
  costs: z.string(),
  monthly_probability: z.string(),
  profit_loss: z.string(),
  open_positions: z.string(),
  day_axis: z.string(),
  order_sizing: z.string(),
  holding_days: z.string(),
  rolling_windows: z.string(),
  source: z.string(),
  benchmark_sources: z.record(z.string(), z.string()).openapi({ description: "Data source by benchmark" }),
}).openapi("ReportConventions");

const CalendarProvenance = z.object({
  provisional: z.boolean(),
  provisional_days: z.number().int(),
  official_through: z.record(z.string(), z.string().nullable()).openapi({
    description: "Last day of each exchange's official holiday list (null: none installed)",
  }),
}).openapi("ReportCalendar");

/** The full report of a run, as a queued job stores it. */
export const StoredReportSchema = z.object({
  summary: BacktestSummarySchema,
  trades: z.array(ReportTradeSchema),
  dailyPortfolio: z.array(DailyPortfolioRow),
  monthlyPerformance: z.array(MonthRow),
  openPositions: z.array(OpenPosition),
  source: z.string(),
  spec: StrategySpecResponse,
  engine_version: z.string(),
  conventions: Conventions,
  notes: z.array(z.string()),
  timing: z.record(z.string(), z.number()).optional().openapi({
    description:
      "Only in reports stored by versions before stored reports became timing-free (milliseconds by phase)",
  }),
  calendar: CalendarProvenance,
}).openapi("StoredBacktestReport");

/** Wall-clock milliseconds of each stage of one synchronous run (also sent as a `Server-Timing` header). */
const RunTimingSchema = z.object({
  load_ms: z.number(),
  indicators_ms: z.number(),
  simulate_ms: z.number(),
  metrics_ms: z.number(),
}).openapi("RunTiming");

/**
 * The report of a synchronous run: the stored report, the strategy as canonical text, and this run's stage
 * timings (beside the report: the same inputs give the same report bytes).
 */
export const BacktestReportSchema = StoredReportSchema.omit({ timing: true }).extend({
  generated_code: z.string(),
  timing: RunTimingSchema,
}).openapi("BacktestReport");

const Trace = z.object({
  type: z.string(),
  mode: z.string(),
  name: z.string(),
  x: z.array(z.string()),
  y: z.array(z.number().nullable()),
  text: z.array(z.string()).optional(),
  marker: z.object({ symbol: z.string(), size: z.number(), color: z.string() }).optional(),
  fill: z.string().optional(),
  xaxis: z.string(),
  yaxis: z.string(),
}).openapi("PlotlyTrace");

const Axis = z.object({ title: z.object({ text: z.string() }), domain: z.array(z.number()) });

/** A Plotly figure: price with entries and exits, equity against the benchmark, drawdown. */
export const PlotlyFigureSchema = z.object({
  data: z.array(Trace),
  layout: z.object({
    title: z.object({ text: z.string() }),
    grid: z.object({ rows: z.number().int(), columns: z.number().int(), pattern: z.string() }),
    yaxis: Axis,
    yaxis2: Axis,
    yaxis3: Axis,
    showlegend: z.boolean(),
    hovermode: z.string(),
  }),
}).openapi("PlotlyFigure");

/** A job's trade as the job view lists it. */
export const JobTradeSchema = z.object({
  id: z.number().int(),
  timestamp: z.string(),
  asset: z.string(),
  action: z.enum(["BUY", "SELL"]),
  price: z.number(),
  quantity: z.number(),
  reasoning: z.string(),
  confidence: z.number().nullable(),
}).openapi("BacktestJobTrade");

/** A scalar (or list of scalars) of a spec. */
/** A JSON value of any depth (the `JsonValue` component). */
const JsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(JsonValueSchema),
    z.record(z.string(), JsonValueSchema),
  ])
).openapi("JsonValue");

/**
 * The value of a spec at a differing path: a scalar or a list (of scalars or of objects, such as fundamental
 * filters), or, where only one side has it, the sub-object there: any JSON value.
 */
export const SpecValueSchema = JsonValueSchema;

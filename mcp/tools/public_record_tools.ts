/**
 * Public track-record and transparency-log tools (no API key needed): the same operations as
 * `/api/v1/public/strategies/*` and `/api/v1/public/log/*`, answering the same JSON. Everything here only reads;
 * a strategy that is not public is reported as not found.
 */
import { z } from "zod";
import { MIN_DAYS_FOR_ANNUALISED, TRADING_DAYS_PER_YEAR } from "../../domain/metrics/stats.ts";
import { ROLLING_SHARPE_WINDOW_DAYS } from "../../domain/track_record/performance.ts";
import {
  publicAudit,
  publicClaimed,
  publicPerformance,
  publicTrackRecord,
  publicVerifyDay,
} from "../../domain/track_record/public_record.ts";
import {
  logCheckpoint,
  logCheckpoints,
  logConsistencyProof,
  logInclusionProof,
  logWitnesses,
  publicStrategiesPage,
} from "../../domain/track_record/operations.ts";
import { DEADLINES } from "../../domain/track_record/signals/signals.ts";
import { SignalHashParam, TrackedUniverseSchema } from "../../routes/schemas/track_record.ts";
import { defineTool, READ_ONLY, type ToolDef } from "../tool_kit.ts";
import { DateArg, pageArgs, SlugArg } from "../tool_schemas.ts";

/** A public strategy's slug. */
const PublicSlug = SlugArg.describe(
  'A public strategy\'s slug, e.g. "demo-momentum" (list them with list_public_strategies)',
);

/** A tree size of the transparency log. */
const TreeSize = z.number().int().min(1);

/** Which transparency log (the `?log=` of the routes). */
const LogArg = z.enum(["production", "demo"]).optional().describe(
  "production (default): the platform's log; demo: the demo's own log (own origin and key)",
);

/** What every served checkpoint carries besides its signed fields. */
const EVIDENCE_WORDS = "cosignatures [{witness, algorithm, public_key, key_id, timestamp (epoch ms, the " +
  "witness's clock), signature (Ed25519 over 'quantedge-cosignature/v1\\ntime <timestamp>\\n<note>')}] " +
  "(only ones that verify) and github (null or {sha, url} of the commit of the checkpoint's file)";

/** The public-record and transparency-log tools. */
export const publicRecordTools: ToolDef[] = [
  defineTool({
    name: "list_public_strategies",
    title: "List public strategies",
    description:
      "Public tracked strategies (not pending), most settled trading days first, then by slug: slug, name, " +
      "creator, universe (the benchmark), status, trading_days, latest_date, nav (latest settled NAV in " +
      "currency, null before the first), total_return and daily_return (fractions), has_claimed. Answered as " +
      "`strategies` (also `items`) with total, limit and offset. No API key needed.",
    input: z.strictObject({
      universe: TrackedUniverseSchema.optional().describe(
        "Only strategies benchmarked on hs300, csi500, csi1000, csi2000 or etf_all (default: all)",
      ),
      ...pageArgs(50),
    }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, args) => publicStrategiesPage(ctx.deps.track, args),
  }),
  defineTool({
    name: "get_track_record",
    title: "A public strategy's daily NAV record",
    description:
      "Every settled day of a public strategy, oldest first: date, nav (normalised to 1.0 at the start = " +
      "nav_value / initial_capital), nav_value (currency: cash + Σ quantity × close), daily_return, " +
      "cumulative_return, benchmark_return (the index's simple return that day, null when unknown), " +
      "provisional (judged on the holiday estimate). `claimed` (only when a claimed history exists) holds " +
      "its meta, records normalised to 1.0 and, once ≥ 5 dates are common, `tracking` (annualised tracking " +
      `difference × ${TRADING_DAYS_PER_YEAR}, tracking error: sample sd (ddof 1) × √${TRADING_DAYS_PER_YEAR}, ` +
      "correlation, verdict). Days are SSE trading days; a day is settled at 18:15 Asia/Shanghai. " +
      "`parameters` holds everything a settlement replay needs (universe, benchmark, execution_price, " +
      "holding_period, commission_rate, slippage_rate, lot_size, initial_capital, start_date, calendar, " +
      "dividend_convention, log_origin); each record's record_hash is its day-record hash (verify_day's " +
      "record_chain; null on days settled before the chain). " +
      "`conventions` states the definitions. No API key needed.",
    input: z.strictObject({ slug: PublicSlug }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { slug }) => publicTrackRecord(ctx.deps.track, slug),
  }),
  defineTool({
    name: "get_performance",
    title: "A public strategy's performance",
    description: "Performance of the verified record against its benchmark index: `metrics` {total_return, " +
      "annual_return, volatility, sharpe, max_drawdown, calmar, excess_return, excess_sharpe, " +
      "benchmark_return, trading_days, benchmark_missing_days} (the same figures also flat) and " +
      "`rolling_excess_sharpe` [{date, value}]. Conventions: simple daily returns (day 0 against the initial " +
      `capital); annualised with ${TRADING_DAYS_PER_YEAR} trading days a year; sample std (ddof 1); ` +
      `risk-free rate 0; Sharpe = mean / sd × √${TRADING_DAYS_PER_YEAR}; annual_return null under ` +
      `${MIN_DAYS_FOR_ANNUALISED} trading days; max_drawdown a positive fraction; excess_return = total_return − the benchmark's ` +
      "compounded return (unknown benchmark days count as 0); excess_sharpe over daily r − b; rolling excess " +
      `Sharpe over windows of ${ROLLING_SHARPE_WINDOW_DAYS} daily excess returns, dated by the window's last ` +
      "day. Units: fractions (0.05 = 5 %); null where undefined. `conventions` repeats them. No API key needed.",
    input: z.strictObject({ slug: PublicSlug }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { slug }) => publicPerformance(ctx.deps.track, slug),
  }),
  defineTool({
    name: "verify_day",
    title: "Verification package of one settled day",
    description:
      "Everything needed to check one settled day of a public strategy (the latest when `date` is " +
      "omitted): `verification` {nav, cash, positions [{symbol, quantity, price, market_value = quantity × " +
      "price, weight, …}], symbols (the day's position symbols, sorted), symbols_hash, signal_attestation " +
      "{signal_hash, canonical_json, symbols, symbols_hash, submitted_at, deadline_at, commit_sha, " +
      "github_raw_url, …} (null on a day without a signal), trades}, `github_raw_url`, the signal's " +
      "transparency-log inclusion and consistency proofs (signal.log), log_checkpoint, data_provenance, " +
      "`parameters`, `record_chain` {canonical_json (the canonical day record), record_hash = SHA-256 of it, " +
      "prev_record_hash (the previous day's; 64 zeros first), log {origin, leaf_index, inclusion_proof} or " +
      "null until logged} (null on days settled before the chain) and how_to_verify. The document's checks: (1) fetch this package; (2) fetch github_raw_url (null when " +
      "GitHub attestation is not configured) and compare its signal_hash with " +
      "signal_attestation.signal_hash; (3) symbols_hash = SHA256(comma-joined sorted symbols) hex [:16]; " +
      "(4) sum(positions.market_value) + cash == nav (up to rounding; nav_check shows the difference); " +
      `(5) the GitHub commit and the log checkpoint are older than the deadline: ${DEADLINES.open} ` +
      `Asia/Shanghai on the trade date for open-price strategies, ${DEADLINES.close} for close-price ones ` +
      "(submitted_before_deadline, logged_before_deadline). Proofs check with get_log_checkpoint. A day is " +
      "settled at 18:15 Asia/Shanghai; an unsettled or non-trading day answers 404. No API key needed.",
    input: z.strictObject({
      slug: PublicSlug,
      date: DateArg.optional().describe(
        "The settled trading day to check, YYYY-MM-DD (Asia/Shanghai trading date); default: the latest",
      ),
    }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { slug, date }) => publicVerifyDay(ctx.deps.track, slug, date),
  }),
  defineTool({
    name: "get_audit_log",
    title: "A public strategy's audit trail",
    description:
      "The strategy's audit trail, newest first: `audit_log` [{id, at (ISO time UTC), date, type, " +
      "event, detail, data}] with total, limit, offset. type is REBALANCE or HOLD for a settled day and the " +
      "event's name otherwise (CREATED, ACTIVATED, STATUS_CHANGED, SIGNAL_SUBMITTED, SIGNAL_REPLACED, " +
      "SIGNAL_WITHDRAWN, CLAIMED_UPLOADED, CLAIMED_DELETED). No API key needed.",
    input: z.strictObject({ slug: PublicSlug, ...pageArgs(50) }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { slug, limit, offset }) => publicAudit(ctx.deps.track, slug, limit, offset),
  }),
  defineTool({
    name: "get_public_claimed",
    title: "A public strategy's claimed history",
    description: "The researcher's claimed NAV history of a public strategy: meta (start_date, end_date, " +
      "data_points, total_return, sharpe, max_drawdown, uploaded_at), records normalised to 1.0 at the first " +
      "(nav, nav_value, daily_return, cumulative_return, drawdown, benchmark_return) and, once ≥ 5 dates are " +
      "common with the verified record, `tracking` (tracking_diff_annualized = mean difference × " +
      `${TRADING_DAYS_PER_YEAR}, tracking_error_annualized = sample sd × √${TRADING_DAYS_PER_YEAR}, ` +
      "correlation, overlap_days, verdict); otherwise tracking_note says why it is absent. 404 when the " +
      "strategy has no claimed history. No API key needed.",
    input: z.strictObject({ slug: PublicSlug }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { slug }) => publicClaimed(ctx.deps.track, slug),
  }),
  defineTool({
    name: "get_log_checkpoint",
    title: "Transparency log checkpoint",
    description: "The transparency log's signed head: origin, tree_size, root_hash (RFC 6962 root, hex), " +
      "timestamp (epoch ms UTC), note (the exact signed text '<origin>\\n<tree_size>\\n<root_hash>\\n" +
      "<timestamp>\\n'), signature (Ed25519 over the note's UTF-8 bytes, base64), public_key (raw 32 bytes, " +
      `base64) and key_id, with ${EVIDENCE_WORDS}. Pin the public key and check later proofs against it. ` +
      "No API key needed.",
    input: z.strictObject({ log: LogArg }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { log }) => logCheckpoint(ctx.deps.track, log),
  }),
  defineTool({
    name: "list_log_checkpoints",
    title: "A transparency log's signed checkpoints",
    description:
      "The log's signed checkpoints with tree_size ≥ from_size, ascending by tree_size (only sizes " +
      `that were signed), at most limit, each with ${EVIDENCE_WORDS}; beside them the log's origin, ` +
      "public_key and key_id, and next_from_size (null at the end). Checkpoint times never decrease. No API " +
      "key needed.",
    input: z.strictObject({
      log: LogArg,
      from_size: z.number().int().min(0).default(1).describe("The smallest tree size listed (default 1)"),
      limit: z.number().int().min(1).max(1000).default(100).describe("At most this many (default 100)"),
    }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, args) => logCheckpoints(ctx.deps.track, args),
  }),
  defineTool({
    name: "list_log_witnesses",
    title: "A transparency log's witnesses",
    description: "The witnesses the platform asks to cosign each log head: name (null before its first " +
      "cosignature), url, key_id, public_key, tree_size (the largest size of this log it cosigned, 0: none) " +
      "and last_error (why the last push failed, null after a success). No API key needed.",
    input: z.strictObject({ log: LogArg }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { log }) => logWitnesses(ctx.deps.track, log),
  }),
  defineTool({
    name: "get_inclusion_proof",
    title: "Inclusion proof of a signal hash",
    description: "Proves that a signal hash is a leaf of the transparency log: leaf_index, tree_size, " +
      "leaf_hash = SHA-256(0x00 || the 32 bytes of signal_hash), audit_path (hex, nearest sibling first; fold " +
      "with SHA-256(0x01 || left || right), RFC 6962 / RFC 9162 §2.1.3.2) to root_hash, the signed checkpoint " +
      "of that tree size (with its cosignatures and github), and `signal` {strategy_slug, trade_date} it was " +
      "submitted for. 404 when the hash is not logged (within tree_size) or tree_size was never signed; 400 " +
      "when tree_size exceeds the log. No API key needed.",
    input: z.strictObject({
      signal_hash: SignalHashParam.shape.signal_hash.describe(
        "The signal's SHA-256 (of its canonical_json) as 64 lower-case hex characters",
      ),
      tree_size: TreeSize.optional().describe(
        "Prove against the tree of this many leaves (≥ the leaf's index + 1, ≤ the current tree_size, a size " +
          "that was signed); default: the current checkpoint",
      ),
      log: LogArg,
    }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { signal_hash, tree_size, log }) =>
      logInclusionProof(ctx.deps.track, signal_hash, tree_size, log),
  }),
  defineTool({
    name: "get_consistency_proof",
    title: "Consistency proof between two log sizes",
    description:
      "RFC 6962 / RFC 9162 §2.1.4 proof that the log's tree of `first` leaves is a prefix of its tree " +
      "of `second` leaves (the log was only appended to): first_root, second_root and proof (hex; empty " +
      "when first = second). Needs 1 ≤ first ≤ second ≤ the current tree_size (else 400). Use it to check " +
      "that a checkpoint you saw earlier is contained in the current one. No API key needed.",
    input: z.strictObject({
      first: TreeSize.describe("The older tree size, ≥ 1"),
      second: TreeSize.describe("The newer tree size, ≥ first and ≤ the current tree_size"),
      log: LogArg,
    }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { first, second, log }) => logConsistencyProof(ctx.deps.track, first, second, log),
  }),
];

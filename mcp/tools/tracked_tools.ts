/**
 * Tracked-strategy tools (the QuantGPT document's strategies, daily signals and claimed histories): the same
 * operations as `/api/v1/strategies/*`, with the same body schemas. Annotations follow the document's
 * idempotency table: creating a strategy and submitting a signal are not idempotent (confirm with the list
 * tool before retrying after a timeout), replacing the claimed history and withdrawing a signal are.
 */
import { z } from "zod";
import { deleteClaimedHistory, putClaimedHistory } from "../../domain/track_record/claimed_history.ts";
import {
  createTrackedStrategyView,
  getClaimedHistoryView,
  getOwnTrackedView,
  listOwnTrackedView,
  listSignalsView,
  patchTrackedView,
  submitSignalView,
  withdrawSignalView,
} from "../../domain/track_record/operations.ts";
import {
  ClaimedBody,
  CreateTrackedBody,
  PatchTrackedBody,
  SubmitSignalBody,
  TrackedStatusSchema,
} from "../../routes/schemas/track_record.ts";
import { defineTool, READ_ONLY, type ToolDef } from "../tool_kit.ts";
import { DateArg, pageArgs, SlugArg } from "../tool_schemas.ts";

const C = CreateTrackedBody.shape;
const P = PatchTrackedBody.shape;

/** The tracked-strategy, signal and claimed-history tools. */
export const trackedTools: ToolDef[] = [
  defineTool({
    name: "create_strategy",
    title: "Create a tracked strategy",
    description:
      "Creates a strategy whose daily signals the platform settles, attests and publishes. It stays " +
      "`pending` until its first signal. slug, universe, execution_price, holding_period, initial_capital and " +
      "the rates are immutable. Not idempotent: after a timeout, check list_strategies before retrying; a " +
      "taken slug answers 409.",
    input: z.strictObject({
      name: C.name.describe("Display name, 1–200 characters"),
      slug: C.slug.describe("Public id: ^[a-z0-9][a-z0-9_-]{2,48}$, globally unique, immutable"),
      description: C.description.describe("Optional free text (≤ 2000 characters)"),
      universe: C.universe.describe(
        "Benchmark for excess return (not a stock filter): hs300 (default), " +
          "csi500, csi1000, csi2000 or etf_all",
      ),
      execution_price: C.execution_price.describe(
        '"open" (default; signals due 09:15 Asia/Shanghai on trade_date) or "close" (due 15:00)',
      ),
      holding_period: C.holding_period.describe("Trading days a position is held, 1–60 (default 10)"),
      initial_capital: C.initial_capital.describe("CNY, 100,000–100,000,000 (default 1,000,000)"),
      commission_rate: C.commission_rate.describe("Fraction of notional, 0–0.01 (default 0.0003)"),
      slippage_rate: C.slippage_rate.describe("Fraction of price against the trade, 0–0.05 (default 0.002)"),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, args) => createTrackedStrategyView(ctx.deps.track, ctx.actor(), args),
  }),
  defineTool({
    name: "list_strategies",
    title: "List my tracked strategies",
    description:
      "My tracked strategies, newest first, as `strategies` (also `items`) with `total`. Without " +
      '`status` every status is listed, retired included; the daily loop wants status "active".',
    input: z.strictObject({
      status: TrackedStatusSchema.optional().describe("pending, active, paused or retired"),
      ...pageArgs(200),
    }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { status, limit, offset }) =>
      listOwnTrackedView(ctx.deps.track, ctx.user().id, status, { limit, offset }),
  }),
  defineTool({
    name: "get_strategy",
    title: "One tracked strategy",
    description: "One of my tracked strategies by slug: settings, status, activation and retirement times.",
    input: z.strictObject({ slug: SlugArg }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { slug }) => getOwnTrackedView(ctx.deps.track, ctx.user().id, slug),
  }),
  defineTool({
    name: "update_strategy",
    title: "Update a tracked strategy",
    description: "Changes name, description, status or is_public (nothing else). Status machine: pending → " +
      "retired; active → paused | retired; paused → active | retired; retired is final (a pending strategy " +
      "becomes active only through its first signal). An illegal transition answers 400. Idempotent; " +
      'destructive, since status "retired" is final (retire_strategy does only that).',
    input: z.strictObject({
      slug: SlugArg,
      name: P.name.describe("New display name, 1–200 characters"),
      description: P.description.describe("New free text (≤ 2000 characters); null clears it"),
      status: P.status.describe(
        "New status: active (from paused), paused (from active) or retired (final); pending is set only by creation",
      ),
      is_public: P.is_public.describe("Whether the public record lists the strategy"),
    }).describe("The fields to change"),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: (ctx, { slug, ...patch }) => patchTrackedView(ctx.deps.track, ctx.user().id, slug, patch),
  }),
  defineTool({
    name: "retire_strategy",
    title: "Retire a tracked strategy",
    description: "Retires a strategy for good: no more signals, no way back (its public record stays). " +
      "Destructive; repeating it on a retired strategy answers 400.",
    input: z.strictObject({ slug: SlugArg }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: (ctx, { slug }) => patchTrackedView(ctx.deps.track, ctx.user().id, slug, { status: "retired" }),
  }),
  defineTool({
    name: "submit_signal",
    title: "Submit a day's signal",
    description: "Submits target weights for trade_date (an SSE trading day, today or later in " +
      "Asia/Shanghai). Hard deadline by the server's receive time: 09:15 Asia/Shanghai on trade_date for " +
      "open-price strategies, 15:00 for close-price ones. Weights in (0, 1], summing to ≤ 1 (the rest is " +
      "cash), no duplicate symbols; [] means all cash. A different second submission before the deadline " +
      "replaces the first (`replaced: true`) unless settled or attested; an identical one answers 409. The " +
      "first signal activates a pending strategy. Answers signal_hash (SHA-256 of canonical_json) and the " +
      "attestation outcome. Not idempotent: after a timeout, read list_signals {slug, limit: 1} first.",
    input: z.strictObject({
      slug: SlugArg,
      trade_date: SubmitSignalBody.shape.trade_date.describe(
        "The trading day the weights are for, YYYY-MM-DD",
      ),
      signals: SubmitSignalBody.shape.signals.describe(
        "[{symbol, weight}]: A-share symbols with exchange suffix (600519.SH, 000858.SZ), weight in (0, 1]",
      ),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, { slug, ...input }) => submitSignalView(ctx.deps.track, ctx.user().id, slug, input),
  }),
  defineTool({
    name: "list_signals",
    title: "List a strategy's signals",
    description:
      "My strategy's signals, newest trade date first (`signals`, also `items`, and `total`), each " +
      "with signal_hash, canonical_json, deadline_at, is_settled and github_committed. limit 1 answers the " +
      "latest: the way to confirm a submission after a timeout and to see whether today settled (after " +
      "18:15 Asia/Shanghai).",
    input: z.strictObject({ slug: SlugArg, ...pageArgs(30) }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { slug, limit, offset }) =>
      listSignalsView(ctx.deps.track, ctx.user().id, slug, limit, offset),
  }),
  defineTool({
    name: "withdraw_signal",
    title: "Withdraw a day's signal",
    description:
      "Deletes the signal of trade_date: only before its deadline, not once settled, and not once " +
      "committed to GitHub (each answers 400). Destructive; a second call answers 404 (safe to retry).",
    input: z.strictObject({ slug: SlugArg, trade_date: DateArg }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: (ctx, { slug, trade_date }) => withdrawSignalView(ctx.deps.track, ctx.user().id, slug, trade_date),
  }),
  defineTool({
    name: "upload_claimed_history",
    title: "Upload the claimed NAV history",
    description:
      "Uploads (or replaces) the researcher's claimed NAV curve, e.g. out-of-sample paper trading, " +
      "for comparison with the platform's record: 2–5000 points, strictly ascending dates, NAV in (0, 1e10], " +
      "none after today (Asia/Shanghai); the strategy must be active or paused. Answers data_points, " +
      "total_return, sharpe (√252, sample sd), max_drawdown and, with ≥ 5 common days, tracking. Replaces " +
      "any earlier upload (destructive), and is idempotent.",
    input: z.strictObject({
      slug: SlugArg,
      records: ClaimedBody.shape.records.describe("[{date: YYYY-MM-DD, nav}] in ascending date order"),
    }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: async (ctx, { slug, records }) =>
      (await putClaimedHistory(ctx.deps.track, ctx.user().id, slug, records)).view,
  }),
  defineTool({
    name: "get_claimed_history",
    title: "My claimed NAV history",
    description: "My strategy's claimed history: `meta` (dates, data_points, total_return, sharpe, " +
      "max_drawdown) and records normalised to 1.0 at the first one.",
    input: z.strictObject({ slug: SlugArg }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { slug }) => getClaimedHistoryView(ctx.deps.track, ctx.user().id, slug),
  }),
  defineTool({
    name: "delete_claimed_history",
    title: "Delete the claimed NAV history",
    description:
      "Deletes my strategy's claimed history (answers data_points_removed). Destructive, idempotent.",
    input: z.strictObject({ slug: SlugArg }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: (ctx, { slug }) => deleteClaimedHistory(ctx.deps.track, ctx.user().id, slug),
  }),
];

/**
 * Multi-factor portfolio tools (the QuantGPT document's "Multi-Factor Portfolios"): the same operations as
 * `/api/v1/portfolios*`, with the same body schemas. Another user's portfolio or factor is "not found" (404).
 * Creating a portfolio is not idempotent (confirm with list_portfolios); the lifecycle steps and member changes
 * refuse a repeat (400/409), so repeating them has no further effect.
 */
import { z } from "zod";
import { PORTFOLIO_SIGNAL_CONVENTIONS } from "../../domain/portfolios/combine_signal.ts";
import {
  createPortfolio,
  deletePortfolio,
  getPortfolioView,
  listPortfoliosView,
} from "../../domain/portfolios/portfolio_crud.ts";
import { listPortfolioSignalsView } from "../../domain/portfolios/portfolio_history.ts";
import {
  activatePortfolio,
  pausePortfolio,
  resumePortfolio,
} from "../../domain/portfolios/portfolio_lifecycle.ts";
import { addPortfolioMember, removePortfolioMember } from "../../domain/portfolios/portfolio_members.ts";
import {
  AddMemberBody,
  CreatePortfolioBody,
  PortfolioIdParam,
  PortfolioMemberParam,
} from "../../routes/schemas/portfolios.ts";
import { defineTool, READ_ONLY, type ToolDef } from "../tool_kit.ts";
import { pageArgs } from "../tool_schemas.ts";

const C = CreatePortfolioBody.shape;

const PortfolioId = PortfolioIdParam.shape.portfolio_id.describe(
  'The portfolio\'s id, "pf_…" (list yours with list_portfolios)',
);
const FactorId = AddMemberBody.shape.factor_id.describe(
  'One of my factors\' id, "fac_…" (list yours with list_factors)',
);

/** The signal algorithm in one paragraph, from the conventions the signals page answers. */
const ALGORITHM =
  "Signal algorithm: each member's cross-section is z-scored (sample std), the z-scores are " +
  "combined with the member weights (equal 1/N, or ic_weighted |IC IR| / Σ|IC IR|) on the symbols every member " +
  "has, ranked by score (ties by symbol) and the top_n stocks weigh 1/top_n each (fewer candidates: the rest " +
  `is cash). Factor date: ${PORTFOLIO_SIGNAL_CONVENTIONS.factor_date}.`;

/** When the platform generates and submits an active portfolio's signal. */
const SCHEDULE = "An active portfolio's signal is generated and submitted by the platform at 09:00 " +
  "Asia/Shanghai on each SSE trading day (retried 09:05 and 09:12; open execution, so due 09:15), then settled " +
  "at 18:15 and attested like any tracked strategy; `last_run` says what the latest run did.";

const LIFECYCLE_HINTS = { readOnly: false, destructive: false, idempotent: true };

/** The portfolio tools. */
export const portfolioTools: ToolDef[] = [
  defineTool({
    name: "create_portfolio",
    title: "Create a multi-factor portfolio",
    description: "Creates a draft portfolio that combines my active factors of one universe into a daily " +
      "signal. Add at least 2 members with add_portfolio_member, then activate_portfolio. " + ALGORITHM +
      " Not idempotent: each call makes another portfolio; after a timeout check list_portfolios before " +
      "retrying.",
    input: z.strictObject({
      name: C.name.describe("Display name, 1–100 characters"),
      universe: C.universe.describe("hs300, csi500 or csi1000; members must be factors of this universe"),
      weighting: C.weighting.describe(
        "equal (default): 1/N per member; ic_weighted: |IC IR| / Σ|IC IR| of the members' in-sample IC IR",
      ),
      top_n: C.top_n.describe(
        "Stocks selected each day, each weighing 1/top_n: 5–500 (default 50) and at most the per-signal " +
          "symbol limit (a larger value answers 422)",
      ),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, args) => createPortfolio(ctx.deps.portfolios, ctx.user().id, args),
  }),
  defineTool({
    name: "list_portfolios",
    title: "List my portfolios",
    description: "My multi-factor portfolios, newest first: `portfolios` (each with members, status, bound " +
      "strategy and last_run), `total`, and `max_portfolios` (how many one user may hold).",
    input: z.strictObject(pageArgs(50)),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, page) => listPortfoliosView(ctx.deps.portfolios, ctx.user().id, page),
  }),
  defineTool({
    name: "get_portfolio",
    title: "One portfolio",
    description: "One of my portfolios: members (name, status, IC mean, IC IR, weight), the bound mf-… " +
      "strategy, and `last_run` (what the signal job did on its latest date: submitted, failed with the " +
      "reason, missed, skipped).",
    input: z.strictObject({ portfolio_id: PortfolioId }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { portfolio_id }) => getPortfolioView(ctx.deps.portfolios, ctx.user().id, portfolio_id),
  }),
  defineTool({
    name: "delete_portfolio",
    title: "Delete a portfolio",
    description:
      "Deletes a draft or paused portfolio (an active one answers 400: pause it first). Its bound " +
      "strategy is retired for good (its public record stays); answers {deleted, id, retired_strategy}. " +
      "Destructive; a second call answers 404.",
    input: z.strictObject({ portfolio_id: PortfolioId }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: (ctx, { portfolio_id }) => deletePortfolio(ctx.deps.portfolios, ctx.user().id, portfolio_id),
  }),
  defineTool({
    name: "add_portfolio_member",
    title: "Add a factor to a portfolio",
    description:
      "Adds one of my factors to a draft or paused portfolio (not while active: pause it first). " +
      "The factor must be active (validated with submit_factor) and of the portfolio's universe; a factor " +
      "already in it answers 409. Answers the portfolio with every member's weight.",
    input: z.strictObject({ portfolio_id: PortfolioId, factor_id: FactorId }),
    access: "user",
    hints: LIFECYCLE_HINTS,
    run: (ctx, { portfolio_id, factor_id }) =>
      addPortfolioMember(ctx.deps.portfolios, ctx.user().id, portfolio_id, factor_id),
  }),
  defineTool({
    name: "remove_portfolio_member",
    title: "Remove a factor from a portfolio",
    description: "Removes a member factor from a draft or paused portfolio (not while active). Answers the " +
      "portfolio. Destructive (the member's place and weight are gone); a second call answers 404.",
    input: z.strictObject({
      portfolio_id: PortfolioId,
      factor_id: PortfolioMemberParam.shape.factor_id.describe(
        "The member factor's id, \"fac_…\" (see get_portfolio's members)",
      ),
    }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: (ctx, { portfolio_id, factor_id }) =>
      removePortfolioMember(ctx.deps.portfolios, ctx.user().id, portfolio_id, factor_id),
  }),
  defineTool({
    name: "activate_portfolio",
    title: "Activate a portfolio",
    description: "draft → active. Needs at least 2 members, each still an active factor of mine in the " +
      "portfolio's universe. Creates and binds the strategy mf-<name>-<6 chars of the id> (open execution, " +
      "holding period 1, capital 1,000,000, commission 0.0003, slippage 0.002), which counts against my " +
      "tier's strategy limit (403 at the limit) and whose signals only the platform submits. On an SSE " +
      "trading day before 09:15 Asia/Shanghai today's signal is submitted at once. " + SCHEDULE +
      " A second call answers 400 (already active; a paused portfolio uses resume_portfolio).",
    input: z.strictObject({ portfolio_id: PortfolioId }),
    access: "user",
    hints: LIFECYCLE_HINTS,
    run: (ctx, { portfolio_id }) => activatePortfolio(ctx.deps.portfolios, ctx.user(), portfolio_id),
  }),
  defineTool({
    name: "pause_portfolio",
    title: "Pause a portfolio",
    description:
      "active → paused: the 09:00 Asia/Shanghai signal generation stops and the bound strategy is " +
      "paused too (a pending one stays pending). Members can then be changed. Undo with resume_portfolio. A " +
      "second call answers 400.",
    input: z.strictObject({ portfolio_id: PortfolioId }),
    access: "user",
    hints: LIFECYCLE_HINTS,
    run: (ctx, { portfolio_id }) => pausePortfolio(ctx.deps.portfolios, ctx.user().id, portfolio_id),
  }),
  defineTool({
    name: "resume_portfolio",
    title: "Resume a paused portfolio",
    description: "paused → active (the bound strategy too); like activation, on an SSE trading day before " +
      "09:15 Asia/Shanghai today's signal is submitted at once. " + SCHEDULE + " A second call answers 400.",
    input: z.strictObject({ portfolio_id: PortfolioId }),
    access: "user",
    hints: LIFECYCLE_HINTS,
    run: (ctx, { portfolio_id }) => resumePortfolio(ctx.deps.portfolios, ctx.user().id, portfolio_id),
  }),
  defineTool({
    name: "list_portfolio_signals",
    title: "A portfolio's signal history",
    description: "The signals the platform submitted for my portfolio's strategy, newest trade date first: " +
      "stock_count, signal_hash, the weights, is_settled (after 18:15 Asia/Shanghai), github_committed and " +
      "the attestation; `conventions` states how they were generated (factor date delay 1, z-scores, " +
      "weights, ranking). Empty before the first activation.",
    input: z.strictObject({ portfolio_id: PortfolioId, ...pageArgs(30) }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { portfolio_id, limit, offset }) =>
      listPortfolioSignalsView(ctx.deps.portfolios, ctx.user().id, portfolio_id, limit, offset),
  }),
];

/** Request and response schemas of multi-factor portfolios (`/api/v1/portfolios*`). */
import { z } from "@hono/zod-openapi";
import { PageQuery, safeText } from "./common.ts";

const Universe = z.enum(["hs300", "csi500", "csi1000"]);
const Weighting = z.enum(["equal", "ic_weighted"]);
const PortfolioStatus = z.enum(["draft", "active", "paused"]);

/** `POST /portfolios`. */
export const CreatePortfolioBody = z.strictObject({
  name: safeText({ min: 1, max: 100 }).openapi({ example: "momentum_value" }),
  universe: Universe.openapi({ example: "hs300" }),
  weighting: Weighting.default("equal").openapi({
    description: "equal: 1/N per member; ic_weighted: |IC IR| / Σ|IC IR| of the members' in-sample IC IR",
  }),
  top_n: z.number().int().min(5).max(500).default(50).openapi({
    description:
      "Stocks selected each day, each weighing 1/top_n (5–500; at most the per-signal symbol limit)",
  }),
}).openapi("CreatePortfolio");

/** `POST /portfolios/{portfolio_id}/members`. */
export const AddMemberBody = z.strictObject({
  factor_id: safeText({ min: 1, max: 64, trim: false }).openapi({ example: "fac_01jd0m6qvh3x8k2c9n4p" }),
}).openapi("AddPortfolioMember");

/** `{portfolio_id}` in the path. */
export const PortfolioIdParam = z.object({
  portfolio_id: z.string().min(1).max(64).openapi({
    param: { name: "portfolio_id", in: "path" },
    example: "pf_01jd0m6qvh3x8k2c9n4p",
  }),
});

/** `{portfolio_id}` and `{factor_id}` in the path. */
export const PortfolioMemberParam = PortfolioIdParam.extend({
  factor_id: z.string().min(1).max(64).openapi({
    param: { name: "factor_id", in: "path" },
    example: "fac_01jd0m6qvh3x8k2c9n4p",
  }),
});

/** `GET /portfolios?limit=&offset=`. */
export const PortfolioListQuery = PageQuery;

/** `GET /portfolios/{id}/signals?limit=30&offset=0`. */
export const PortfolioSignalsQuery = PageQuery.extend({ limit: PageQuery.shape.limit.default(30) });

const MemberSchema = z.object({
  factor_id: z.string(),
  name: z.string().openapi({ description: 'The factor\'s name ("" when it no longer exists)' }),
  status: z.enum(["draft", "ready", "validating", "active", "rejected", "deleted"]),
  ic_mean: z.number().nullable(),
  ic_ir: z.number().nullable(),
  weight: z.number().nullable().openapi({
    description:
      "The member's weight under the portfolio's weighting (equal 1/N; ic_weighted |IC IR| / Σ|IC IR|)",
  }),
  added_at: z.string(),
});

const RunSchema = z.object({
  trade_date: z.string(),
  status: z.enum(["submitted", "failed", "missed", "skipped"]),
  attempts: z.number().int(),
  values_date: z.string().nullable().openapi({
    description: "The factor date whose values were used (the oldest when members used different dates)",
  }),
  member_dates: z.array(z.object({ factor_id: z.string(), values_date: z.string() })),
  stock_count: z.number().int().nullable(),
  signal_hash: z.string().nullable(),
  error: z.string().nullable(),
  notes: z.array(z.string()),
  updated_at: z.string(),
}).openapi("PortfolioRun");

/** A portfolio (list items and detail alike). */
export const PortfolioSchema = z.object({
  id: z.string(),
  name: z.string(),
  universe: Universe,
  weighting: Weighting,
  top_n: z.number().int(),
  status: PortfolioStatus,
  members: z.array(MemberSchema),
  strategy_slug: z.string().nullable(),
  strategy: z.object({
    slug: z.string(),
    status: z.enum(["pending", "active", "paused", "retired"]),
    execution_price: z.enum(["open", "close"]),
    start_date: z.string().nullable(),
  }).nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  activated_at: z.string().nullable().openapi({
    description: "When it last became active (activate or resume)",
  }),
  paused_at: z.string().nullable(),
  last_run: RunSchema.nullable().openapi({
    description: "What the signal job did on the latest date it ran for",
  }),
}).openapi("Portfolio");

/** `GET /portfolios`. */
export const PortfolioListSchema = z.object({
  portfolios: z.array(PortfolioSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  max_portfolios: z.number().int().openapi({
    description: "How many portfolios one user may hold (any status)",
  }),
}).openapi("PortfolioList");

/** `DELETE /portfolios/{id}`. */
export const PortfolioDeletedSchema = z.object({
  deleted: z.boolean(),
  id: z.string(),
  retired_strategy: z.string().nullable().openapi({
    description: "The bound strategy retired by the deletion (its public record stays), or null",
  }),
}).openapi("PortfolioDeleted");

/** `GET /portfolios/{id}/signals`. */
export const PortfolioSignalsPageSchema = z.object({
  signals: z.array(z.object({
    trade_date: z.string(),
    stock_count: z.number().int(),
    signal_hash: z.string(),
    submitted_at: z.string(),
    is_settled: z.boolean(),
    github_committed: z.boolean(),
    attestation: z.object({
      committed: z.boolean(),
      reason: z.string().optional(),
      sha: z.string().optional(),
      url: z.string().optional(),
    }),
    signals: z.array(z.object({ symbol: z.string(), weight: z.number() })),
  })),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  conventions: z.record(z.string(), z.string()).openapi({
    description: "How the signals were generated: factor date (delay 1), z-scores, weights, ranking",
  }),
}).openapi("PortfolioSignalsPage");

/**
 * The Quant Copilot document's paths, at the root (no `/api/v1`), as its clients call them: OTP sign-in,
 * `/strategy/*` (the caller's library strategies with integer ids), `/backtest`, `/plot`, `/export/*`,
 * `/leaderboard/*`, and `GET /docs/strategy-text` (the strategy-text reference its refusals link). Each route
 * calls the operation its `/api/v1` twin calls, through `domain/copilot/copilot_views.ts`. Error answers carry
 * the document's `error` beside `detail` (`middleware/copilot_errors.ts`); validation failures stay 422.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { requestOtp } from "../domain/auth/identity.ts";
import {
  copilotBacktest,
  copilotCodeFile,
  copilotCsvFile,
  copilotDelete,
  type CopilotDeps,
  copilotList,
  copilotPlot,
  copilotSave,
  copilotSignIn,
  copilotStrategy,
  copilotSubmit,
  copilotTop,
} from "../domain/copilot/copilot_views.ts";
import { DATASETS, SCORE_FORMULA } from "../domain/leaderboard/leaderboard.ts";
import { STRATEGY_TEXT_FORMAT } from "../domain/strategy/strategy_text_format.ts";
import { type AppEnv, newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAuth } from "./middleware/auth.ts";
import { RequestOtpBody, TokenPairSchema, VerifyOtpBody } from "./schemas/auth.ts";
import { PlotlyFigureSchema } from "./schemas/backtest.ts";
import { bearerSecurity, errors, jsonBody, jsonResponse, safeText } from "./schemas/common.ts";
import { TickerSymbol } from "./schemas/strategy_source.ts";

/** Where the strategy-text reference is served (linked from refusals of code that defines no strategy). */
export const STRATEGY_TEXT_FORMAT_PATH = "/docs/strategy-text";

const tags = ["quant copilot"];

/** The document's error body: `error` (one string) beside the house's `detail`. */
const CopilotError = z.object({
  detail: z.string(),
  error: z.string().openapi({ description: "The error as one string (the Quant Copilot document's shape)" }),
  correlation_id: z.string().optional().openapi({ description: "On 500 only: quote it when reporting" }),
}).openapi("CopilotError", { example: { detail: "Not authenticated", error: "Not authenticated" } });

/** A 422 with the house's issue list and the document's `error` (the issues as `loc: msg`, joined by `; `). */
const CopilotValidationError = z.object({
  detail: errors[422].content["application/json"].schema.shape.detail,
  error: z.string(),
}).openapi("CopilotValidationError");

const DESCRIPTIONS: Record<number, string> = {
  400: "The request breaks a business rule",
  401: "Missing, invalid or expired credentials",
  403: "Not allowed (or the account is disabled)",
  404: "Not found (or not yours)",
  413: "Too large (a synchronous run over the limit: queue it with POST /api/v1/backtests)",
  415: "The body was not sent as application/json",
  429: "Rate limit exceeded; see the Retry-After header",
  500: "Unexpected error",
  503: "A service (the mail server) is unavailable; try again later",
};

/** The error responses of a copilot route: the given statuses, plus 413, 422 and 500 on every route. */
function copilotErrors(...statuses: (keyof typeof DESCRIPTIONS)[]) {
  const out: Record<number, ReturnType<typeof jsonResponse>> = {
    422: jsonResponse(
      CopilotValidationError,
      "The body, query or path failed validation (`error` sums it up)",
    ),
  };
  for (const s of [...statuses, 413, 500]) out[s] = jsonResponse(CopilotError, DESCRIPTIONS[s]);
  return out;
}

const IntegerId = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).openapi({
  type: "integer",
  minimum: 1,
  example: 1,
});
const IdParam = z.object({ strategy_id: IntegerId.openapi({ param: { name: "strategy_id", in: "path" } }) });

const StrategyCode = safeText({ min: 1, max: 20_000, multiline: true, trim: false });
const CODE_DOC =
  `Quantedge strategy text (the format of generated_code; see ${STRATEGY_TEXT_FORMAT_PATH}) or backtrader ` +
  "Python of the supported subset (parsed, never run; described in the same reference). Code outside the " +
  "subset is a 422 naming the construct and the line; code with no bt.Strategy class is a 422 of type " +
  "no_strategy.";

const CopilotStrategy = z.object({
  id: z.number().int().openapi({ description: "The strategy's integer id (stable, never reused)" }),
  name: z.string(),
  prompt: z.string().openapi({ description: "The prompt it was saved with (empty when none)" }),
  code: z.string().openapi({ description: "Strategy text of the latest version" }),
  created_at: z.string(),
  library_id: z.string().openapi({ description: "Its id under /api/v1/library" }),
  version: z.number().int().openapi({ description: "The latest version (the one `code` is)" }),
}).openapi("CopilotStrategy");

const RunBody = z.strictObject({
  strategy_code: StrategyCode.openapi({ description: CODE_DOC }),
  ticker: TickerSymbol.openapi({
    example: "RELIANCE.NS",
    description:
      "The symbol to run on: it is the universe (the code needs no `universe:` line or data feed; " +
      "one it has is replaced)",
  }),
});

const DATASET_NAMES = DATASETS.map((d) => d.name) as [string, ...string[]];
const SCORE_DOC = SCORE_FORMULA;

const TopEntry = z.object({
  id: z.number().int(),
  user_id: z.number().int(),
  username: z.string().openapi({
    description: 'The author\'s nickname ("anonymous" when none), never an email',
  }),
  strategy_id: z.number().int(),
  strategy_name: z.string(),
  version: z.number().int(),
  dataset: z.string(),
  run_at: z.string(),
  return_pct: z.number().nullable(),
  sharpe: z.number().nullable(),
  max_drawdown: z.number().nullable().openapi({ description: "Percent, ≤ 0" }),
  score: z.number().openapi({ description: SCORE_DOC }),
}).openapi("CopilotLeaderboardEntry");

/** Builds the copilot router. */
export function copilotRoutes(auth: AuthDeps, deps: CopilotDeps) {
  const app = newRouter();
  const user = requireAuth(auth);
  const me = (c: Context<AppEnv>) => c.get("principal").user.id;

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/request-otp",
      tags,
      summary:
        "Email a 6-digit sign-in code (valid 10 minutes); same answer whether or not the account exists",
      request: { body: jsonBody(RequestOtpBody) },
      responses: {
        200: jsonResponse(z.object({ message: z.string() }).openapi("CopilotOtpSent"), "Code sent", {
          message: "OTP sent to your email.",
        }),
        ...copilotErrors(415, 429, 503),
      },
    }),
    async (c) => {
      const email = c.req.valid("json").email;
      return c.json(await fromInput("body", () => requestOtp(auth, email, c.get("clientIp"))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/verify-otp",
      tags,
      summary: "Exchange an emailed code for a 15-day access token; creates the account on first success",
      description:
        "The access token lives 15 days (expires_in 1296000), as the document says; it is bound to " +
        "a session, so POST /api/v1/auth/logout, a password change or a disabled account ends it at once. " +
        "The refresh token (7 days by default) can be used with POST /api/v1/auth/refresh.",
      request: { body: jsonBody(VerifyOtpBody) },
      responses: { 200: jsonResponse(TokenPairSchema, "Signed in"), ...copilotErrors(401, 403, 415, 429) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(
        await fromInput("body", () => copilotSignIn(auth, body.email, body.otp_code, c.get("clientIp"))),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/strategy/save",
      tags,
      summary: "Save strategy text as a new strategy of mine (a library strategy); answers its integer id",
      security: bearerSecurity,
      middleware: [user],
      request: {
        body: jsonBody(
          z.strictObject({
            name: safeText({ min: 1, max: 200 }).openapi({ example: "My Strategy" }),
            prompt: safeText({ max: 10_000, multiline: true, trim: false }).nullable().optional(),
            code: StrategyCode.openapi({
              description: `${CODE_DOC} Saving needs a full strategy, including its \`universe:\` line.`,
            }),
          }).openapi("CopilotSaveStrategy"),
        ),
      },
      responses: {
        200: jsonResponse(
          z.object({
            message: z.string(),
            strategy_id: z.number().int(),
            library_id: z.string(),
            version: z.number().int(),
          }).openapi("CopilotSaved"),
          "Saved",
        ),
        ...copilotErrors(401, 403, 415),
      },
    }),
    async (c) => c.json(await fromInput("body", () => copilotSave(deps, me(c), c.req.valid("json"))), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/strategy/list",
      tags,
      summary: "My strategies, newest first, as a bare array (with ?strategy_id= only that one, or none)",
      security: bearerSecurity,
      middleware: [user],
      request: {
        query: z.object({
          strategy_id: IntegerId.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(200).openapi({
            type: "integer",
            example: 200,
          }),
          offset: z.coerce.number().int().min(0).default(0).openapi({
            type: "integer",
            minimum: 0,
            default: 0,
          }),
        }),
      },
      responses: {
        200: jsonResponse(z.array(CopilotStrategy), "My strategies"),
        ...copilotErrors(401, 403),
      },
    }),
    async (c) => c.json(await fromInput("query", () => copilotList(deps, me(c), c.req.valid("query"))), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/strategy/{strategy_id}",
      tags,
      summary: "One of my strategies",
      security: bearerSecurity,
      middleware: [user],
      request: { params: IdParam },
      responses: { 200: jsonResponse(CopilotStrategy, "Strategy"), ...copilotErrors(401, 403, 404) },
    }),
    async (c) => c.json(await copilotStrategy(deps, me(c), c.req.valid("param").strategy_id), 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/strategy/{strategy_id}",
      tags,
      summary: "Delete one of my strategies (its integer id is never reused)",
      security: bearerSecurity,
      middleware: [user],
      request: { params: IdParam },
      responses: {
        200: jsonResponse(z.object({ status: z.literal("deleted") }).openapi("CopilotDeleted"), "Deleted"),
        ...copilotErrors(401, 403, 404),
      },
    }),
    async (c) => c.json(await copilotDelete(deps, me(c), c.req.valid("param").strategy_id), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/backtest",
      tags,
      summary: "Run strategy text on one ticker → start value, end value, P&L (as POST /api/v1/backtest)",
      security: bearerSecurity,
      middleware: [user],
      request: { body: jsonBody(RunBody.openapi("CopilotBacktest")) },
      responses: {
        200: jsonResponse(
          z.object({ start_value: z.number(), end_value: z.number(), pnl: z.number() }).openapi(
            "CopilotBacktestResult",
          ),
          "Result",
        ),
        ...copilotErrors(400, 401, 403, 404, 415, 429),
      },
    }),
    async (c) =>
      c.json(await fromInput("body", () => copilotBacktest(deps, me(c), c.req.valid("json"))), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/plot",
      tags,
      summary: "Plotly figure of strategy text run on one ticker (as POST /api/v1/plot)",
      security: bearerSecurity,
      middleware: [user],
      request: { body: jsonBody(RunBody.openapi("CopilotPlot")) },
      responses: {
        200: jsonResponse(PlotlyFigureSchema, "Figure"),
        ...copilotErrors(400, 401, 403, 404, 415, 429),
      },
    }),
    async (c) => c.json(await fromInput("body", () => copilotPlot(deps, me(c), c.req.valid("json"))), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/export/code/{strategy_id}",
      tags,
      summary: "Download my strategy as backtrader Python (strategy-<id>.py)",
      description:
        "The latest version of the strategy as a self-contained backtrader 1.9 script: run on one <SYMBOL>.csv " +
        "per ticker (date,open,high,low,close,volume) it gives the same trades and final value as Quantedge's " +
        "engine for next-open fills, percent fees, fixed/percent/risk-adjusted sizing, stops, targets, trailing " +
        "stops, max holding days and max positions. Its header comment states the conventions; spec features " +
        "with no backtrader equivalent are carried as `# quantedge: <key>: <value>` comment lines.",
      security: bearerSecurity,
      middleware: [user],
      request: { params: IdParam },
      responses: {
        200: { description: "backtrader Python", content: { "text/x-python": { schema: z.string() } } },
        ...copilotErrors(401, 403, 404),
      },
    }),
    async (c) => {
      const file = await copilotCodeFile(deps, me(c), c.req.valid("param").strategy_id);
      return c.body(file.text, 200, {
        "Content-Type": "text/x-python; charset=utf-8",
        "Content-Disposition": `attachment; filename="${file.filename}"`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/export/csv/{strategy_id}",
      tags,
      summary: "Download the trades and daily equity of my strategy's backtest as CSV",
      description:
        "The latest completed backtest job of the strategy (as GET /api/v1/library/{id}/export.csv); " +
        "with none, a synchronous run of its latest version (same limits and rate as POST /api/v1/backtests/run).",
      security: bearerSecurity,
      middleware: [user],
      request: { params: IdParam },
      responses: {
        200: { description: "CSV", content: { "text/csv": { schema: z.string() } } },
        ...copilotErrors(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const file = await copilotCsvFile(deps, me(c), c.req.valid("param").strategy_id);
      return c.body(file.text, 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${file.filename}"`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/leaderboard/submit",
      tags,
      summary: "Rank one of my strategies: the server runs it on the dataset's fixed symbols and dates",
      description: `Datasets: ${
        DATASETS.map((d) => `${d.name} (${d.description})`).join("; ")
      }. ${SCORE_DOC}. ` +
        "The saved strategy is what runs: strategy_name, when sent, must be its name, and code, when sent, " +
        "must be its rules (else 422); ticker does not change the run (the dataset fixes the symbols; notes " +
        "says so).",
      security: bearerSecurity,
      middleware: [user],
      request: {
        body: jsonBody(
          z.strictObject({
            strategy_id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
            strategy_name: safeText({ min: 1, max: 200 }).optional(),
            code: StrategyCode.optional().openapi({ description: CODE_DOC }),
            version: z.number().int().min(1).optional(),
            dataset: z.enum(DATASET_NAMES).default("default"),
            ticker: TickerSymbol.optional(),
          }).openapi("CopilotLeaderboardSubmit"),
        ),
      },
      responses: {
        200: jsonResponse(
          z.object({
            entry_id: z.number().int(),
            metrics: z.object({
              "Sharpe Ratio": z.number().nullable(),
              "Max Drawdown": z.number().nullable().openapi({ description: "Percent, ≤ 0" }),
              "Total Return": z.number().nullable().openapi({ description: "Percent" }),
            }),
            score: z.number().openapi({ description: SCORE_DOC }),
            strategy_id: z.number().int(),
            dataset: z.string(),
            notes: z.string(),
          }).openapi("CopilotLeaderboardSubmitted"),
          "Ranked",
        ),
        ...copilotErrors(400, 401, 403, 404, 415, 429),
      },
    }),
    async (c) => c.json(await fromInput("body", () => copilotSubmit(deps, me(c), c.req.valid("json"))), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/leaderboard/top",
      tags,
      summary: "Top entries of a period (by run time): daily (default), weekly or alltime",
      request: {
        query: z.object({
          period: z.enum(["daily", "weekly", "alltime"]).default("daily"),
          dataset: z.enum(DATASET_NAMES).optional(),
          limit: z.coerce.number().int().min(1).max(50).default(50).openapi({ type: "integer", example: 50 }),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({ period: z.string(), dataset: z.string().nullable(), top: z.array(TopEntry) }).openapi(
            "CopilotLeaderboard",
          ),
          "Ranking",
        ),
        ...copilotErrors(404),
      },
    }),
    async (c) => c.json(await fromInput("query", () => copilotTop(deps, c.req.valid("query"))), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: STRATEGY_TEXT_FORMAT_PATH,
      tags,
      summary: "The strategy-text reference (Markdown): every line kind and key, with an example",
      responses: { 200: { description: "Markdown", content: { "text/markdown": { schema: z.string() } } } },
    }),
    (c) => c.body(STRATEGY_TEXT_FORMAT, 200, { "Content-Type": "text/markdown; charset=utf-8" }),
  );

  return app;
}

/** `createApp(deps)`: middleware order, routers, error mapping and `/openapi.json`. */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import type { GithubDeps } from "../domain/auth/github_oauth.ts";
import type { LogFn } from "../domain/log.ts";
import type { Config } from "../domain/config.ts";
import type { HealthDeps } from "../domain/health.ts";
import type { SupportDeps } from "../domain/support/tickets.ts";
import { adminRoutes } from "./admin_routes.ts";
import { adminSupportRoutes } from "./admin_support_routes.ts";
import { backtestRoutes } from "./backtest_routes.ts";
import { backtestJobRoutes } from "./backtest_job_routes.ts";
import { backtesterV2Routes } from "./backtester_v2_routes.ts";
import { streamRoutes } from "./stream_routes.ts";
import { dashboardRoutes } from "./dashboard_routes.ts";
import type { DashboardDeps } from "../domain/backtest/dashboard_views.ts";
import { libraryRoutes } from "./library_routes.ts";
import { leaderboardRoutes } from "./leaderboard_routes.ts";
import type { LeaderboardDeps } from "../domain/leaderboard/leaderboard.ts";
import type { LibraryDeps } from "../domain/strategy/library.ts";
import type { CatalogDeps } from "../domain/strategy/catalog.ts";
import type { BacktestJobDeps } from "../domain/backtest/queued_runs.ts";
import { calendarAdminRoutes, calendarRoutes } from "./calendar_routes.ts";
import type { OfficialListDeps } from "../domain/calendar/official_lists.ts";
import { dataImportRoutes } from "./data_import_routes.ts";
import { marketRoutes } from "./market_routes.ts";
import type { MarketDeps } from "../domain/market/market_service.ts";
import type { CsvImportDeps } from "../domain/market/csv/import_bars.ts";
import type { AppEnv } from "./app_env.ts";
import { validationHook } from "./errors.ts";
import { ErrorSchema, jsonResponse } from "./schemas/common.ts";
import { authRoutes } from "./auth_routes.ts";
import { billingRoutes } from "./billing_routes.ts";
import { docsRoutes } from "./docs_routes.ts";
import { errorResponse } from "./errors.ts";
import { compressJson } from "./compression.ts";
import { MemoRouter } from "./memo_router.ts";
import { corsHeaders } from "./middleware/cors_headers.ts";
import { adminHealthRoutes, apiHealthRoutes, healthRoutes } from "./health_routes.ts";
import { oauthRoutes } from "./oauth_routes.ts";
import { errorBoundary } from "./middleware/error_boundary.ts";
import { requestContext } from "./middleware/request_context.ts";
import {
  type JsonBodyRoute,
  jsonBodyRoutes,
  requestDeadline,
  requireJsonContentType,
  urlLengthLimit,
} from "./middleware/request_guards.ts";
import { securityHeaders } from "./middleware/security_headers.ts";
import { supportRoutes } from "./support_routes.ts";
import { copilotRoutes } from "./copilot_routes.ts";
import { COPILOT_PATHS, copilotErrorShape } from "./middleware/copilot_errors.ts";
import type { CopilotDeps } from "../domain/copilot/copilot_views.ts";
import type { AssistantDeps } from "../domain/assistant/assistant_deps.ts";
import { assistantRoutes } from "./assistant_routes.ts";
import type { TrackRecordServices } from "../domain/track_record/services.ts";
import type { DailyJobRepo } from "../domain/store/daily_job_repo.ts";
import type { TopicHub } from "../domain/stream/hub.ts";
import { trackedStrategyRoutes } from "./tracked_strategy_routes.ts";
import { modelRegistryRoutes } from "./model_registry_routes.ts";
import { publicRecordRoutes } from "./public_record_routes.ts";
import { adminJobRoutes } from "./admin_job_routes.ts";
import type { SyncRunDeps } from "../domain/backtest/sync_runs.ts";
import type { IndicatorPreviewDeps } from "../domain/backtest/indicator_preview.ts";
import type { CatalogCompareDeps, CompareDeps } from "../domain/backtest/strategy_compare.ts";
import type { JobSubmissionDeps } from "../domain/backtest/job_submission.ts";
import type { AssistDeps } from "../domain/assistant/assist.ts";
import { assistantUsageRoutes } from "./assistant_usage_routes.ts";
import { factorRoutes } from "./factor_routes.ts";
import type { FactorServices } from "../domain/factors/services.ts";
import type { PortfolioServices } from "../domain/portfolios/services.ts";
import { portfolioRoutes } from "./portfolio_routes.ts";
import type { LicenseServices } from "../domain/licenses/services.ts";
import { deployKitRoutes, licenseExpiryJob, licenseRoutes } from "./license_routes.ts";
import type { PaperServices } from "../domain/paper/paper_services.ts";
import { paperAdvanceJob, paperRoutes } from "./paper_routes.ts";
import { MCP_PATH, mcpRoutes } from "./mcp_routes.ts";
import { pageRoutes } from "./pages/page_routes.ts";
import { strategyTextCheckRoutes } from "./strategy_text_check_routes.ts";
import type { PublicReadDeps } from "./public_cache.ts";

/** The CSV import route, exempt from the global body limit. */
const IMPORT_PATH = "/api/v1/data/import";
/** The factor values upload, with its own body limit (`factorUploadMaxBytes`). */
const FACTOR_VALUES_PATH = /^\/api\/v1\/factors\/[^/]+\/values$/;

/** Everything the HTTP layer needs, built by `main.ts` or a test. */
export interface AppDeps {
  config: Pick<
    Config,
    | "corsOrigins"
    | "maxBodyBytes"
    | "maxUrlBytes"
    | "requestTimeoutMs"
    | "importTimeoutMs"
    | "ws"
    | "env"
    | "maxImportBytes"
    | "importRate"
    | "factorUploadMaxBytes"
    | "trustProxy"
    | "logRequests"
    | "version"
    | "mcpRate"
  >;
  auth: AuthDeps;
  /** Official exchange closure lists installed by admins. */
  calendars: OfficialListDeps;
  /** GitHub sign-in; absent when not configured (its routes then answer 404). */
  github?: GithubDeps;
  health: HealthDeps;
  /** Support tickets and notifications. */
  support: SupportDeps;
  /** Market data: synthetic market, bar store, CSV imports. */
  market: MarketDeps;
  /** CSV imports of users' own bars (upload, list, delete, publish). */
  imports: CsvImportDeps;
  /** Queued backtests. */
  backtests: BacktestJobDeps;
  /** The strategy library. */
  library: LibraryDeps;
  /** The public catalog: promoted, published strategies with their authors' nicknames. */
  catalog: CatalogDeps;
  /** Leaderboard entries and rankings. */
  leaderboard: LeaderboardDeps;
  /** Synchronous runs: full report, one ticker, plot (under the process-wide run gate and the caller's rate). */
  sync: SyncRunDeps;
  /** Indicator previews on one symbol's bars. */
  indicators: IndicatorPreviewDeps;
  /** Two versions of a library strategy run side by side. */
  compare: CompareDeps;
  /** Every catalog strategy of one name run side by side (cached, rate-limited per address). */
  catalogCompare: CatalogCompareDeps;
  /** Queueing a backtest (job expression budget, active-job cap, submission rates). */
  jobSubmission: JobSubmissionDeps;
  /** The Quant Copilot document's root paths (integer ids over the library, runs and leaderboard). */
  copilot: CopilotDeps;
  /** The assistant's five routes: generate, blueprint translation, explanations, the chat agent and its sessions. */
  strategyAssistant: AssistantDeps;
  /** Tracked strategies, signals, settlement, attestation and public records. */
  track: TrackRecordServices;
  /** Watchdog alerts, evaluations and daily-job runs. */
  dailyJobs: DailyJobRepo;
  /** The trading dashboard's views of executed backtests (jobs and recorded synchronous runs). */
  dashboard: DashboardDeps;
  /** The strategy assistant: provider, offline fallback, draft checks' market, turn rate and usage. */
  assistant: AssistDeps;
  /** In-process topic hub behind `WS /ws` (fed by the KV stream bridge). */
  hub: TopicHub;
  /** Public answers: scope versions in KV and the in-process response cache (see `public_cache.ts`). */
  publicReads: PublicReadDeps;
  /** The alpha factor library: factors, values, validation. */
  factors: FactorServices;
  /** Multi-factor portfolios: their repository, the factor area and the track record they publish through. */
  portfolios: PortfolioServices;
  /** QuantOS licences: requests, admin decisions, signed files, the image download, the expiry job. */
  licenses: LicenseServices;
  /** Paper-trading instances of library strategies. */
  paper: PaperServices;
  log: LogFn;
}

/** Builds the whole HTTP application. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook, router: new MemoRouter() });
  const { config, log } = deps;

  app.use("*", requestContext({ trustProxy: config.trustProxy, logRequests: config.logRequests, log }));
  for (const path of COPILOT_PATHS) app.use(path, copilotErrorShape());
  app.use("*", securityHeaders({ production: config.env === "production" }));
  app.use("*", compressJson());
  if (config.corsOrigins.length > 0) {
    app.use(
      "*",
      corsHeaders({
        origins: config.corsOrigins,
        // The MCP client sends its protocol version on every request after the first.
        allowHeaders: ["Authorization", "Content-Type", "X-Correlation-ID", "Mcp-Protocol-Version"],
        allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        exposeHeaders: ["X-Correlation-ID", "Retry-After", "Content-Disposition", "Server-Timing"],
        maxAge: 600,
      }),
    );
  }
  // Inside the header middleware: a thrown non-Error becomes an answer they still dress (CORS, security headers).
  app.use("*", errorBoundary());
  app.use("*", urlLengthLimit(config.maxUrlBytes));
  // WebSocket upgrades answer at once and then live under their own limits (see stream_routes.ts).
  app.use(
    "*",
    requestDeadline((path) =>
      path === "/ws" || path.startsWith("/ws/") || path === MCP_PATH
        ? null
        : path === IMPORT_PATH
        ? config.importTimeoutMs
        : config.requestTimeoutMs
    ),
  );
  // Filled in below once every router is mounted: the routes whose OpenAPI declares a JSON body.
  let jsonRoutes: JsonBodyRoute[] = [];
  app.use("*", requireJsonContentType(() => jsonRoutes));
  const globalBodyLimit = bodyLimit({
    maxSize: config.maxBodyBytes,
    onError: (c) =>
      c.json({
        detail: `Request body too large (limit ${config.maxBodyBytes} bytes)` +
          (c.req.path === MCP_PATH
            ? ": send less in one MCP call (e.g. smaller upload_factor_values batches)"
            : ""),
      }, 413),
  });
  // CSV imports carry their own, larger limit (MAX_IMPORT_BYTES) on their route.
  // CSV imports carry their own, larger limit (MAX_IMPORT_BYTES) on their route; factor value uploads theirs here.
  const factorBodyLimit = bodyLimit({
    maxSize: config.factorUploadMaxBytes,
    onError: (c) =>
      c.json({ detail: `Request body too large (limit ${config.factorUploadMaxBytes} bytes)` }, 413),
  });
  app.use(
    "*",
    (c, next) =>
      c.req.path === IMPORT_PATH
        ? next()
        : c.req.method === "POST" && FACTOR_VALUES_PATH.test(c.req.path)
        ? factorBodyLimit(c, next)
        : globalBodyLimit(c, next),
  );

  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  api.route("/", apiHealthRoutes(deps.health));
  api.route("/", adminHealthRoutes(deps.auth, deps.health));
  api.route("/", authRoutes(deps.auth));
  api.route("/", oauthRoutes(deps.auth, deps.github));
  api.route("/", billingRoutes(deps.auth));
  api.route("/", adminRoutes(deps.auth));
  api.route("/", supportRoutes(deps.auth, deps.support));
  api.route("/", calendarRoutes(deps.auth.clock, deps.calendars.lists, deps.publicReads));
  api.route("/", calendarAdminRoutes(deps.auth, deps.calendars));
  api.route("/", marketRoutes(deps.auth, deps.market, deps.calendars.lists, deps.publicReads));
  api.route("/", dataImportRoutes(deps.auth, deps.imports, config.maxImportBytes, config.importRate));
  api.route("/", backtestJobRoutes(deps.auth, deps.backtests, deps.jobSubmission));
  api.route(
    "/",
    libraryRoutes(deps.auth, deps.library, deps.catalog, {
      jobs: deps.backtests,
      compare: deps.compare,
      catalogCompare: deps.catalogCompare,
    }),
  );
  api.route("/", leaderboardRoutes(deps.auth, deps.leaderboard));
  api.route("/", backtestRoutes(deps.auth, deps.sync, deps.indicators));
  api.route("/", assistantRoutes(deps.auth, deps.strategyAssistant));
  api.route("/", adminSupportRoutes(deps.auth, deps.support));
  api.route("/", trackedStrategyRoutes(deps.auth, deps.track));
  api.route("/", modelRegistryRoutes(deps.auth, deps.library));
  api.route("/", publicRecordRoutes(deps.track, deps.publicReads));
  api.route(
    "/",
    adminJobRoutes(deps.auth, deps.track, deps.dailyJobs, [
      paperAdvanceJob(deps.paper),
      licenseExpiryJob(deps.licenses),
    ]),
  );
  api.route("/", assistantUsageRoutes(deps.auth, deps.assistant));
  api.route("/", factorRoutes(deps.auth, deps.factors));
  api.route("/", portfolioRoutes(deps.auth, deps.portfolios));
  api.route("/", licenseRoutes(deps.auth, deps.licenses));
  api.route("/", paperRoutes(deps.auth, deps.paper));
  api.route("/", strategyTextCheckRoutes());

  app.route("/", healthRoutes(deps.health));
  app.route("/api/v1", api);
  app.route("/", copilotRoutes(deps.auth, deps.copilot));
  app.route("/", backtesterV2Routes(deps.auth, deps.sync, deps.market));
  app.route("/", assistantRoutes(deps.auth, deps.strategyAssistant));
  app.route("/", docsRoutes());
  app.route("/", dashboardRoutes(deps.auth, deps.dashboard));
  app.route("/", streamRoutes(deps.auth, deps.backtests, deps.hub, config.ws));
  app.route("/", deployKitRoutes(deps.licenses));
  app.route("/", mcpRoutes(deps, config.requestTimeoutMs));
  app.route("/", pageRoutes(deps));
  jsonRoutes = jsonBodyRoutes(app.openAPIRegistry.definitions, {
    documentAs: jsonResponse(ErrorSchema, "The body was not sent as application/json (or not at all)"),
  });

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An access token from a sign-in route, or an API key (`qe_…`)",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Quantedge API",
      version: config.version,
      description:
        "Quant strategy platform: identity, strategies, backtests, verified track records, factors.",
    },
    servers: [{ url: "/" }],
  });

  app.notFound((c) => c.json({ detail: "Not Found" }, 404));
  app.onError((err, c) => {
    const correlationId = c.get("correlationId") ?? crypto.randomUUID();
    const res = errorResponse(err, correlationId);
    if (res.unexpected) {
      log("error", "unhandled error", {
        correlation_id: correlationId,
        method: c.req.method,
        path: c.req.path,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
    }
    const response = c.json(res.body, res.status as 400);
    for (const [k, v] of Object.entries(res.headers)) response.headers.set(k, v);
    response.headers.set("X-Correlation-ID", correlationId);
    return response;
  });
  return app;
}

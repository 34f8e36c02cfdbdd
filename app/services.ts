/**
 * The house: builds every repository and one service bundle per area from a config, a KV handle, a clock, a
 * mailer and a view of the queue worker. `main.ts`, `worker.ts`, `scripts/` and the test helpers all start
 * from here, so every front end (HTTP routes, queue and crons, CLI) runs the same wiring; each takes the slice
 * it needs (`createApp` takes `AppDeps`, the queue worker takes `market` and `backtests`, and so on).
 */
import type { CsvImportDeps } from "../domain/market/csv/import_bars.ts";
import { createUserRepo, type UserRepo } from "../domain/store/user_repo.ts";
import { createIntegerAliasRepo, type IntegerAliasRepo } from "../domain/store/integer_alias_repo.ts";
import { createStreamRepo, type StreamRepo } from "../domain/store/stream_repo.ts";
import { createRunGate } from "../domain/backtest/run_gate.ts";
import { type Clock, monotonicMs } from "../domain/clock.ts";
import { type Config, ConfigError } from "../domain/config.ts";
import type { HealthDeps } from "../domain/health.ts";
import type { LogFn } from "../domain/log.ts";
import type { Mailer } from "../domain/mail/mailer.ts";
import { createHealthRepo } from "../domain/store/health_repo.ts";
import { createNotificationRepo } from "../domain/store/notification_repo.ts";
import { createTicketRepo } from "../domain/store/ticket_repo.ts";
import type { AppDeps } from "../routes/app.ts";
import { buildAuthServices, resolveJwtSecret } from "./auth_services.ts";
import { type BacktestJobDeps, createSemaphore } from "../domain/backtest/queued_runs.ts";
import { createBacktestJobRepo } from "../domain/store/backtest_job_repo.ts";
import { createLibraryRepo } from "../domain/store/library_repo.ts";
import { createLeaderboardRepo } from "../domain/store/leaderboard_repo.ts";
import { createRunCacheRepo, type RunCacheRepo } from "../domain/store/run_cache_repo.ts";
import type { LeaderboardDeps } from "../domain/leaderboard/leaderboard.ts";
import type { LibraryDeps } from "../domain/strategy/library.ts";
import { useSpecDateClock } from "../domain/strategy/spec.ts";
import { type CatalogDeps, nicknamesFrom } from "../domain/strategy/catalog.ts";
import { SYNC_RUN_HISTORY_PER_USER, type SyncRunDeps } from "../domain/backtest/sync_runs.ts";
import { createSyncRunRepo } from "../domain/store/sync_run_repo.ts";
import type { IndicatorPreviewDeps } from "../domain/backtest/indicator_preview.ts";
import type { CatalogCompareDeps, CompareDeps } from "../domain/backtest/strategy_compare.ts";
import { type JobSubmissionDeps, tierRunningCap } from "../domain/backtest/job_submission.ts";
import { buildMarketServices } from "./market_services.ts";
import { createBarRepo } from "../domain/store/bar_repo.ts";
import { createImportedSymbolRepo } from "../domain/store/imported_symbol_repo.ts";
import { marketHealth } from "../domain/market/market_health.ts";
import { barCacheFigures, storedMarketFigures } from "../domain/market/market_figures.ts";
import { createBarCache } from "../domain/market/bar_cache.ts";
import { buildGithubServices } from "./github_services.ts";
import type { TrackRecordServices } from "../domain/track_record/services.ts";
import { createTrackedStrategyRepo } from "../domain/store/tracked_strategy_repo.ts";
import { createSignalRepo } from "../domain/store/signal_repo.ts";
import { createSettlementRepo } from "../domain/store/settlement_repo.ts";
import { createAuditRepo } from "../domain/store/audit_repo.ts";
import { createCalendarListRepo } from "../domain/store/calendar_list_repo.ts";
import { ensureOfficialListsCurrent, loadOfficialLists } from "../domain/calendar/official_lists.ts";
import { createClaimedRepo } from "../domain/store/claimed_repo.ts";
import { createDailyJobRepo } from "../domain/store/daily_job_repo.ts";
import { createTransparencyLog } from "../domain/attestation/transparency_log.ts";
import { DEMO_SIGNING_KEY_SETTING } from "../domain/attestation/checkpoint.ts";
import { createTransparencyLogRepo } from "../domain/store/transparency_log_repo.ts";
import { createCosignatureRepo } from "../domain/store/cosignature_repo.ts";
import { createSettingsRepo } from "../domain/store/settings_repo.ts";
import { createGithubAttester, unconfiguredAttester } from "../domain/attestation/github_attester.ts";
import { createTopicHub } from "../domain/stream/hub.ts";
import { createPublicVersionsRepo } from "../domain/store/public_versions_repo.ts";
import { createPublicSummaryRepo } from "../domain/store/public_summary_repo.ts";
import { createMaterializedAnswerRepo } from "../domain/store/materialized_answer_repo.ts";
import type { PublicAnswerStores } from "../domain/public_reads/answer_layers.ts";
import { createPublicAnswerWarmer } from "../domain/public_reads/warm_public_answers.ts";
import { createResponseCache } from "../domain/public_reads/response_cache.ts";
import { trackRecordHealth } from "../domain/track_record/track_record_health.ts";
import { createBackgroundTasks } from "../domain/track_record/background_tasks.ts";
import { trackRecordLinks } from "../routes/public_links.ts";
import type { FactorServices } from "../domain/factors/services.ts";
import { createFactorRepo } from "../domain/store/factor_repo.ts";
import { STRATEGY_TEXT_FORMAT_PATH } from "../routes/copilot_routes.ts";
import type { AssistDeps } from "../domain/assistant/assist.ts";
import { rephrase } from "../domain/assistant/rephrase.ts";
import { createOfflineProvider } from "../domain/assistant/offline_provider.ts";
import { createGeminiProvider } from "../domain/assistant/providers/gemini_provider.ts";
import { assistantHealth } from "../domain/assistant/assistant_health.ts";
import { createAssistantUsageRepo } from "../domain/store/assistant_usage_repo.ts";

import type { AssistantDeps } from "../domain/assistant/assistant_deps.ts";
import { AGENT_SESSION_TTL_MS } from "../domain/assistant/agent_chat.ts";
import { createAgentSessionRepo } from "../domain/store/agent_session_repo.ts";
import { createPortfolioRepo } from "../domain/store/portfolio_repo.ts";
import type { LicenseServices } from "../domain/licenses/services.ts";
import { createLicenseRepo } from "../domain/store/license_repo.ts";
import { licenseSignerSource } from "../domain/licenses/signing_key.ts";
import { LICENSE_LINKS } from "../routes/license_routes.ts";
import { createPaperRepo } from "../domain/store/paper_repo.ts";
import type { PaperServices } from "../domain/paper/paper_services.ts";

/** Inputs of `buildServices`. */
export interface ServicesInput {
  config: Config;
  kv: Deno.Kv;
  clock: Clock;
  mailer: Mailer;
  log: LogFn;
  /** The queue worker as health sees it; `elsewhere` when it runs in another process (`RUN_WORKER=false`). */
  queue: { listening(): boolean; enqueueHeartbeat(): Promise<void>; elsewhere?: boolean };
}

/**
 * Everything the house holds: the HTTP slice (`AppDeps`) plus the handles the queue worker, crons and scripts
 * take (the KV handle itself only reaches the repositories the house builds, here and in `house.ts`).
 */
export interface Services extends AppDeps {
  config: Config;
  /** Stream markers and the trade feed, read by the stream bridge. */
  streams: StreamRepo;
  /** Cached summaries of catalog runs (what `catalogCompare` reads and fills). */
  runCache: RunCacheRepo;
  /** Integer aliases of string ids, for the document clients that hold integer ids. */
  integerAliases: IntegerAliasRepo;
  kv: Deno.Kv;
  clock: Clock;
  mailer: Mailer;
}

/**
 * The CSV import slice on its own (the `task import` CLI takes it): bar store, import records, clock, and the
 * user accounts an import is made for.
 */
export function buildCsvImportServices(kv: Deno.Kv, clock: Clock): CsvImportDeps & { users: UserRepo } {
  return { bars: createBarRepo(kv), imports: createImportedSymbolRepo(kv), clock, users: createUserRepo(kv) };
}

/** Wires repositories and services into one `Services` graph. */
export async function buildServices(input: ServicesInput): Promise<Services> {
  const { config, kv, clock, mailer, log } = input;
  useSpecDateClock(clock); // a spec without dates runs up to this clock's today
  const secret = await resolveJwtSecret(config, kv);
  const auth = buildAuthServices({ config, kv, clock, mailer, log, secret });
  const health: HealthDeps = {
    repo: createHealthRepo(kv),
    clock,
    mailer,
    version: config.version,
    queueListening: () => input.queue.listening(),
    enqueueHeartbeat: () => input.queue.enqueueHeartbeat(),
    workerElsewhere: input.queue.elsewhere === true,
    exposeDetail: config.env !== "production",
  };
  const support = { tickets: createTicketRepo(kv), notifications: createNotificationRepo(kv), clock };
  const barCache = createBarCache(config.marketCacheBytes);
  const market = buildMarketServices(kv, clock, {
    seed: config.marketSeed,
    cacheBytes: config.marketCacheBytes,
    yahoo: config.yahoo,
  }, barCache);
  health.extraChecks = { market_data: () => marketHealth(market) };
  health.databaseFigures = () => storedMarketFigures(market.data);
  health.cacheFigures = () => barCacheFigures(barCache);
  const integerAliases = createIntegerAliasRepo(kv);
  const backtests: BacktestJobDeps = {
    jobs: createBacktestJobRepo(kv),
    market: market.data,
    clock,
    maxJobSymbolBars: config.maxJobSymbolBars,
    semaphore: createSemaphore(config.backtestConcurrency),
    mode: config.jobQueue,
    maxRunMs: config.backtestJobMaxMs,
    maxAttempts: config.backtestJobMaxAttempts,
    runningCapOf: tierRunningCap(auth.users),
    aliases: integerAliases,
  };
  const library: LibraryDeps = { library: createLibraryRepo(kv), clock };
  // Authors are shown by nickname wherever a strategy is public: the catalog, the leaderboard, track records.
  const nicknameOf = nicknamesFrom(auth.users);
  const catalog: CatalogDeps = { library, nicknameOf };
  const syncRuns = createRunGate(config.syncBacktestConcurrency);
  // Synchronous runs of a user (a full report, one ticker, a plot, a compare, a leaderboard entry) share one rate.
  const backtestRate = { limiter: auth.limiter, rule: config.backtestRate };
  const leaderboard: LeaderboardDeps = {
    entries: createLeaderboardRepo(kv),
    library,
    market: market.data,
    clock,
    nicknameOf,
    maxExpressionCost: config.maxExpressionCost,
    gate: syncRuns,
    rate: backtestRate,
  };
  // The synchronous runs of the HTTP front end, under the process-wide run gate (completed ones are recorded).
  const syncRunHistory = createSyncRunRepo(kv);
  const sync: SyncRunDeps = {
    market: market.data,
    maxSymbolBars: config.maxSyncSymbolBars,
    maxExpressionCost: config.maxExpressionCost,
    gate: syncRuns,
    now: monotonicMs,
    rate: backtestRate,
    history: { runs: syncRunHistory, clock, keep: SYNC_RUN_HISTORY_PER_USER },
  };
  const indicators: IndicatorPreviewDeps = {
    market: market.data,
    targetDate: (symbol) => market.synthetic.targetDate(symbol),
    maxExpressionCost: config.maxExpressionCost,
  };
  const compare: CompareDeps = { library, runs: sync };
  const runCache = createRunCacheRepo(kv);
  const catalogCompare: CatalogCompareDeps = {
    ...compare,
    cache: runCache,
    clock,
    nicknameOf,
    perIp: { limiter: auth.limiter, rule: config.catalogCompareRate },
  };
  const jobSubmission: JobSubmissionDeps = {
    jobs: backtests,
    library,
    maxExpressionCost: config.maxJobExpressionCost,
    rate: backtestRate,
  };
  const imports = buildCsvImportServices(kv, clock);
  const tlog = createTransparencyLog(
    { log: createTransparencyLogRepo(kv), settings: createSettingsRepo(kv) },
    clock,
    { origin: config.tlogOrigin },
  );
  const demoTlog = createTransparencyLog(
    { log: createTransparencyLogRepo(kv, "demo"), settings: createSettingsRepo(kv) },
    clock,
    { origin: config.tlogDemoOrigin, signingKeySetting: DEMO_SIGNING_KEY_SETTING },
  );
  const track: TrackRecordServices = {
    strategies: createTrackedStrategyRepo(kv),
    signals: createSignalRepo(kv),
    settlements: createSettlementRepo(kv),
    audit: createAuditRepo(kv),
    claimed: createClaimedRepo(kv),
    summaries: createPublicSummaryRepo(kv),
    market: market.data,
    tlog,
    demoTlog,
    witnessing: {
      ...config.witnesses,
      store: createCosignatureRepo(kv, {
        origins: { production: tlog.origin, demo: demoTlog.origin },
        clock,
      }),
      fetch: globalThis.fetch,
      clock,
      log,
    },
    attester: config.attest
      ? createGithubAttester({
        token: config.attest.token,
        repo: config.attest.repo,
        branch: config.attest.branch,
        apiBaseUrl: config.attest.apiBaseUrl,
      })
      : unconfiguredAttester,
    notifications: { notifications: support.notifications, clock },
    background: createBackgroundTasks(log),
    links: trackRecordLinks,
    nicknameOf,
    signalRate: { limiter: auth.limiter, rule: config.signalRate },
    clock,
    log,
  };
  // Public answers: the in-process cache, then the answers materialised in KV, then the build; settlement's
  // follow-up step materialises what it changed.
  const publicReads: PublicAnswerStores = {
    versions: createPublicVersionsRepo(kv),
    cache: createResponseCache({ maxBytes: config.publicCacheMaxBytes }),
    version: config.buildId,
    materialized: createMaterializedAnswerRepo(kv),
  };
  const warmer = createPublicAnswerWarmer(publicReads, track, track.background);
  track.onSettled = (slugs) => warmer.settled(slugs);
  const copilot = {
    library,
    jobs: backtests,
    sync,
    leaderboard,
    aliases: integerAliases,
    strategyTextFormatUrl: STRATEGY_TEXT_FORMAT_PATH,
  };
  // The strategy assistant: Gemini when a key is configured, else the offline parser (always the fallback).
  const offline = createOfflineProvider();
  const assistant: AssistDeps = {
    provider: config.assistant.gemini ? createGeminiProvider(config.assistant.gemini) : offline,
    offline,
    clock,
    market: market.data,
    rate: { limiter: auth.limiter, rule: config.assistant.rate },
    usage: createAssistantUsageRepo(kv),
    timeoutMs: config.assistant.timeoutMs,
    log,
  };
  const dailyJobs = createDailyJobRepo(kv);
  const factors: FactorServices = {
    factors: createFactorRepo(kv, { clock }),
    market: market.data,
    notifications: { notifications: support.notifications, clock },
    clock,
    log,
    computeRate: { limiter: auth.limiter, rule: config.factorComputeRate },
  };
  // Installed official calendar lists are read into memory here, so calendar reads never touch KV.
  const calendars = { lists: createCalendarListRepo(kv), clock };
  await loadOfficialLists(calendars.lists);
  track.calendarsCurrent = () => ensureOfficialListsCurrent(calendars.lists);
  health.extraChecks = {
    ...health.extraChecks,
    track_records: () => trackRecordHealth(track, dailyJobs),
    attestation: async () => ({
      ok: true,
      detail: `transparency log size ${await tlog.size()}; GitHub ${
        config.attest ? `attestation to ${config.attest.repo}` : "not configured (repo_not_configured)"
      }`,
      log_size: await tlog.size(),
      github: config.attest ? config.attest.repo : null,
      unattested: (await track.signals.listUnattested()).length,
    }),
    llm: () => assistantHealth(assistant),
  };
  // The assistant's five routes (generate, translate, explain, the chat agent): turns, sessions, dry runs.
  const strategyAssistant: AssistantDeps = {
    assist: assistant,
    sessions: createAgentSessionRepo(kv),
    runs: sync,
    clock,
    sessionTtlMs: AGENT_SESSION_TTL_MS,
    // With a model configured it may reword explanations (numbers checked); offline the text is the answer.
    ...(config.assistant.gemini
      ? {
        rephrase: (userId, text, language) => rephrase(assistant, userId, text, language).then((o) => o.text),
      }
      : {}),
  };
  // Multi-factor portfolios: their own records, the factor area, and the track record they publish through.
  const portfolios = { portfolios: createPortfolioRepo(kv), factors, track };
  // QuantOS licences: the signing key is the configured one (checked now) or generated once into KV settings.
  const licenses: LicenseServices = {
    licenses: createLicenseRepo(kv),
    auth,
    notifications: { notifications: support.notifications, clock },
    signer: licenseSignerSource(config.licenses.signingKey, createSettingsRepo(kv), log),
    images: {
      amd64: { url: config.licenses.imageUrls.amd64, setting: "QUANTOS_IMAGE_URL_AMD64" },
      arm64: { url: config.licenses.imageUrls.arm64, setting: "QUANTOS_IMAGE_URL_ARM64" },
    },
    issuer: config.publicBaseUrl,
    links: LICENSE_LINKS,
    clock,
    log,
  };
  if (config.licenses.signingKey) {
    await licenses.signer().catch((e) => {
      throw new ConfigError(`LICENSE_SIGNING_KEY: ${e instanceof Error ? e.message : String(e)}`);
    });
  }
  // Paper-trading instances: the library's strategies run forward with the job work budgets and the backtest rate.
  const paper: PaperServices = {
    instances: createPaperRepo(kv),
    library,
    market: market.data,
    users: auth.users,
    clock,
    maxSymbolBars: config.maxJobSymbolBars,
    maxSyncSymbolBars: config.maxSyncSymbolBars,
    maxExpressionCost: config.maxJobExpressionCost,
    rate: backtestRate,
    background: track.background,
    log,
  };
  return {
    config,
    kv,
    clock,
    mailer,
    portfolios,
    licenses,
    paper,
    streams: createStreamRepo(kv),
    integerAliases,
    copilot,
    assistant,
    dashboard: { jobs: backtests, runs: syncRunHistory, aliases: integerAliases },
    auth,
    calendars,
    github: buildGithubServices(config, kv),
    health,
    support,
    market,
    imports,
    backtests,
    library,
    catalog,
    leaderboard,
    runCache,
    sync,
    strategyAssistant,
    indicators,
    compare,
    catalogCompare,
    jobSubmission,
    track,
    dailyJobs,
    hub: createTopicHub(),
    publicReads,
    factors,
    log,
  };
}

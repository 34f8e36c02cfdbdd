/**
 * Every Deno KV key the product writes. Collections are snake_case plurals; indexes are
 * `<collection>_by_<field>` and hold ids, never copies.
 */
/** The first key part of a transparency log's `part` for log `log` (`""`: the production log's own names). */
function tlogPart(log: string, part: string): string {
  return log === "" ? part : `${log}:${part}`;
}

export const keys = {
  setting: (name: string) => ["settings", name] as const,

  calendarList: (exchange: string, year: number) => ["calendar_lists", exchange, year] as const,
  calendarLists: () => ["calendar_lists"] as const,
  calendarListsVersion: () => ["calendar_lists_version"] as const,
  calendarAudit: (id: string) => ["calendar_audit", id] as const,
  calendarAudits: () => ["calendar_audit"] as const,

  user: (id: string) => ["users", id] as const,
  users: () => ["users"] as const,
  userByEmail: (email: string) => ["users_by_email", email] as const,
  userByNickname: (nicknameLower: string) => ["users_by_nickname", nicknameLower] as const,
  userByGithub: (githubId: string) => ["users_by_github", githubId] as const,

  otpCode: (email: string) => ["otp_codes", email] as const,

  session: (id: string) => ["sessions", id] as const,
  refreshToken: (hash: string) => ["refresh_tokens", hash] as const,

  apiKey: (id: string) => ["api_keys", id] as const,
  apiKeyByHash: (hash: string) => ["api_keys_by_hash", hash] as const,
  apiKeyByUser: (userId: string, id: string) => ["api_keys_by_user", userId, id] as const,
  apiKeysByUser: (userId: string) => ["api_keys_by_user", userId] as const,
  apiKeyCount: (userId: string) => ["api_key_counts", userId] as const,

  inviteCode: (code: string) => ["invite_codes", code] as const,
  inviteCodes: () => ["invite_codes"] as const,

  ticket: (id: string) => ["tickets", id] as const,
  tickets: () => ["tickets"] as const,
  ticketByUser: (userId: string, id: string) => ["tickets_by_user", userId, id] as const,
  ticketsByUser: (userId: string) => ["tickets_by_user", userId] as const,
  ticketReply: (ticketId: string, replyId: string) => ["ticket_replies", ticketId, replyId] as const,
  ticketReplies: (ticketId: string) => ["ticket_replies", ticketId] as const,

  notification: (userId: string, id: string) => ["notifications", userId, id] as const,
  notificationsByUser: (userId: string) => ["notifications", userId] as const,
  unreadNotification: (userId: string, id: string) => ["notifications_unread_by_user", userId, id] as const,
  unreadNotificationsByUser: (userId: string) => ["notifications_unread_by_user", userId] as const,
  notificationCount: (userId: string) => ["notification_counts", userId] as const,

  rateLimit: (bucket: string, identity: string, windowStart: number) =>
    ["rate_limits", bucket, identity, windowStart] as const,

  /** Assistant usage of a user on a day (YYYY-MM-DD) with a provider. */
  assistantUsage: (userId: string, day: string, provider: string) =>
    ["assistant_usage", userId, day, provider] as const,
  assistantUsageByUser: (userId: string) => ["assistant_usage", userId] as const,

  oauthState: (state: string) => ["oauth_states", state] as const,

  importedSymbol: (ownerId: string, symbol: string) => ["imported_symbols", ownerId, symbol] as const,
  importedSymbolsByOwner: (ownerId: string) => ["imported_symbols", ownerId] as const,
  importedSymbols: () => ["imported_symbols"] as const,
  /** Published imports: symbol → the owner whose import of it everyone sees (at most one per symbol). */
  publishedImport: (symbol: string) => ["imported_symbols_public", symbol] as const,
  publishedImports: () => ["imported_symbols_public"] as const,

  /** Bar series meta (current generation, years, rows) per source, owner ("public" or a user id) and symbol. */
  barSeries: (source: string, owner: string, symbol: string) =>
    ["bar_series", source, owner, symbol] as const,
  barSeriesOfOwner: (source: string, owner: string) => ["bar_series", source, owner] as const,
  /** One symbol-year of packed bars of one generation. */
  barChunk: (source: string, owner: string, symbol: string, gen: number, year: number) =>
    ["bar_chunks", source, owner, symbol, gen, year] as const,
  barChunksOfGen: (source: string, owner: string, symbol: string, gen: number) =>
    ["bar_chunks", source, owner, symbol, gen] as const,
  /** How far a synthetic symbol has been generated into the bar store, per seed. */
  syntheticThrough: (seed: number, symbol: string) => ["synthetic_through", seed, symbol] as const,
  syntheticThroughOfSeed: (seed: number) => ["synthetic_through", seed] as const,

  /** Tracked strategies by slug (slugs are unique across users), the owner index and per-owner live counts. */
  trackedStrategy: (slug: string) => ["tracked_strategies", slug] as const,
  trackedStrategies: () => ["tracked_strategies"] as const,
  trackedStrategyByOwner: (ownerId: string, slug: string) =>
    ["tracked_strategies_by_owner", ownerId, slug] as const,
  trackedStrategiesByOwner: (ownerId: string) => ["tracked_strategies_by_owner", ownerId] as const,
  liveStrategyCount: (ownerId: string) => ["tracked_strategy_live_counts", ownerId] as const,
  /** One signal per strategy and trade date. */
  signal: (slug: string, tradeDate: string) => ["signals", slug, tradeDate] as const,
  signalsOfStrategy: (slug: string) => ["signals", slug] as const,
  signalByHash: (signalHash: string) => ["signals_by_hash", signalHash] as const,
  /** Signals whose GitHub attestation failed, for the 09:10 retry. */
  unattestedSignal: (slug: string, tradeDate: string) => ["signals_unattested", slug, tradeDate] as const,
  unattestedSignals: () => ["signals_unattested"] as const,
  /** Signal versions committed but not yet in the transparency log, in submission order. */
  signalToLog: (submittedAt: number, signalHash: string) =>
    ["signals_to_log", submittedAt, signalHash] as const,
  signalsToLog: () => ["signals_to_log"] as const,
  /** Settled days: one summary (with positions) and one trade list per strategy-day, and the last settled day. */
  settledDay: (slug: string, date: string) => ["settled_days", slug, date] as const,
  settledDays: (slug: string) => ["settled_days", slug] as const,
  settledTrades: (slug: string, date: string) => ["settled_trades", slug, date] as const,
  settlementHead: (slug: string) => ["settlement_heads", slug] as const,
  /** Day record hashes committed but not yet in their strategy's transparency log. */
  dayRecordToLog: (slug: string, date: string) => ["day_records_to_log", slug, date] as const,
  dayRecordsToLog: () => ["day_records_to_log"] as const,
  /** Chunks of a large signal, settled day or trade list, written in its record's commit (`record_parts.ts`). */
  recordPart: (kind: string, slug: string, date: string, gen: string, index: number) =>
    ["record_parts", kind, slug, date, gen, index] as const,
  /** Compact daily NAV points (date, nav, returns) for track records and metrics. */
  settledNav: (slug: string, date: string) => ["settled_navs", slug, date] as const,
  settledNavs: (slug: string) => ["settled_navs", slug] as const,
  /** Per-strategy audit trail, keyed by a time-ordered id. */
  auditEntry: (slug: string, id: string) => ["strategy_audit", slug, id] as const,
  auditOfStrategy: (slug: string) => ["strategy_audit", slug] as const,
  /** The researcher's claimed pre-platform NAV history (chunked blob). */
  claimedHistory: (slug: string) => ["claimed_histories", slug] as const,
  /** Evaluation metrics recomputed at 18:30. */
  strategyEvaluation: (slug: string) => ["strategy_evaluations", slug] as const,
  /** Trade events for the `/ws` stream, and the marker every watcher listens to. */
  tradeFeed: (atMs: number, slug: string, date: string) => ["trade_feed", atMs, slug, date] as const,
  tradeFeedAll: () => ["trade_feed"] as const,
  /** Entries 1, 2, … of a large day's trade events (entry 0 is `tradeFeed`), read with it by the same list. */
  tradeFeedPart: (atMs: number, slug: string, date: string, part: number) =>
    ["trade_feed", atMs, slug, date, part] as const,
  streamChanged: (topic: string) => ["stream_changed", topic] as const,
  /** The version of one scope of public reads (a `Deno.KvU64` summed by every write it covers). */
  publicVersion: (scope: string) => ["public_version", scope] as const,
  /** Summed with every bump of any scope: its versionstamp moves whenever any public scope changes. */
  publicVersionsEpoch: () => ["public_versions_epoch"] as const,
  /** Where the versions of every `strategy:<slug>` scope sit ("strategy;" is the first key after them). */
  publicStrategyVersionsRange: () => ({
    start: ["public_version", "strategy:"] as const,
    end: ["public_version", "strategy;"] as const,
  }),
  /** One public strategy's list summary (settlement head figures, claimed flag) with its scope version. */
  publicSummary: (slug: string) => ["public_summaries", slug] as const,
  publicSummaries: () => ["public_summaries"] as const,
  /** A materialised public answer: its token and part count (`"m"`), and its JSON in parts 0, 1, …. */
  materializedAnswer: (key: string, part: "m" | number) => ["public_answers", key, part] as const,
  /** Trade events of users' running backtests (a user's socket hears only its own), written with the job. */
  userTradeFeed: (atMs: number, userId: string, entryId: string) =>
    ["user_trade_feed", atMs, userId, entryId] as const,
  userTradeFeedAll: () => ["user_trade_feed"] as const,
  /** Completed synchronous runs (summary record, per-user index, report blob), the last few per user. */
  syncRun: (id: string) => ["sync_runs", id] as const,
  syncRunByUser: (userId: string, id: string) => ["sync_runs_by_user", userId, id] as const,
  syncRunsByUser: (userId: string) => ["sync_runs_by_user", userId] as const,
  syncRunReport: (id: string) => ["sync_run_reports", id] as const,
  /** Watchdog alerts (missing NAVs) shown in /health. */
  watchdogAlert: (date: string) => ["watchdog_alerts", date] as const,
  watchdogAlerts: () => ["watchdog_alerts"] as const,
  /** Result of the last run of each daily job. */
  dailyJobRun: (name: string) => ["daily_job_runs", name] as const,

  /**
   * Transparency logs: head `{size}`; leaves by index and by hash; perfect-subtree node hashes; checkpoints.
   * `log` names the log: `""` is the production log (its keys predate the others and keep their names), any
   * other name (`"demo"`) prefixes each key's first part with `<name>:`.
   */
  tlogHead: (log = "") => [tlogPart(log, "tlog"), "head"] as const,
  tlogLeaf: (index: number, log = "") => [tlogPart(log, "tlog_leaves"), index] as const,
  tlogLeafByHash: (signalHash: string, log = "") =>
    [tlogPart(log, "tlog_leaves_by_hash"), signalHash] as const,
  tlogNode: (level: number, index: number, log = "") => [tlogPart(log, "tlog_nodes"), level, index] as const,
  tlogCheckpoint: (treeSize: number, log = "") => [tlogPart(log, "tlog_checkpoints"), treeSize] as const,
  tlogCheckpoints: (log = "") => [tlogPart(log, "tlog_checkpoints")] as const,
  /**
   * Witness evidence of a log's checkpoints, by the log's origin: cosignatures per (tree size, witness key id),
   * each witness's state by its base URL, and the GitHub commit of a checkpoint by tree size.
   */
  tlogCosignature: (origin: string, treeSize: number, keyId: string) =>
    ["tlog_cosignatures", origin, treeSize, keyId] as const,
  tlogCosignatures: (origin: string) => ["tlog_cosignatures", origin] as const,
  tlogWitness: (origin: string, url: string) => ["tlog_witnesses", origin, url] as const,
  tlogWitnesses: (origin: string) => ["tlog_witnesses", origin] as const,
  tlogGithub: (origin: string, treeSize: number) => ["tlog_github", origin, treeSize] as const,
  tlogGithubAll: (origin: string) => ["tlog_github", origin] as const,

  /** Cached summary of a backtest by (spec hash, data version), e.g. for the catalog compare. */
  runSummaryCache: (specHash: string, dataVersion: string) =>
    ["run_summary_cache", specHash, dataVersion] as const,

  /** Integer aliases of string ids (documents whose clients hold integer ids): id → n, n → id, last n. */
  integerAliasById: (kind: string, id: string) => ["integer_aliases_by_id", kind, id] as const,
  integerAliasByNumber: (kind: string, n: number) => ["integer_aliases_by_number", kind, n] as const,
  integerAliasCounter: (kind: string) => ["integer_alias_counters", kind] as const,

  /** A chat-agent session (`/agent/invoke`) of one owner (`user:<id>` or `ip:<hash>`), by its session id. */
  agentSession: (owner: string, sessionId: string) => ["agent_sessions", owner, sessionId] as const,

  /** Multi-factor portfolios: records, the owner index, per-owner counts, the active index, one run per day. */
  portfolio: (id: string) => ["portfolios", id] as const,
  portfolioByOwner: (ownerId: string, id: string) => ["portfolios_by_owner", ownerId, id] as const,
  portfoliosByOwner: (ownerId: string) => ["portfolios_by_owner", ownerId] as const,
  portfolioCount: (ownerId: string) => ["portfolio_counts", ownerId] as const,
  activePortfolio: (id: string) => ["portfolios_by_status", "active", id] as const,
  activePortfolios: () => ["portfolios_by_status", "active"] as const,
  portfolioRun: (id: string, tradeDate: string) => ["portfolio_runs", id, tradeDate] as const,
  portfolioRuns: (id: string) => ["portfolio_runs", id] as const,

  /** Alpha factors (issue 15): records, the owner index (ids sort by time), the active index, per-owner counts. */
  factor: (id: string) => ["factors", id] as const,
  factors: () => ["factors"] as const,
  factorByOwner: (ownerId: string, id: string) => ["factors_by_owner", ownerId, id] as const,
  factorsByOwner: (ownerId: string) => ["factors_by_owner", ownerId] as const,
  factorActive: (id: string) => ["factors_active", id] as const,
  factorsActive: () => ["factors_active"] as const,
  factorCount: (ownerId: string) => ["factor_counts", ownerId] as const,
  /** A factor's date index (packed day, upload tag, parts), in chunks rewritten together. */
  factorDateIndex: (id: string, chunk: number) => ["factor_date_index", id, chunk] as const,
  factorDateIndexOf: (id: string) => ["factor_date_index", id] as const,
  /** A factor's append-only symbol dictionary, in chunks of symbols. */
  factorSymbols: (id: string, chunk: number) => ["factor_symbols", id, chunk] as const,
  factorSymbolsOf: (id: string) => ["factor_symbols", id] as const,
  /** One part of one date's values written by one upload (`tag`); only the tag the date index names is live. */
  factorValue: (id: string, day: number, tag: number, part: number) =>
    ["factor_values", id, day, tag, part] as const,
  factorValueDay: (id: string, day: number) => ["factor_values", id, day] as const,
  factorValuesOf: (id: string) => ["factor_values", id] as const,
  /** An upload in flight (or its superseded entries to clean): what to delete if it never finishes. */
  factorUpload: (id: string, tag: number) => ["factor_uploads", id, tag] as const,
  factorUploadsOf: (id: string) => ["factor_uploads", id] as const,
  /** The validation series of a factor (a blob). */
  factorSeries: (id: string) => ["factor_series", id] as const,

  healthProbe: () => ["health", "probe"] as const,
  queueHeartbeat: () => ["health", "queue_heartbeat"] as const,
  /** A queue message id claimed by the worker that does its work (expires after the claim TTL). */
  queueClaim: (id: string) => ["queue_claims", id] as const,
  blobManifest: (blobKey: readonly Deno.KvKeyPart[]) => [...blobKey, "manifest"] as const,
  blobChunk: (blobKey: readonly Deno.KvKeyPart[], gen: string, index: number) =>
    [...blobKey, "chunk", gen, index] as const,
  /** QuantOS licence requests, a user's and a status's index, and the one pending request a user may have. */
  licenseRequest: (id: string) => ["license_requests", id] as const,
  licenseRequests: () => ["license_requests"] as const,
  licenseRequestByUser: (userId: string, id: string) => ["license_requests_by_user", userId, id] as const,
  licenseRequestsByUser: (userId: string) => ["license_requests_by_user", userId] as const,
  licenseRequestByStatus: (status: string, id: string) => ["license_requests_by_status", status, id] as const,
  licenseRequestsByStatus: (status: string) => ["license_requests_by_status", status] as const,
  pendingLicenseRequest: (userId: string) => ["license_requests_pending_by_user", userId] as const,
  /** A user's licence (one per user) and the expiry index of licences the expiry job has not processed. */
  license: (userId: string) => ["licenses", userId] as const,
  licenseByExpiry: (expires: string, userId: string) => ["licenses_by_expiry", expires, userId] as const,
  licensesByExpiry: () => ["licenses_by_expiry"] as const,
};

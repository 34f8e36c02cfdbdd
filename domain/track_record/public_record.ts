/**
 * The public face of tracked strategies (no auth): the list, each strategy's NAV record with its claimed
 * history, performance, per-day verification bundle (positions, trades, signal, proofs, how to check), audit
 * trail. Only public strategies are visible; anything else is "not found". Each answer carries the QuantGPT
 * document's shape (`strategies`, `metrics`, `verification`, `claimed.meta`, normalised `nav`, audit `type`)
 * beside the fields this API answered before; a field whose meaning the document changed (`nav` of a record)
 * moved its old meaning to a new name (`nav_value`).
 */
import { iso, isoOrNull } from "../iso_time.ts";
import { getCalendar } from "../calendar/calendar.ts";
import { NotFoundError } from "../errors.ts";
import { symbolsHash } from "./signals/canonical.ts";
import { logOf, type TrackRecordLinks, type TrackRecordServices } from "./services.ts";
import { servedHead, servedInclusionProof, witnessedInclusionProof } from "./log_views.ts";
import { TRACKED_BENCHMARKS } from "./signals/tracked_strategies.ts";
import { DEADLINES } from "./signals/signals.ts";
import {
  type DividendConvention,
  dividendConventionOf,
  type NavPointRecord,
} from "../store/settlement_repo.ts";
import type { TrackedStrategyRecord, TrackedUniverse } from "../store/tracked_strategy_repo.ts";
import type { PublicListSummary, StoredPublicSummary } from "../store/public_summary_repo.ts";
import { type ClaimedHistoryView, claimedTracking, toClaimedHistoryView } from "./claimed_history.ts";
import { MIN_TRACKING_OVERLAP_DAYS, type Tracking } from "./tracking.ts";
import { computePerformance, type Performance } from "./performance.ts";
import { publishedParameters, recordChainBlock } from "./record_chain_view.ts";

/** A public strategy that exists and may be shown. */
async function getPublicStrategy(
  deps: TrackRecordServices,
  slug: string,
): Promise<TrackedStrategyRecord> {
  const s = await deps.strategies.get(slug);
  if (!s || !s.is_public) throw new NotFoundError(`Public strategy "${slug}" not found`);
  return s;
}

/** One row of the public list: the QuantGPT document's fields plus this API's earlier ones. */
export interface PublicStrategyRow {
  slug: string;
  name: string;
  description: string | null;
  creator: string | null;
  universe: TrackedUniverse;
  benchmark: string;
  holding_period: number;
  execution_price: "open" | "close";
  status: string;
  is_demo: boolean;
  created_at: string;
  activated_at: string | null;
  start_date: string | null;
  trading_days: number;
  latest_date: string | null;
  /** The latest settled NAV in currency (the document's `nav`); `null` before the first settled day. */
  nav: number | null;
  /** The same as `nav` (this API's earlier name). */
  latest_nav: number | null;
  total_return: number | null;
  daily_return: number | null;
  has_claimed: boolean;
}

/** A page of the public list, under the document's name (`strategies`) and this API's earlier one (`items`). */
export interface PublicStrategyPage {
  strategies: PublicStrategyRow[];
  items: PublicStrategyRow[];
  total: number;
  limit: number;
  offset: number;
}

/** Strategies whose summary rows are refreshed at once (each reads a head, a NAV point and a manifest). */
const SUMMARY_REFRESH_BATCH = 100;

/** A strategy's list figures read from its settlement head, that day's NAV point and its claimed history. */
async function readListSummary(deps: TrackRecordServices, slug: string): Promise<PublicListSummary> {
  const [head, has_claimed] = await Promise.all([deps.settlements.head(slug), deps.claimed.exists(slug)]);
  const last = head ? await deps.settlements.navPoint(slug, head.date) : null;
  return {
    trading_days: head?.trading_days ?? 0,
    latest_date: head?.date ?? null,
    nav: head?.nav ?? null,
    daily_return: last?.daily_return ?? null,
    has_claimed,
  };
}

/**
 * The list figures of `listed`, from their stored summary rows (`public_summary_repo.ts`) where a row's version
 * is its strategy's current one (`versions`, `stored`: read before any figure); the others are read again and
 * their rows stored.
 */
async function listSummaries(
  deps: TrackRecordServices,
  listed: readonly TrackedStrategyRecord[],
  versions: ReadonlyMap<string, string>,
  stored: ReadonlyMap<string, StoredPublicSummary>,
): Promise<Map<string, PublicListSummary>> {
  const out = new Map<string, PublicListSummary>();
  const stale: { slug: string; version: string }[] = [];
  for (const s of listed) {
    const version = versions.get(s.slug) ?? "0";
    const row = stored.get(s.slug);
    if (row && row.version === version) out.set(s.slug, row.summary);
    else stale.push({ slug: s.slug, version });
  }
  for (let i = 0; i < stale.length; i += SUMMARY_REFRESH_BATCH) {
    const batch = stale.slice(i, i + SUMMARY_REFRESH_BATCH);
    const rows = await Promise.all(batch.map(async ({ slug, version }) => ({
      slug,
      row: { version, summary: await readListSummary(deps, slug) },
    })));
    await deps.summaries.putMany(rows);
    for (const { slug, row } of rows) out.set(slug, row.summary);
  }
  return out;
}

/**
 * Public, non-pending strategies (optionally of one universe), most trading days first, then by slug. The sort
 * key and the other settlement figures come from the strategies' summary rows (kept current by their scope
 * versions), so a build reads the strategy records, the versions and the rows in three concurrent range reads,
 * plus the page's creators' nicknames (each owner once).
 */
export async function listPublicStrategies(
  deps: TrackRecordServices,
  filter: { universe?: TrackedUniverse; limit: number; offset: number },
): Promise<PublicStrategyPage> {
  return await publicListingPage(deps, await publicListing(deps, filter.universe), filter);
}

/** The whole public list (optionally of one universe), sorted, before paging: what every page is sliced from. */
export interface PublicListing {
  rows: readonly { s: TrackedStrategyRecord; sum: PublicListSummary }[];
}

/** The sorted public list (see `listPublicStrategies`): three concurrent range reads, no nickname. */
export async function publicListing(
  deps: TrackRecordServices,
  universe?: TrackedUniverse,
): Promise<PublicListing> {
  // Three range reads at once: a row is current when its version is, whichever was read first.
  const [records, versions, stored] = await Promise.all([
    deps.strategies.listAll(),
    deps.summaries.strategyVersions(),
    deps.summaries.all(),
  ]);
  const all = records.filter((s) =>
    s.is_public && s.status !== "pending" && (!universe || s.universe === universe)
  );
  const summaries = await listSummaries(deps, all, versions, stored);
  const rows = all.map((s) => ({ s, sum: summaries.get(s.slug)! }));
  rows.sort((a, b) => b.sum.trading_days - a.sum.trading_days || (a.s.slug < b.s.slug ? -1 : 1));
  return { rows };
}

/** One page of `listing`: its rows with their creators' nicknames (each owner read once). */
export async function publicListingPage(
  deps: TrackRecordServices,
  listing: PublicListing,
  filter: { limit: number; offset: number },
): Promise<PublicStrategyPage> {
  const { rows } = listing;
  const page = rows.slice(filter.offset, filter.offset + filter.limit);
  const nicknames = new Map<string, Promise<string | null>>();
  const nicknameOf = (ownerId: string) => {
    let n = nicknames.get(ownerId);
    if (!n) nicknames.set(ownerId, n = deps.nicknameOf(ownerId));
    return n;
  };
  const strategies = await Promise.all(page.map(async ({ s, sum }): Promise<PublicStrategyRow> => ({
    slug: s.slug,
    name: s.name,
    description: s.description,
    creator: await nicknameOf(s.owner_id),
    universe: s.universe,
    benchmark: TRACKED_BENCHMARKS[s.universe],
    holding_period: s.holding_period,
    execution_price: s.execution_price,
    status: s.status,
    is_demo: s.is_demo,
    created_at: iso(s.created_at),
    activated_at: isoOrNull(s.activated_at),
    start_date: s.start_date,
    trading_days: sum.trading_days,
    latest_date: sum.latest_date,
    nav: sum.nav,
    latest_nav: sum.nav,
    total_return: sum.nav === null ? null : sum.nav / s.initial_capital - 1,
    daily_return: sum.daily_return,
    has_claimed: sum.has_claimed,
  })));
  return { strategies, items: strategies, total: rows.length, limit: filter.limit, offset: filter.offset };
}

/**
 * The claimed block shown beside a verified record: the claimed history (see `toClaimedHistoryView`) and,
 * when at least `MIN_TRACKING_OVERLAP_DAYS` dates are common to both records, `tracking`; `null` when the
 * strategy has no claimed history.
 */
export type ClaimedBlock = ClaimedHistoryView & { tracking?: Tracking; tracking_note: string | null };

async function claimedBlock(
  deps: TrackRecordServices,
  s: TrackedStrategyRecord,
  navs?: readonly NavPointRecord[],
): Promise<ClaimedBlock | null> {
  const claimed = await deps.claimed.get(s.slug);
  if (!claimed) return null;
  const tracking = await claimedTracking(deps, s.slug, claimed.records, navs);
  const block: ClaimedBlock = {
    ...(await toClaimedHistoryView(deps, s, claimed)),
    tracking_note: tracking
      ? null
      : `Tracking needs at least ${MIN_TRACKING_OVERLAP_DAYS} dates present in ` +
        "both the claimed and the platform record",
  };
  if (tracking) block.tracking = tracking;
  return block;
}

/** How the numbers of a track record are defined, stated with them. */
export const TRACK_RECORD_NAV_CONVENTIONS = {
  nav: "NAV normalised to 1.0 at the start: nav_value / initial_capital (= 1 + cumulative_return)",
  nav_value: "NAV in the strategy's currency: cash + Σ quantity × close",
  daily_return: "nav_value / previous day's nav_value − 1 (the first day against the initial capital)",
  benchmark_return: "the benchmark index's simple return that day (close / previous close − 1); null unknown",
  claimed:
    "claimed nav normalised to 1.0 at its first record; returns between consecutive claimed records; " +
    "tracking over the dates both records hold (at least 5), mean and sample sd (ddof 1) of the return " +
    "differences × 252 and × √252, Pearson correlation",
} as const;

/**
 * The NAV record of a public strategy plus its claimed block (absent when there is none); records' `nav` is
 * normalised to 1.0 at the start (`nav_value / initial_capital`), `nav_value` is the currency NAV.
 */
export async function publicTrackRecord(deps: TrackRecordServices, slug: string) {
  const s = await getPublicStrategy(deps, slug);
  const navs = await deps.settlements.navSeries(slug);
  const claimed = await claimedBlock(deps, s, navs);
  return {
    strategy: slug,
    name: s.name,
    is_demo: s.is_demo,
    initial_capital: s.initial_capital,
    benchmark: TRACKED_BENCHMARKS[s.universe],
    parameters: publishedParameters(deps, s),
    records: navs.map((n) => ({
      date: n.date,
      nav: n.nav / s.initial_capital,
      nav_value: n.nav,
      daily_return: n.daily_return,
      cumulative_return: n.cumulative_return,
      benchmark_return: n.benchmark_return,
      provisional: getCalendar("SSE").isProvisional(n.date),
      record_hash: n.record_hash ?? null,
    })),
    ...(claimed ? { claimed } : {}),
    conventions: TRACK_RECORD_NAV_CONVENTIONS,
  };
}

/** Performance of a settled NAV series against its benchmark (see `computePerformance` for conventions). */
export function performanceOfRecord(navs: readonly NavPointRecord[], initialCapital: number): Performance {
  return computePerformance(
    navs.map((n) => ({ date: n.date, nav: n.nav })),
    navs.map((n) => n.benchmark_return),
    initialCapital,
  );
}

/** The QuantGPT document's `metrics` block of `/performance`. */
export type PerformanceMetrics = Pick<
  Performance,
  | "total_return"
  | "annual_return"
  | "volatility"
  | "sharpe"
  | "max_drawdown"
  | "calmar"
  | "excess_return"
  | "excess_sharpe"
  | "benchmark_return"
  | "trading_days"
  | "benchmark_missing_days"
>;

/**
 * Performance of the verified record (see `computePerformance` for conventions, also answered as
 * `conventions`): the document's `metrics` and `rolling_excess_sharpe`, with the same figures also flat (this
 * API's earlier shape).
 */
export async function publicPerformance(
  deps: TrackRecordServices,
  slug: string,
): Promise<Performance & { strategy: string; metrics: PerformanceMetrics }> {
  const s = await getPublicStrategy(deps, slug);
  const navs = await deps.settlements.navSeries(slug);
  const perf = performanceOfRecord(navs, s.initial_capital);
  const metrics: PerformanceMetrics = {
    total_return: perf.total_return,
    annual_return: perf.annual_return,
    volatility: perf.volatility,
    sharpe: perf.sharpe,
    max_drawdown: perf.max_drawdown,
    calmar: perf.calmar,
    excess_return: perf.excess_return,
    excess_sharpe: perf.excess_sharpe,
    benchmark_return: perf.benchmark_return,
    trading_days: perf.trading_days,
    benchmark_missing_days: perf.benchmark_missing_days,
  };
  return { strategy: slug, metrics, ...perf };
}

/**
 * The steps a third party follows to check a settled day, using only public endpoints; step 7 names the
 * checkpoint of the strategy's own log (`?log=demo` for a demo strategy).
 */
const howToVerify = (links: TrackRecordLinks, strategy: { is_demo: boolean }): string[] => [
  "1. Fetch this answer (GET …/verify?date=YYYY-MM-DD).",
  "2. When github_raw_url is not null, fetch it (the signal file committed to GitHub) and compare its " +
  "signal_hash with verification.signal_attestation.signal_hash.",
  "3. Recompute verification.symbols_hash = first 16 hex characters of SHA-256(comma-joined sorted " +
  "verification.symbols) (the day's position symbols); verification.signal_attestation.symbols_hash is the " +
  "same over the signal's symbols.",
  "4. Check sum(verification.positions[].market_value) + verification.cash == verification.nav (up to " +
  "floating-point rounding, relative 1e-9), and market_value = quantity × price for each position.",
  "5. Check submitted_at < deadline_at (09:15 Asia/Shanghai for open execution, 15:00 for close), and that the " +
  "GitHub commit (verification.signal_attestation.commit_sha) and the transparency-log checkpoint " +
  "(signal.log.checkpoint_timestamp) are older than the deadline.",
  "6. Recompute signal_hash: SHA-256 (hex) of the UTF-8 bytes of signal.canonical_json, and check that " +
  "canonical_json is the canonical form of {signals sorted by symbol, weights as decimal strings, strategy, " +
  "trade_date} (README, 'Signal hash').",
  "7. Check the inclusion proof: leaf hash = SHA-256(0x00 || 32 bytes of signal_hash); fold audit_path with " +
  "SHA-256(0x01 || left || right) (RFC 6962 / RFC 9162 §2.1.3.2) to the root_hash of tree_size; check the " +
  "checkpoint signature: Ed25519 over the note text '<origin>\\n<tree_size>\\n<root_hash>\\n<timestamp>\\n' " +
  `with the public key of GET ${links.logCheckpoint(strategy.is_demo ? "demo" : "production")} (the ` +
  "strategy's own log, parameters.log_origin); check the consistency proof from that tree size to the " +
  "current checkpoint, so the log was only appended to.",
  "8. Check that positions/trades follow from the previous day and the signal at the stated prices (README, " +
  "'Settlement conventions'); on days whose dividend_convention is cash_on_ex_date_no_tax, that each dividend " +
  "credit is quantity × per_share for a position held at the previous close, and that the previous day's cash " +
  "(the initial capital on the first day) + dividends − buy notionals − commissions + sell notionals = cash. " +
  "Days with dividend_convention none credited no dividends.",
  "9. Check the day chain (README, 'Day records and the hash chain'): record_chain.canonical_json is the canonical day record " +
  "rebuilt from this answer's fields, parameters and record_chain.prev_record_hash; record_hash = SHA-256 (hex) " +
  "of its UTF-8 bytes; prev_record_hash is the previous settled day's record_hash (64 zeros on the first day; a " +
  "day with record_chain null predates the chain and its hash is computed by the same rule); and " +
  "record_chain.log.inclusion_proof proves record_hash is a leaf of the strategy's log (parameters.log_origin).",
  "Or run: deno task verify <base-url> <slug>",
];

const DIVIDEND_RULES: Record<DividendConvention, string> = {
  none: "Cash dividends were not credited on this day (settled before dividends were tracked).",
  cash_on_ex_date_no_tax: "A position held at the previous close is credited quantity × cash dividend per " +
    "share on the ex-date, before trading, with no tax; the per-share dividend is the previous close × " +
    "(1 − previous adj_factor / ex-date adj_factor).",
};

/** Symbols sorted by code unit (the order `symbolsHash` hashes them in). */
const sortedSymbols = (symbols: readonly string[]): string[] =>
  [...symbols].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Everything needed to check one settled day (the latest when `date` is omitted): the QuantGPT document's
 * `verification` block (NAV, positions, the signal's attestation with `github_raw_url`, trades, the symbols
 * and `symbols_hash`), `github_raw_url`, `data_provenance` and `how_to_verify`, beside this API's earlier flat
 * fields (same values).
 */
export async function publicVerifyDay(deps: TrackRecordServices, slug: string, date?: string) {
  const s = await getPublicStrategy(deps, slug);
  const head = await deps.settlements.head(slug);
  const target = date ?? head?.date;
  if (!target) throw new NotFoundError(`Strategy "${slug}" has no settled days yet`);
  const day = await deps.settlements.getDay(slug, target);
  if (!day) throw new NotFoundError(`Strategy "${slug}" has no settled day ${target}`);
  const trades = await deps.settlements.getTrades(slug, target);
  const signal = await deps.signals.get(slug, target);
  const tlog = logOf(deps, s);
  const checkpoint = await servedHead(deps, tlog);
  let signalBlock = null;
  if (signal) {
    const proof = signal.log
      ? await servedInclusionProof(deps, tlog, signal.signal_hash, signal.log.tree_size)
      : null;
    const witnessed = signal.log
      ? await witnessedInclusionProof(
        deps,
        tlog,
        signal.signal_hash,
        signal.log.tree_size,
        signal.deadline_at,
      )
      : null;
    const consistency = signal.log && signal.log.tree_size <= checkpoint.tree_size
      ? await tlog.consistencyProof(signal.log.tree_size, checkpoint.tree_size)
      : null;
    const a = signal.attestation;
    signalBlock = {
      signal_hash: signal.signal_hash,
      canonical_json: signal.canonical_json,
      signals: signal.signals,
      submitted_at: iso(signal.submitted_at),
      deadline_at: iso(signal.deadline_at),
      deadline_rule: `${
        DEADLINES[signal.execution_price]
      } Asia/Shanghai on the trade date (${signal.execution_price})`,
      submitted_before_deadline: signal.submitted_at < signal.deadline_at,
      replaced_versions: signal.replaced_hashes.length,
      log: signal.log
        ? {
          origin: tlog.origin,
          leaf_index: signal.log.leaf_index,
          tree_size: signal.log.tree_size,
          checkpoint_timestamp: iso(signal.log.checkpoint_timestamp),
          logged_before_deadline: signal.log.checkpoint_timestamp < signal.deadline_at,
          inclusion_proof: proof,
          witnessed_inclusion_proof: witnessed,
          consistency_proof: consistency,
        }
        : null,
      attestation: a.committed
        ? { committed: true, sha: a.sha, url: a.url }
        : { committed: false, reason: a.reason },
      github_url: a.committed ? a.url : null,
    };
  }
  const positionsValue = day.positions.reduce((sum, p) => sum + p.market_value, 0);
  const positions = day.positions.map((p) => ({
    symbol: p.symbol,
    quantity: p.quantity,
    price: p.price,
    market_value: p.market_value,
    weight: p.weight,
    entry_date: p.entry_date,
    last_signal_date: p.last_signal_date,
    suspended: p.suspended,
  }));
  const navCheck = {
    positions_value: positionsValue,
    cash: day.cash,
    nav: day.nav,
    difference: day.nav - (positionsValue + day.cash),
  };
  const symbols = sortedSymbols(day.positions.map((p) => p.symbol));
  const symbolsHashOfDay = await symbolsHash(symbols);
  let signalAttestation = null;
  if (signal) {
    const a = signal.attestation;
    const signalSymbols = sortedSymbols(signal.signals.map((w) => w.symbol));
    signalAttestation = {
      signal_hash: signal.signal_hash,
      canonical_json: signal.canonical_json,
      symbols: signalSymbols,
      symbols_hash: await symbolsHash(signalSymbols),
      submitted_at: iso(signal.submitted_at),
      deadline_at: iso(signal.deadline_at),
      submitted_before_deadline: signal.submitted_at < signal.deadline_at,
      github_committed: a.committed,
      commit_sha: a.committed ? a.sha : null,
      github_url: a.committed ? a.url : null,
      github_raw_url: deps.attester.rawFileUrl(slug, target, a.committed ? a.sha : null),
      reason: a.committed ? null : a.reason,
    };
  }
  // The day's figures, in the document's `verification` block and flat at the top level (the earlier shape).
  const figures = {
    date: day.date,
    action: day.action,
    nav: day.nav,
    cash: day.cash,
    prev_nav: day.prev_nav,
    daily_return: day.daily_return,
    positions,
    nav_check: navCheck,
  };
  return {
    verification: {
      strategy: slug,
      ...figures,
      symbols,
      symbols_hash: symbolsHashOfDay,
      signal_attestation: signalAttestation,
      trades,
    },
    github_raw_url: signalAttestation?.github_raw_url ?? null,
    strategy: slug,
    name: s.name,
    is_demo: s.is_demo,
    ...figures,
    /** `true` when the day was judged a trading day by the holiday estimate (no official SSE list yet). */
    provisional: getCalendar("SSE").isProvisional(day.date),
    detail: day.detail,
    trades,
    dividend_convention: dividendConventionOf(day),
    dividend_convention_rule: DIVIDEND_RULES[dividendConventionOf(day)],
    dividends: day.dividends ?? [],
    signal: signalBlock,
    log_checkpoint: checkpoint,
    symbols_hash: symbolsHashOfDay,
    benchmark: { symbol: day.benchmark_symbol, close: day.benchmark_close, return: day.benchmark_return },
    record_chain: await recordChainBlock(deps, s, day, trades),
    parameters: publishedParameters(deps, s),
    data_provenance: {
      source: day.data_source,
      execution_price: s.execution_price,
      valuation: "close of the day (last close while suspended)",
      commission_rate: s.commission_rate,
      slippage_rate: s.slippage_rate,
      lot_size: 100,
      holding_period: s.holding_period,
      settled_at: iso(day.settled_at),
    },
    how_to_verify: howToVerify(deps.links, s),
  };
}

/** The audit trail of a public strategy, newest first. */
export async function publicAudit(deps: TrackRecordServices, slug: string, limit: number, offset: number) {
  await getPublicStrategy(deps, slug);
  const { items, total } = await deps.audit.list(slug, limit, offset);
  return {
    // `type` is the document's name for the event (REBALANCE | HOLD for settled days, other events by name).
    audit_log: items.map((e) => ({ ...e, type: e.event, at: iso(e.at) })),
    total,
    limit,
    offset,
  };
}

/** The claimed history of a public strategy (404 when none). */
export async function publicClaimed(deps: TrackRecordServices, slug: string): Promise<ClaimedBlock> {
  const s = await getPublicStrategy(deps, slug);
  const block = await claimedBlock(deps, s);
  if (!block) throw new NotFoundError(`Strategy "${slug}" has no claimed history`);
  return block;
}

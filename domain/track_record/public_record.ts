/**
 * The public face of tracked strategies (no auth): the list, each strategy's NAV record with its claimed
 * history, performance, per-day verification bundle (positions, trades, signal, proofs, how to check), audit
 * trail. Only public strategies are visible; anything else is "not found".
 */
import { iso } from "../iso_time.ts";
import { getCalendar } from "../calendar/calendar.ts";
import { NotFoundError } from "../errors.ts";
import { symbolsHash } from "./signals/canonical.ts";
import type { TrackRecordLinks, TrackRecordServices } from "./services.ts";
import { TRACKED_BENCHMARKS } from "./signals/tracked_strategies.ts";
import { DEADLINES } from "./signals/signals.ts";
import {
  type DividendConvention,
  dividendConventionOf,
  type NavPointRecord,
} from "../store/settlement_repo.ts";
import type { TrackedStrategyRecord, TrackedUniverse } from "../store/tracked_strategy_repo.ts";
import { toClaimedView } from "./claimed_history.ts";
import { compareTracking, MIN_TRACKING_OVERLAP_DAYS } from "./tracking.ts";
import { computePerformance, type Performance } from "./performance.ts";

/** A public strategy that exists and may be shown. */
async function getPublicStrategy(
  deps: TrackRecordServices,
  slug: string,
): Promise<TrackedStrategyRecord> {
  const s = await deps.strategies.get(slug);
  if (!s || !s.is_public) throw new NotFoundError(`Public strategy "${slug}" not found`);
  return s;
}

/** One row of the public list. */
export interface PublicStrategyRow {
  slug: string;
  name: string;
  description: string | null;
  creator: string | null;
  universe: TrackedUniverse;
  benchmark: string;
  status: string;
  is_demo: boolean;
  start_date: string | null;
  trading_days: number;
  latest_date: string | null;
  latest_nav: number | null;
  total_return: number | null;
  daily_return: number | null;
  has_claimed: boolean;
}

/** Public, non-pending strategies (optionally of one universe), most trading days first, then by slug. */
export async function listPublicStrategies(
  deps: TrackRecordServices,
  filter: { universe?: TrackedUniverse; limit: number; offset: number },
): Promise<{ items: PublicStrategyRow[]; total: number }> {
  const all = (await deps.strategies.listAll()).filter((s) =>
    s.is_public && s.status !== "pending" && (!filter.universe || s.universe === filter.universe)
  );
  const rows = await Promise.all(all.map(async (s): Promise<PublicStrategyRow> => {
    const head = await deps.settlements.head(s.slug);
    const last = head ? await deps.settlements.getDay(s.slug, head.date) : null;
    return {
      slug: s.slug,
      name: s.name,
      description: s.description,
      creator: await deps.nicknameOf(s.owner_id),
      universe: s.universe,
      benchmark: TRACKED_BENCHMARKS[s.universe],
      status: s.status,
      is_demo: s.is_demo,
      start_date: s.start_date,
      trading_days: head?.trading_days ?? 0,
      latest_date: head?.date ?? null,
      latest_nav: head?.nav ?? null,
      total_return: head ? head.nav / s.initial_capital - 1 : null,
      daily_return: last?.daily_return ?? null,
      has_claimed: await deps.claimed.exists(s.slug),
    };
  }));
  rows.sort((a, b) => b.trading_days - a.trading_days || (a.slug < b.slug ? -1 : 1));
  return { items: rows.slice(filter.offset, filter.offset + filter.limit), total: rows.length };
}

/** The claimed block shown beside a verified record. */
async function claimedBlock(deps: TrackRecordServices, slug: string, navs: NavPointRecord[]) {
  const claimed = await deps.claimed.get(slug);
  if (!claimed) return null;
  const tracking = compareTracking(claimed.records, navs.map((n) => ({ date: n.date, nav: n.nav })));
  return {
    ...toClaimedView(claimed),
    records: claimed.records,
    tracking,
    tracking_note: tracking
      ? null
      : `Tracking needs at least ${MIN_TRACKING_OVERLAP_DAYS} dates present in both the claimed and the platform record`,
  };
}

/** The NAV record of a public strategy plus its claimed block. */
export async function publicTrackRecord(deps: TrackRecordServices, slug: string) {
  const s = await getPublicStrategy(deps, slug);
  const navs = await deps.settlements.navSeries(slug);
  return {
    strategy: slug,
    name: s.name,
    is_demo: s.is_demo,
    initial_capital: s.initial_capital,
    benchmark: TRACKED_BENCHMARKS[s.universe],
    records: navs.map((n) => ({
      date: n.date,
      nav: n.nav,
      daily_return: n.daily_return,
      cumulative_return: n.cumulative_return,
      benchmark_return: n.benchmark_return,
      provisional: getCalendar("SSE").isProvisional(n.date),
    })),
    claimed: await claimedBlock(deps, slug, navs),
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

/** Performance of the verified record (see `computePerformance` for conventions). */
export async function publicPerformance(
  deps: TrackRecordServices,
  slug: string,
): Promise<Performance & { strategy: string }> {
  const s = await getPublicStrategy(deps, slug);
  const navs = await deps.settlements.navSeries(slug);
  const perf = performanceOfRecord(navs, s.initial_capital);
  return { strategy: slug, ...perf };
}

/** The steps a third party follows to check a settled day, using only public endpoints. */
const howToVerify = (links: TrackRecordLinks): string[] => [
  "1. Recompute signal_hash: SHA-256 (hex) of the UTF-8 bytes of signal.canonical_json, and check that " +
  "canonical_json is the canonical form of {signals sorted by symbol, weights as decimal strings, strategy, " +
  "trade_date} (README, 'Signal hash').",
  "2. Check the inclusion proof: leaf hash = SHA-256(0x00 || 32 bytes of signal_hash); fold audit_path with " +
  "SHA-256(0x01 || left || right) (RFC 6962 / RFC 9162 §2.1.3.2) to the root_hash of tree_size.",
  "3. Check the checkpoint signature: Ed25519 over the note text '<origin>\\n<tree_size>\\n<root_hash>\\n" +
  `<timestamp>\\n' with the public key of GET ${links.logCheckpoint}; the checkpoint signed when the ` +
  "signal was logged must be older than the deadline.",
  "4. Check the consistency proof from that tree size to the current checkpoint, so the log was only appended to.",
  "5. Check NAV = cash + Σ quantity × price over positions, and that positions/trades follow from the " +
  "previous day and the signal at the stated prices (README, 'Settlement conventions').",
  "5b. On days whose dividend_convention is cash_on_ex_date_no_tax, check that each dividend credit is " +
  "quantity × per_share for a position held at the previous close, and that the previous day's cash (the " +
  "initial capital on the first day) + dividends − buy notionals − commissions + sell notionals = cash. " +
  "Days with dividend_convention none credited no dividends.",
  "6. Check submitted_at < deadline_at (09:15 Asia/Shanghai for open execution, 15:00 for close).",
  "7. Optionally compare prices with your own market data and the GitHub commit at signal.attestation.url.",
  "Or run: deno task verify <base-url> <slug>",
];

const DIVIDEND_RULES: Record<DividendConvention, string> = {
  none: "Cash dividends were not credited on this day (settled before dividends were tracked).",
  cash_on_ex_date_no_tax: "A position held at the previous close is credited quantity × cash dividend per " +
    "share on the ex-date, before trading, with no tax; the per-share dividend is the previous close × " +
    "(1 − previous adj_factor / ex-date adj_factor).",
};

/** Everything needed to check one settled day (the latest when `date` is omitted). */
export async function publicVerifyDay(deps: TrackRecordServices, slug: string, date?: string) {
  const s = await getPublicStrategy(deps, slug);
  const head = await deps.settlements.head(slug);
  const target = date ?? head?.date;
  if (!target) throw new NotFoundError(`Strategy "${slug}" has no settled days yet`);
  const day = await deps.settlements.getDay(slug, target);
  if (!day) throw new NotFoundError(`Strategy "${slug}" has no settled day ${target}`);
  const trades = await deps.settlements.getTrades(slug, target);
  const signal = await deps.signals.get(slug, target);
  const checkpoint = await deps.tlog.checkpoint();
  let signalBlock = null;
  if (signal) {
    const proof = signal.log
      ? await deps.tlog.inclusionProof(signal.signal_hash, signal.log.tree_size)
      : null;
    const consistency = signal.log && signal.log.tree_size <= checkpoint.tree_size
      ? await deps.tlog.consistencyProof(signal.log.tree_size, checkpoint.tree_size)
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
          leaf_index: signal.log.leaf_index,
          tree_size: signal.log.tree_size,
          checkpoint_timestamp: iso(signal.log.checkpoint_timestamp),
          logged_before_deadline: signal.log.checkpoint_timestamp < signal.deadline_at,
          inclusion_proof: proof,
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
  return {
    strategy: slug,
    name: s.name,
    is_demo: s.is_demo,
    date: day.date,
    /** `true` when the day was judged a trading day by the holiday estimate (no official SSE list yet). */
    provisional: getCalendar("SSE").isProvisional(day.date),
    action: day.action,
    detail: day.detail,
    nav: day.nav,
    cash: day.cash,
    prev_nav: day.prev_nav,
    daily_return: day.daily_return,
    positions: day.positions.map((p) => ({
      symbol: p.symbol,
      quantity: p.quantity,
      price: p.price,
      market_value: p.market_value,
      weight: p.weight,
      entry_date: p.entry_date,
      last_signal_date: p.last_signal_date,
      suspended: p.suspended,
    })),
    nav_check: {
      positions_value: positionsValue,
      cash: day.cash,
      nav: day.nav,
      difference: day.nav - (positionsValue + day.cash),
    },
    trades,
    dividend_convention: dividendConventionOf(day),
    dividend_convention_rule: DIVIDEND_RULES[dividendConventionOf(day)],
    dividends: day.dividends ?? [],
    signal: signalBlock,
    log_checkpoint: checkpoint,
    symbols_hash: await symbolsHash(day.positions.map((p) => p.symbol)),
    benchmark: { symbol: day.benchmark_symbol, close: day.benchmark_close, return: day.benchmark_return },
    data_provenance: {
      source: day.data_source,
      execution_price: s.execution_price,
      valuation: "close of the day (last close while suspended)",
      commission_rate: s.commission_rate,
      slippage_rate: s.slippage_rate,
      lot_size: 100,
      settled_at: iso(day.settled_at),
    },
    how_to_verify: howToVerify(deps.links),
  };
}

/** The audit trail of a public strategy, newest first. */
export async function publicAudit(deps: TrackRecordServices, slug: string, limit: number, offset: number) {
  await getPublicStrategy(deps, slug);
  const { items, total } = await deps.audit.list(slug, limit, offset);
  return {
    audit_log: items.map((e) => ({ ...e, at: iso(e.at) })),
    total,
    limit,
    offset,
  };
}

/** The claimed history of a public strategy (404 when none). */
export async function publicClaimed(deps: TrackRecordServices, slug: string) {
  await getPublicStrategy(deps, slug);
  const navs = await deps.settlements.navSeries(slug);
  const block = await claimedBlock(deps, slug, navs);
  if (!block) throw new NotFoundError(`Strategy "${slug}" has no claimed history`);
  return block;
}

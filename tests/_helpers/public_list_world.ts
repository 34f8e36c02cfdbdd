/**
 * Many public tracked strategies stored directly (strategy records through the repository, each one's last
 * settled day as its settlement head and NAV point), for the 1,000-strategy list tests and benchmark. Owners are
 * `owners` users with nicknames; every 7th strategy is private, every 11th pending, every 10th has a claimed
 * history; trading days repeat (ties sort by slug).
 */
import { keys } from "../../domain/store/keys.ts";
import { TRACKED_UNIVERSES, type TrackedStrategyRecord } from "../../domain/store/tracked_strategy_repo.ts";
import type { NavPointRecord, SettlementHead } from "../../domain/store/settlement_repo.ts";
import type { TrackRecordServices } from "../../domain/track_record/services.ts";
import type { UserRepo } from "../../domain/store/user_repo.ts";
import { userRecord } from "./user_record.ts";

/** The slug of strategy `i` (zero-padded, so slug order is index order). */
export const seededSlug = (i: number) => `pub-${String(i).padStart(4, "0")}`;

/** What `seedPublicStrategies` stored. */
export interface SeededStrategies {
  /** Every stored strategy. */
  all: TrackedStrategyRecord[];
  /** Slugs of those the public list shows (public and not pending). */
  listed: string[];
  /** What was stored for each settled strategy (slug → figures) and the slugs with a claimed history. */
  settled: Map<string, { trading_days: number; nav: number; daily_return: number }>;
  claimed: Set<string>;
}

const DAY = "2026-05-13";

/** Stores `n` strategies (see the module comment). */
export async function seedPublicStrategies(
  kv: Deno.Kv,
  track: TrackRecordServices,
  users: UserRepo,
  n: number,
  owners = 25,
): Promise<SeededStrategies> {
  for (let o = 0; o < owners; o++) {
    await users.create(userRecord(`usr-owner-${o}`, { nickname: o % 5 === 4 ? null : `owner${o}` }));
  }
  const all: TrackedStrategyRecord[] = [];
  const settled: SeededStrategies["settled"] = new Map();
  const claimed = new Set<string>();
  for (let i = 0; i < n; i++) {
    const pending = i % 11 === 5;
    const s: TrackedStrategyRecord = {
      id: `trk-${i}`,
      slug: seededSlug(i),
      owner_id: `usr-owner-${i % owners}`,
      name: `Public strategy ${i}`,
      description: i % 3 === 0 ? null : `Strategy number ${i}`,
      universe: TRACKED_UNIVERSES[i % TRACKED_UNIVERSES.length],
      execution_price: i % 2 === 0 ? "open" : "close",
      holding_period: 1 + (i % 5),
      initial_capital: 1_000_000 + 1000 * (i % 13),
      commission_rate: 0.0003,
      slippage_rate: 0.001,
      status: pending ? "pending" : i % 17 === 3 ? "paused" : "active",
      is_public: i % 7 !== 2,
      is_demo: false,
      created_at: 1_700_000_000_000 + i,
      updated_at: 1_700_000_000_000 + i,
      activated_at: pending ? null : 1_700_000_100_000 + i,
      start_date: pending ? null : "2026-01-05",
      retired_at: null,
    };
    await track.strategies.create(s, 1_000_000);
    all.push(s);
    if (pending || i % 23 === 9) continue; // no settled day yet
    const tradingDays = 1 + ((i * 37) % 90);
    const nav = s.initial_capital * (1 + ((i % 41) - 20) / 200);
    const head: SettlementHead = { date: DAY, nav, trading_days: tradingDays };
    const point: NavPointRecord = {
      date: DAY,
      nav,
      daily_return: ((i % 9) - 4) / 1000,
      cumulative_return: nav / s.initial_capital - 1,
      benchmark_return: 0.001,
    };
    await kv.atomic().set(keys.settlementHead(s.slug), head).set(keys.settledNav(s.slug, DAY), point)
      .commit();
    settled.set(s.slug, { trading_days: tradingDays, nav, daily_return: point.daily_return });
    if (i % 10 === 1) {
      claimed.add(s.slug);
      await track.claimed.put({
        strategy_slug: s.slug,
        records: [{ date: "2025-12-31", nav: 1 }, { date: "2026-01-05", nav: 1.01 }],
        uploaded_at: 1_700_000_000_000,
      });
    }
  }
  const listed = all.filter((s) => s.is_public && s.status !== "pending").map((s) => s.slug);
  return { all, listed, settled, claimed };
}

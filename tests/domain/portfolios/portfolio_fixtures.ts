/**
 * Seeding for portfolio tests: active factors with values written straight through the factor repository (no
 * factor API needed), signed-in users, and instants in Asia/Shanghai.
 */
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import type { FactorRecord, FactorUniverse } from "../../../domain/store/factor_repo.ts";
import { newId } from "../../../domain/tokens_and_hashes.ts";
import { signInWithOtp, type TestWorld } from "../../_helpers/test_app.ts";

export const sse = getCalendar("SSE");

/** 2026-05-14 (a Thursday, an SSE trading day: the test world's day) at `hh:mm` Asia/Shanghai. */
export const cstOn = (date: string, time: string) => sse.instantAt(date, time);

/** The trading day the test world's clock starts on. */
export const DAY = "2026-05-14";

/** A user signed in through OTP: its token and id. */
export async function signIn(w: TestWorld, email: string): Promise<{ token: string; id: string }> {
  const s = await signInWithOtp(w, email, `10.0.${email.length}.${email.charCodeAt(0) % 250}`);
  return { token: s.access_token, id: s.user.id };
}

/** The stocks of `universe` in the world's market, sorted. */
export async function universeStocks(w: TestWorld, universe: FactorUniverse): Promise<string[]> {
  const infos = await w.deps.portfolios.factors.market.listSymbols({ universe });
  return infos.filter((s) => s.kind === "stock").map((s) => s.symbol).sort();
}

/** A deterministic pseudo-random cross-section over `symbols` (Lehmer generator seeded by `seed`). */
export function pseudoValues(symbols: readonly string[], seed: number): Float64Array {
  let x = seed % 2147483647 || 1;
  return Float64Array.from(symbols, () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647 - 0.5;
  });
}

/**
 * Stores a factor of `ownerId` (active unless `status` says otherwise) with `values` per date, through the
 * repository, and answers its id.
 */
export async function seedFactor(
  w: TestWorld,
  ownerId: string,
  opts: {
    name?: string;
    universe?: FactorUniverse;
    status?: FactorRecord["status"];
    ic_ir?: number | null;
    values: { date: string; symbols: readonly string[]; values: Float64Array }[];
  },
): Promise<string> {
  const repo = w.deps.portfolios.factors.factors;
  const now = w.clock.now();
  const id = newId("fac", now);
  const status = opts.status ?? "active";
  await repo.create({
    id,
    owner_id: ownerId,
    name: opts.name ?? `factor ${id.slice(-4)}`,
    universe: opts.universe ?? "hs300",
    description: null,
    expression: null,
    values_source: "upload",
    history_days: null,
    claimed: { ic_mean: null, ic_ir: null },
    status,
    is: {
      ic_mean: 0.03,
      ic_ir: opts.ic_ir === undefined ? 0.5 : opts.ic_ir,
      turnover: 0.2,
      sharpe: 1,
      fitness: 1,
      ic_decay: null,
      coverage: 1,
      data_days: 120,
      max_correlation: null,
      ic_std: null,
      annualised_return: null,
      ic_days: null,
    },
    os: null,
    checks: null,
    reject_reason: null,
    yearly_stats: null,
    values: { total_days: 0, start_date: null, end_date: null },
    submitted_at: null,
    validated_at: null,
    activated_at: status === "active" ? now : null,
    created_at: now,
    updated_at: now,
  });
  if (opts.values.length > 0) {
    await repo.putValues(id, opts.values, (r, summary) => ({ ...r, values: summary }));
  }
  return id;
}

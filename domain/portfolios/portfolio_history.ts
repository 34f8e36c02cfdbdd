/** A portfolio's signal history: the bound strategy's signals as the track record lists them. */
import { listSignals, toSignalView } from "../track_record/signals/signals.ts";
import { PORTFOLIO_SIGNAL_CONVENTIONS } from "./combine_signal.ts";
import { getOwnPortfolio } from "./portfolio_crud.ts";
import type { PortfolioSignalsPage } from "./portfolio_views.ts";
import type { PortfolioServices } from "./services.ts";

/**
 * A page of the caller's portfolio's signals, newest trade date first, each with its stock count, settlement
 * and attestation state (empty before the first activation).
 */
export async function listPortfolioSignalsView(
  deps: PortfolioServices,
  ownerId: string,
  id: string,
  limit: number,
  offset: number,
): Promise<PortfolioSignalsPage> {
  const p = await getOwnPortfolio(deps, ownerId, id);
  const conventions = { ...PORTFOLIO_SIGNAL_CONVENTIONS };
  if (!p.strategy_slug) return { signals: [], total: 0, limit, offset, conventions };
  const page = await listSignals(deps.track, ownerId, p.strategy_slug, limit, offset);
  const signals = page.items.map((r) => {
    const v = toSignalView(r);
    return {
      trade_date: v.trade_date,
      stock_count: v.signals.length,
      signal_hash: v.signal_hash,
      submitted_at: v.submitted_at,
      is_settled: v.is_settled,
      github_committed: v.github_committed,
      attestation: v.attestation,
      signals: v.signals,
    };
  });
  return { signals, total: page.total, limit, offset, conventions };
}

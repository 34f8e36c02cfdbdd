/**
 * Creating, reading, listing and deleting multi-factor portfolios. Another user's portfolio is "not found".
 */
import { BadRequestError, NotFoundError, ValidationError } from "../errors.ts";
import { newId } from "../tokens_and_hashes.ts";
import type { FactorUniverse } from "../store/factor_repo.ts";
import {
  MAX_PORTFOLIOS_PER_USER,
  type PortfolioRecord,
  type PortfolioWeighting,
} from "../store/portfolio_repo.ts";
import { MAX_SIGNAL_SYMBOLS } from "../track_record/signals/signals.ts";
import { patchTracked } from "../track_record/signals/tracked_strategies.ts";
import { type PortfolioView, toPortfolioView } from "./portfolio_views.ts";
import type { PortfolioServices } from "./services.ts";

/** Fields of a new portfolio (defaults applied by the caller's schema). */
export interface CreatePortfolioInput {
  name: string;
  universe: FactorUniverse;
  weighting: PortfolioWeighting;
  top_n: number;
}

/** The caller's portfolio; someone else's or a missing one is `NotFoundError`. */
export async function getOwnPortfolio(
  deps: PortfolioServices,
  ownerId: string,
  id: string,
): Promise<PortfolioRecord> {
  const p = await deps.portfolios.get(id);
  if (!p || p.owner_id !== ownerId) throw new NotFoundError(`Portfolio "${id}" not found`);
  return p;
}

/**
 * Creates a draft portfolio with no members. `top_n` above the most symbols a day's signal may hold
 * (`MAX_SIGNAL_SYMBOLS`) is refused (422 at `top_n`): such a portfolio could never submit its signal.
 */
export async function createPortfolio(
  deps: PortfolioServices,
  ownerId: string,
  input: CreatePortfolioInput,
): Promise<PortfolioView> {
  if (input.top_n > MAX_SIGNAL_SYMBOLS) {
    throw new ValidationError(
      `top_n ${input.top_n} is above the ${MAX_SIGNAL_SYMBOLS} symbols a day's signal may hold`,
      ["top_n"],
      "less_than_equal",
    );
  }
  const now = deps.track.clock.now();
  const record: PortfolioRecord = {
    id: newId("pf", now),
    owner_id: ownerId,
    name: input.name,
    universe: input.universe,
    weighting: input.weighting,
    top_n: input.top_n,
    status: "draft",
    members: [],
    strategy_slug: null,
    created_at: now,
    updated_at: now,
    activated_at: null,
    paused_at: null,
  };
  await deps.portfolios.create(record);
  return await toPortfolioView(deps, record);
}

/** A page of the caller's portfolios, newest first, with how many one user may hold (`max_portfolios`). */
export async function listPortfoliosView(
  deps: PortfolioServices,
  ownerId: string,
  page: { limit: number; offset: number },
): Promise<
  { portfolios: PortfolioView[]; total: number; limit: number; offset: number; max_portfolios: number }
> {
  const all = await deps.portfolios.listByOwner(ownerId);
  const portfolios: PortfolioView[] = [];
  for (const p of all.slice(page.offset, page.offset + page.limit)) {
    portfolios.push(await toPortfolioView(deps, p));
  }
  return {
    portfolios,
    total: all.length,
    limit: page.limit,
    offset: page.offset,
    max_portfolios: MAX_PORTFOLIOS_PER_USER,
  };
}

/** One of the caller's portfolios. */
export async function getPortfolioView(
  deps: PortfolioServices,
  ownerId: string,
  id: string,
): Promise<PortfolioView> {
  return await toPortfolioView(deps, await getOwnPortfolio(deps, ownerId, id));
}

/**
 * Deletes a draft or paused portfolio (an active one: pause first, 400, checked inside the delete's commit so a
 * concurrent activation cannot slip in between). After the delete commits, the deleted record's bound strategy,
 * if not retired yet, is retired (its public track record stays, with its whole lifecycle, like any retired
 * strategy).
 */
export async function deletePortfolio(
  deps: PortfolioServices,
  ownerId: string,
  id: string,
): Promise<{ deleted: true; id: string; retired_strategy: string | null }> {
  await getOwnPortfolio(deps, ownerId, id);
  const deleted = await deps.portfolios.delete(id, (cur) => {
    if (cur.status === "active") {
      throw new BadRequestError(`Portfolio "${id}" is active: pause it before deleting it`);
    }
  });
  if (!deleted) throw new NotFoundError(`Portfolio "${id}" not found`);
  let retired: string | null = null;
  if (deleted.strategy_slug) {
    const s = await deps.track.strategies.get(deleted.strategy_slug);
    if (s && s.status !== "retired") {
      await patchTracked(deps.track, ownerId, s.slug, { status: "retired" }, { managedBy: deleted.id });
      retired = s.slug;
    }
  }
  return { deleted: true, id, retired_strategy: retired };
}

/**
 * A portfolio's member factors: the owner's active factors of the portfolio's universe, no duplicates, at most
 * `MAX_PORTFOLIO_MEMBERS`, and never changed while the portfolio is active (pause first).
 */
import { BadRequestError, ConflictError, NotFoundError } from "../errors.ts";
import type { FactorRecord } from "../store/factor_repo.ts";
import { MAX_PORTFOLIO_MEMBERS, type PortfolioRecord } from "../store/portfolio_repo.ts";
import { getOwnPortfolio } from "./portfolio_crud.ts";
import { type PortfolioView, toPortfolioView } from "./portfolio_views.ts";
import type { PortfolioServices } from "./services.ts";

/** The caller's factor; someone else's or a missing one is `NotFoundError` (never revealed). */
async function getOwnFactor(
  deps: PortfolioServices,
  ownerId: string,
  factorId: string,
): Promise<FactorRecord> {
  const f = await deps.factors.factors.get(factorId);
  if (!f || f.owner_id !== ownerId) throw new NotFoundError(`Factor "${factorId}" not found`);
  return f;
}

/** Refuses a member change of an active portfolio. */
function assertNotActive(p: PortfolioRecord): void {
  if (p.status === "active") {
    throw new BadRequestError(`Portfolio "${p.id}" is active: pause it first to change its members`);
  }
}

/** Adds one of the caller's active factors of the same universe (400/404/409 as the rules above say). */
export async function addPortfolioMember(
  deps: PortfolioServices,
  ownerId: string,
  id: string,
  factorId: string,
): Promise<PortfolioView> {
  const p = await getOwnPortfolio(deps, ownerId, id);
  const f = await getOwnFactor(deps, ownerId, factorId);
  const now = deps.track.clock.now();
  const next = await deps.portfolios.update(id, (cur) => {
    assertNotActive(cur);
    if (cur.members.some((m) => m.factor_id === factorId)) {
      throw new ConflictError(`Factor "${factorId}" is already a member of portfolio "${id}"`);
    }
    if (f.status !== "active") {
      throw new BadRequestError(`Factor "${factorId}" is ${f.status}: only active factors can be members`);
    }
    if (f.universe !== cur.universe) {
      throw new BadRequestError(
        `Factor "${factorId}" is for ${f.universe}, the portfolio for ${cur.universe}: universes must match`,
      );
    }
    if (cur.members.length >= MAX_PORTFOLIO_MEMBERS) {
      throw new BadRequestError(`A portfolio holds at most ${MAX_PORTFOLIO_MEMBERS} member factors`);
    }
    return { ...cur, members: [...cur.members, { factor_id: factorId, added_at: now }], updated_at: now };
  });
  if (!next) throw new NotFoundError(`Portfolio "${p.id}" not found`);
  return await toPortfolioView(deps, next);
}

/** Removes a member of a draft or paused portfolio; a factor that is not a member is `NotFoundError`. */
export async function removePortfolioMember(
  deps: PortfolioServices,
  ownerId: string,
  id: string,
  factorId: string,
): Promise<PortfolioView> {
  const p = await getOwnPortfolio(deps, ownerId, id);
  const now = deps.track.clock.now();
  const next = await deps.portfolios.update(id, (cur) => {
    assertNotActive(cur);
    if (!cur.members.some((m) => m.factor_id === factorId)) {
      throw new NotFoundError(`Factor "${factorId}" is not a member of portfolio "${id}"`);
    }
    return { ...cur, members: cur.members.filter((m) => m.factor_id !== factorId), updated_at: now };
  });
  if (!next) throw new NotFoundError(`Portfolio "${p.id}" not found`);
  return await toPortfolioView(deps, next);
}

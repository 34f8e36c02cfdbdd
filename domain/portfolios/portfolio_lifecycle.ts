/**
 * A portfolio's lifecycle: draft → active (activate) ⇄ paused (pause, resume). The first activation creates the
 * tracked strategy `mf-<name>-<6 chars of the id>` (open execution, holding period 1, the default capital and
 * costs, the portfolio's universe as benchmark) within the caller's tier limit and binds it; pause and resume
 * pause and reactivate that strategy. Becoming active on an SSE trading day before the 09:15 deadline submits the
 * day's signal at once (a failure is recorded, does not undo the change, and the 09:00–09:12 runs retry it).
 */
import { tierInfo } from "../auth/tiers.ts";
import { getCalendar } from "../calendar/calendar.ts";
import { BadRequestError, ConflictError, NotFoundError } from "../errors.ts";
import type { PortfolioRecord, PortfolioStatus } from "../store/portfolio_repo.ts";
import type { Actor } from "../track_record/operations.ts";
import { signalDeadline } from "../track_record/signals/signals.ts";
import {
  createTrackedStrategy,
  MANAGED_SLUG_PREFIX,
  patchTracked,
} from "../track_record/signals/tracked_strategies.ts";
import { getOwnPortfolio } from "./portfolio_crud.ts";
import { submitPortfolioSignal } from "./portfolio_signal.ts";
import { type PortfolioView, toPortfolioView } from "./portfolio_views.ts";
import type { PortfolioServices } from "./services.ts";

const sse = getCalendar("SSE");

/** The bound strategy's fixed terms (the strategy API's defaults, open execution, rebalanced daily). */
const PORTFOLIO_STRATEGY_TERMS = {
  execution_price: "open",
  holding_period: 1,
  initial_capital: 1_000_000,
  commission_rate: 0.0003,
  slippage_rate: 0.002,
} as const;

/** Longest slugified-name part of a strategy slug (`mf-` + name + `-` + 6 characters ≤ 49). */
const SLUG_NAME_CHARS = 39;

/**
 * The strategy slugs a portfolio may bind, in order of preference: `mf-<name>-<6 chars>` with the name lower-cased,
 * every run of other characters than a–z and 0–9 turned into one `-` (a name with none left is `portfolio`), and
 * the 6 characters the last six of the id (then the six before them, should a slug be taken by someone else).
 */
function portfolioSlugs(name: string, id: string): string[] {
  const part =
    name.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, SLUG_NAME_CHARS).replace(/^-+|-+$/g, "") ||
    "portfolio";
  const tail = id.toLowerCase().replace(/[^a-z0-9]/g, "");
  return [tail.slice(-6), tail.slice(-12, -6)].map((six) => `${MANAGED_SLUG_PREFIX}${part}-${six}`);
}

/** Refuses a lifecycle action in the wrong state, naming the current one. */
function wrongState(p: PortfolioRecord, action: string, from: PortfolioStatus): BadRequestError {
  const hint = p.status === "paused" && action === "activate"
    ? " (use resume)"
    : p.status === "active" && action === "resume"
    ? " (already active)"
    : "";
  return new BadRequestError(
    `Cannot ${action} portfolio "${p.id}": it is ${p.status}, ${action} applies to a ${from} portfolio${hint}`,
  );
}

/** Checks the members can produce a signal: at least 2, each an active factor of the owner in the universe. */
async function assertMembersReady(deps: PortfolioServices, p: PortfolioRecord): Promise<void> {
  if (p.members.length < 2) {
    throw new BadRequestError(
      `Portfolio "${p.id}" has ${p.members.length} member factors: at least 2 are needed`,
    );
  }
  for (const m of p.members) {
    const f = await deps.factors.factors.get(m.factor_id);
    if (!f || f.owner_id !== p.owner_id) {
      throw new BadRequestError(`Member factor "${m.factor_id}" no longer exists: remove it first`);
    }
    if (f.status !== "active") {
      throw new BadRequestError(
        `Member factor "${f.name}" (${f.id}) is ${f.status}: every member must be active`,
      );
    }
    if (f.universe !== p.universe) {
      throw new BadRequestError(
        `Member factor "${f.name}" (${f.id}) is for ${f.universe}, not ${p.universe}`,
      );
    }
  }
}

/**
 * Creates the portfolio's tracked strategy for `actor` (tier limit: 403), managed by the portfolio, and answers
 * its slug. A slug already held by a strategy managed by this portfolio is one an interrupted earlier activation
 * created and is reused unless retired; a slug held by anything else (another user's strategy, or one the owner
 * made) moves on to the next candidate slug.
 */
async function createPortfolioStrategy(
  deps: PortfolioServices,
  actor: Actor,
  p: PortfolioRecord,
): Promise<string> {
  const max = tierInfo(actor.tier).limits.max_tracked_strategies;
  let lastConflict: ConflictError | null = null;
  for (const slug of portfolioSlugs(p.name, p.id)) {
    try {
      await createTrackedStrategy(deps.track, actor.id, max, {
        name: p.name,
        slug,
        description: `Multi-factor portfolio ${p.id} (${p.universe}, ${p.weighting}, top ${p.top_n})`,
        universe: p.universe,
        ...PORTFOLIO_STRATEGY_TERMS,
        managed_by: p.id,
      });
      return slug;
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      const held = await deps.track.strategies.get(slug);
      if (held && held.owner_id === actor.id && held.status !== "retired" && held.managed_by === p.id) {
        return slug;
      }
      lastConflict = e;
    }
  }
  throw lastConflict ?? new ConflictError(`No free strategy slug for portfolio "${p.id}"`);
}

/** Submits today's signal now when today is an SSE trading day and the 09:15 deadline is ahead; never throws. */
async function submitIfBeforeDeadline(deps: PortfolioServices, p: PortfolioRecord): Promise<void> {
  const now = deps.track.clock.now();
  const today = sse.today(now);
  if (!sse.isTradingDay(today) || now >= signalDeadline(today, "open")) return;
  try {
    await submitPortfolioSignal(deps, p, today);
  } catch (e) {
    deps.track.log("error", "immediate portfolio signal failed", { portfolio: p.id, error: String(e) });
  }
}

/** The member factor ids of `p`, sorted (to compare member sets). */
function memberSet(p: PortfolioRecord): string {
  return p.members.map((m) => m.factor_id).sort().join(",");
}

/**
 * Stores the status change `from → to` (refused if the state moved meanwhile). With `validated` (the record
 * whose members were checked), the commit is also refused (400) unless the current record still has at least 2
 * members and exactly the validated set (a member removed or added concurrently).
 */
async function transition(
  deps: PortfolioServices,
  p: PortfolioRecord,
  action: string,
  from: PortfolioStatus,
  change: (cur: PortfolioRecord, now: number) => PortfolioRecord,
  validated?: PortfolioRecord,
): Promise<PortfolioRecord> {
  const now = deps.track.clock.now();
  const next = await deps.portfolios.update(p.id, (cur) => {
    if (cur.status !== from) throw wrongState(cur, action, from);
    if (validated && (cur.members.length < 2 || memberSet(cur) !== memberSet(validated))) {
      throw new BadRequestError(
        `Cannot ${action} portfolio "${p.id}": its members changed meanwhile (${cur.members.length} now, ` +
          `at least 2 needed); try again`,
      );
    }
    return { ...change(cur, now), updated_at: now };
  });
  if (!next) throw new NotFoundError(`Portfolio "${p.id}" not found`);
  return next;
}

/** The bound strategy, refusing one that was retired (a portfolio cannot publish through it any more). */
async function boundStrategy(deps: PortfolioServices, p: PortfolioRecord) {
  if (!p.strategy_slug) return null;
  const s = await deps.track.strategies.get(p.strategy_slug);
  if (s?.status === "retired") {
    throw new BadRequestError(
      `The portfolio's strategy "${s.slug}" is retired: its record is final; create a new portfolio`,
    );
  }
  return s;
}

/** Retires a strategy whose portfolio is gone (logged, never throws). */
async function retireOrphan(
  deps: PortfolioServices,
  ownerId: string,
  slug: string,
  id: string,
): Promise<void> {
  try {
    const s = await deps.track.strategies.get(slug);
    if (s && s.status !== "retired" && s.managed_by === id) {
      await patchTracked(deps.track, ownerId, slug, { status: "retired" }, { managedBy: id });
    }
  } catch (e) {
    deps.track.log("error", "retiring a deleted portfolio's strategy failed", {
      portfolio: id,
      error: String(e),
    });
  }
}

/** draft → active: checks the members, creates and binds the strategy, submits today's signal if in time. */
export async function activatePortfolio(
  deps: PortfolioServices,
  actor: Actor,
  id: string,
): Promise<PortfolioView> {
  const p = await getOwnPortfolio(deps, actor.id, id);
  if (p.status !== "draft") throw wrongState(p, "activate", "draft");
  await assertMembersReady(deps, p);
  const created = p.strategy_slug === null;
  const slug = p.strategy_slug ?? await createPortfolioStrategy(deps, actor, p);
  let next: PortfolioRecord;
  try {
    next = await transition(deps, p, "activate", "draft", (cur, now) => ({
      ...cur,
      status: "active",
      strategy_slug: slug,
      activated_at: now,
      paused_at: null,
    }), p);
  } catch (e) {
    // Deleted meanwhile: the strategy just made for it would be bound to nothing; retire it (best effort).
    if (created && e instanceof NotFoundError) await retireOrphan(deps, actor.id, slug, p.id);
    throw e;
  }
  await submitIfBeforeDeadline(deps, next);
  return await toPortfolioView(deps, next);
}

/** active → paused; an active bound strategy is paused too (a pending one stays pending). */
export async function pausePortfolio(
  deps: PortfolioServices,
  ownerId: string,
  id: string,
): Promise<PortfolioView> {
  const p = await getOwnPortfolio(deps, ownerId, id);
  if (p.status !== "active") throw wrongState(p, "pause", "active");
  const next = await transition(deps, p, "pause", "active", (cur, now) => ({
    ...cur,
    status: "paused",
    paused_at: now,
  }));
  const s = next.strategy_slug ? await deps.track.strategies.get(next.strategy_slug) : null;
  if (s?.status === "active") {
    await patchTracked(deps.track, ownerId, s.slug, { status: "paused" }, { managedBy: next.id });
  }
  return await toPortfolioView(deps, next);
}

/**
 * paused → active, with the activation's member checks; a paused bound strategy becomes active again; today's
 * signal is submitted at once when in time, as on activation.
 */
export async function resumePortfolio(
  deps: PortfolioServices,
  ownerId: string,
  id: string,
): Promise<PortfolioView> {
  const p = await getOwnPortfolio(deps, ownerId, id);
  if (p.status !== "paused") throw wrongState(p, "resume", "paused");
  await assertMembersReady(deps, p);
  const s = await boundStrategy(deps, p);
  const next = await transition(deps, p, "resume", "paused", (cur, now) => ({
    ...cur,
    status: "active",
    activated_at: now,
    paused_at: null,
  }), p);
  if (s?.status === "paused") {
    await patchTracked(deps.track, ownerId, s.slug, { status: "active" }, { managedBy: next.id });
  }
  await submitIfBeforeDeadline(deps, next);
  return await toPortfolioView(deps, next);
}

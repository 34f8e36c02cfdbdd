/**
 * Paper-trading instances of library strategies (document 003 "Strategy Operations"): start, list, get, stop,
 * and the event log. One operation per route; every one is the owner's only (another user's strategy or
 * instance, or an instance of another strategy, is "not found").
 *
 * `strategyRef` is my library strategy's id or the name of exactly one of my strategies (case-insensitive, as
 * `/strategies/{name}/stage`): none is a 404 saying so, several a 409 listing their ids.
 *
 * Starting pins what the instance runs: the version's spec with `start` = `start_date`, the symbols (tickers
 * and the universe's members at start) and their exchanges. A start date in the past processes every closed
 * session since then, in order, before answering. Stopping is final: pending orders are cancelled (logged)
 * and, with `liquidate`, every position is sold at its last processed close.
 */
import { chargeRate } from "../auth/rate_limiter.ts";
import { tierInfo } from "../auth/tiers.ts";
import { assertWithinExpressionBudget, estimateBacktestCost, WARMUP_DAYS } from "../backtest/run_backtest.ts";
import { addDays, isIsoDate, toDayNumber } from "../calendar/dates.ts";
import type { ExchangeCode } from "../calendar/exchanges.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import type { PageRequest } from "../store/kv.ts";
import type { LibraryStrategyRecord } from "../store/library_repo.ts";
import type { PaperEventRecord, PaperInstanceRecord, PaperStatus } from "../store/paper_repo.ts";
import { findOwnStrategyByName } from "../strategy/strategy_by_name.ts";
import { newId } from "../tokens_and_hashes.ts";
import { advanceInstance } from "./paper_advance.ts";
import { latestClosedDate, paperSymbols } from "./paper_runner.ts";
import { stopCommit } from "./paper_stop.ts";
import type { PaperServices } from "./paper_services.ts";
import {
  eventView,
  instanceView,
  numbered,
  type PaperEventView,
  type PaperInstanceView,
} from "./paper_views.ts";

/** The rate bucket of starts (charged with the backtest rate, `RATE_LIMIT_BACKTEST`). */
const START_BUCKET = "paper_run";
/** How far back a start date may be (about five years, as a backtest's default span). */
const MAX_PAST_DAYS = 5 * 365 + 1;
/** How far ahead a start date may be. */
const MAX_FUTURE_DAYS = 31;
/** An ISO-8601 instant with a time zone: `2026-05-14T07:15:41Z`, optional fraction, `Z` or `±hh:mm`. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Concurrent-write retries of a stop. */
const MAX_STOP_RETRIES = 20;

/**
 * My strategy `ref` (an id, else a name), or a 404 that says what `ref` had to be. With `deleted`, a deleted
 * strategy named by its id is found too: its instances stay readable and stoppable.
 */
async function ownStrategy(
  deps: PaperServices,
  userId: string,
  ref: string,
  opts: { deleted?: boolean } = {},
): Promise<LibraryStrategyRecord> {
  const byId = await deps.library.library.get(ref);
  if (byId && byId.user_id === userId && (!byId.deleted || opts.deleted)) return byId;
  const byName = await findOwnStrategyByName(deps.library, userId, ref);
  if (byName) return byName;
  throw new NotFoundError(
    `"${ref}" is not the id or the name of one of your library strategies: paper instances run strategies ` +
      `of your library (/library); /strategies/{slug} itself is a tracked strategy, which has no instances`,
  );
}

/** My instance `id` of strategy `ref`. */
async function ownInstance(deps: PaperServices, userId: string, ref: string, id: string) {
  const s = await ownStrategy(deps, userId, ref, { deleted: true });
  const entry = await deps.instances.get(id);
  if (!entry || entry.record.user_id !== userId || entry.record.strategy_id !== s.id) {
    throw new NotFoundError(`Paper instance "${id}" of strategy "${ref}" not found`);
  }
  return entry;
}

/** Default of how long a start processes past bars before it answers (the rest goes on in the background). */
const START_CATCH_UP_MS = 10_000;

/** The body of a start: all optional. */
export interface StartInstanceInput {
  version?: number;
  start_date?: string;
  is_public?: boolean;
}

/** Today (UTC) at the deps' clock. */
const todayOf = (deps: PaperServices) => new Date(deps.clock.now()).toISOString().slice(0, 10);

/**
 * Starts an instance of my strategy `ref` (its production version unless `version` is named). `start_date`
 * (default: the day after the latest session its exchanges have closed) is at most five years back and 31 days
 * ahead; a past one is processed through the latest closed session before this answers.
 */
export async function startInstance(
  deps: PaperServices,
  userId: string,
  ref: string,
  input: StartInstanceInput,
): Promise<PaperInstanceView> {
  await chargeRate(deps.rate, START_BUCKET, userId);
  const s = await ownStrategy(deps, userId, ref);
  const version = input.version ?? s.production_version;
  if (version === null) {
    throw new ConflictError(
      `Strategy "${s.name}" (${s.id}) has no production version: promote a version or name one ("version")`,
    );
  }
  const v = await deps.library.library.getVersion(s.id, version);
  if (!v) throw new NotFoundError(`Strategy "${s.name}" (${s.id}) has no version ${version}`);

  const user = await deps.users.get(userId);
  const cap = tierInfo(user?.tier ?? "free").limits.max_running_instances;
  // What the instance runs, pinned now: symbols (tickers + the universe today) and their exchanges.
  const symbols = await paperSymbols(v.spec, deps.market);
  const infos = await Promise.all(symbols.map((t) => deps.market.getSymbol(t, userId)));
  const unknown = symbols.filter((_, i) => infos[i] === null);
  if (unknown.length > 0) {
    throw new ValidationError(
      `Version ${version} names symbol(s) with no market data: ${unknown.slice(0, 20).join(", ")}`,
      ["version"],
    );
  }
  const exchanges = [...new Set(infos.map((i) => i!.exchange))].sort();
  const lotSizes = Object.fromEntries(infos.map((i) => [i!.symbol.toUpperCase(), i!.lot_size]));

  const today = todayOf(deps);
  const closed = latestClosedDate(exchanges as ExchangeCode[], deps.clock.now());
  const startDate = input.start_date ?? addDays(closed, 1);
  if (startDate < addDays(today, -MAX_PAST_DAYS)) {
    throw new ValidationError(
      `start_date may be at most 5 years back (not before ${addDays(today, -MAX_PAST_DAYS)})`,
      [
        "start_date",
      ],
    );
  }
  if (startDate > addDays(today, MAX_FUTURE_DAYS)) {
    throw new ValidationError(
      `start_date may be at most ${MAX_FUTURE_DAYS} days ahead (not after ${
        addDays(today, MAX_FUTURE_DAYS)
      })`,
      ["start_date"],
    );
  }
  const spec = { ...v.spec, start: startDate };

  // Work budget: the bars an advance loads now (warm-up included) and the cost of evaluating the rules on them.
  const horizon = startDate > today ? startDate : today;
  const symbolBars = symbols.length *
    Math.ceil(((toDayNumber(horizon) - toDayNumber(addDays(startDate, -WARMUP_DAYS))) * 252) / 365);
  if (symbolBars > deps.maxSymbolBars) {
    throw new ValidationError(
      `This instance would load about ${symbolBars} symbol-bars (${symbols.length} symbols from ` +
        `${startDate} less ${WARMUP_DAYS} warm-up days), over the limit of ${deps.maxSymbolBars} ` +
        `(MAX_JOB_SYMBOL_BARS): start later or use fewer symbols`,
      ["start_date"],
    );
  }
  assertWithinExpressionBudget(
    await estimateBacktestCost({ ...spec, end: horizon }, deps.market, userId),
    deps.maxExpressionCost,
    ["version"],
    `version ${version} of this strategy`,
    "MAX_JOB_EXPRESSION_COST",
  );

  const now = deps.clock.now();
  const record: PaperInstanceRecord = {
    id: newId("pi", now),
    user_id: userId,
    strategy_id: s.id,
    strategy_name: s.name,
    version,
    status: "running",
    is_public: input.is_public ?? false,
    spec,
    symbols,
    exchanges,
    start_date: startDate,
    started_at: now,
    stopped_at: null,
    stop_reason: null,
    last_bar_date: null,
    bars_processed: 0,
    initial_capital: spec.capital,
    equity: spec.capital,
    cash: spec.capital,
    holdings_value: 0,
    state: null,
    last_close: {},
    lot_sizes: lotSizes,
    trades_count: 0,
    last_seq: 1,
    error: null,
    updated_at: now,
  };
  const started = numbered(
    [{
      date: null,
      type: "started",
      message: `Started version ${version} of "${s.name}" from ${startDate} with ${spec.capital} on ` +
        `${symbols.length} symbol(s)`,
      data: {
        strategy_id: s.id,
        version,
        start_date: startDate,
        symbols,
        exchanges,
        initial_capital: spec.capital,
      },
    }],
    0,
    now,
  );
  if (!(await deps.instances.create(record, { events: started, trades: [] }, cap))) {
    throw new ForbiddenError(
      `Your tier runs at most ${cap} paper instance(s) at once: stop one before starting another`,
    );
  }
  const inRequest = symbolBars <= (deps.maxSyncSymbolBars ?? Infinity);
  if (startDate <= closed && !inRequest) {
    // Bigger than a synchronous backtest: the whole catch-up runs after the answer.
    deps.background?.run(`paper-catch-up:${record.id}`, () => advanceInstance(deps, record.id, closed));
  } else if (startDate <= closed) {
    // A long catch-up answers after `startCatchUpMs` (default 10 s) and goes on in the background (the next advance job
    // would too): `last_bar_date` says how far it got.
    // A storage failure (not a refusal of the data, which fails the instance) leaves it running for the jobs.
    const first = await advanceInstance(deps, record.id, closed, {
      budgetMs: deps.startCatchUpMs ?? START_CATCH_UP_MS,
    }).catch(
      (e) => {
        deps.log("error", "paper catch-up failed; the advance jobs will retry", {
          instance_id: record.id,
          error: e instanceof Error ? e.message : String(e),
        });
        return null;
      },
    );
    if (first && !first.complete) {
      deps.background?.run(`paper-catch-up:${record.id}`, () => advanceInstance(deps, record.id, closed));
    }
  }
  return instanceView((await deps.instances.get(record.id))!.record);
}

/** My instances of strategy `ref`, newest first. */
export async function listInstances(
  deps: PaperServices,
  userId: string,
  ref: string,
  query: PageRequest & { status?: PaperStatus },
): Promise<{ instances: PaperInstanceView[]; total: number }> {
  const s = await ownStrategy(deps, userId, ref, { deleted: true });
  const page = await deps.instances.listByUser(userId, query, { strategyId: s.id, status: query.status });
  return { instances: page.items.map(instanceView), total: page.total };
}

/** My instance `id` of strategy `ref`. */
export async function getInstance(
  deps: PaperServices,
  userId: string,
  ref: string,
  id: string,
): Promise<PaperInstanceView> {
  return instanceView((await ownInstance(deps, userId, ref, id)).record);
}

/**
 * Stops my running instance (final): pending orders are cancelled, and with `liquidate` (default: the spec's
 * `close_at_end`) every position is sold at its last processed close (reason "liquidated on stop"). Stopping a
 * stopped or failed instance is a 409.
 */
export async function stopInstance(
  deps: PaperServices,
  userId: string,
  ref: string,
  id: string,
  input: { liquidate?: boolean },
): Promise<PaperInstanceView> {
  for (let i = 0; i < MAX_STOP_RETRIES; i++) {
    const entry = await ownInstance(deps, userId, ref, id);
    const r = entry.record;
    if (r.status !== "running") throw new ConflictError(`Paper instance "${id}" is already ${r.status}`);
    const liquidate = input.liquidate ?? r.spec.close_at_end;
    const stop = stopCommit(r, {
      liquidate,
      reason: liquidate ? "stopped by owner (liquidated)" : "stopped by owner",
      message: liquidate ? "Stopped; positions liquidated at the last close" : "Stopped; positions kept",
      now: deps.clock.now(),
    });
    if (await deps.instances.commit(entry.versionstamp, stop.next, stop)) return instanceView(stop.next);
  }
  throw new ConflictError(`Paper instance "${id}" is changing too often, try again`);
}

/** A page of an instance's log. */
export interface InstanceLogPage {
  instance_id: string;
  events: PaperEventView[];
  /** What to pass as `since` next: the last event's seq (or the `since` given when nothing was new). */
  next_since: number | null;
  has_more: boolean;
}

/**
 * Events of my instance after `since` (a `seq`), or from `since` (a date `YYYY-MM-DD` = its 00:00 UTC, or an
 * ISO instant: events written at or after it), at most `limit`, in `seq` order.
 */
export async function instanceLogs(
  deps: PaperServices,
  userId: string,
  ref: string,
  id: string,
  query: { since?: string; limit: number },
): Promise<InstanceLogPage> {
  await ownInstance(deps, userId, ref, id);
  let after = 0;
  const since = query.since;
  if (since !== undefined && /^\d{1,15}$/.test(since)) {
    after = Number(since);
  } else if (since !== undefined) {
    const ms = isIsoDate(since)
      ? Date.parse(`${since}T00:00:00Z`)
      : ISO_INSTANT.test(since) && isIsoDate(since.slice(0, 10))
      ? Date.parse(since)
      : NaN;
    if (!Number.isFinite(ms)) {
      throw new ValidationError(
        "since must be an event seq (an integer), a date YYYY-MM-DD or an ISO-8601 instant",
        ["since"],
      );
    }
    const first = await deps.instances.firstSeqFrom(id, ms);
    if (first === null) return { instance_id: id, events: [], next_since: null, has_more: false };
    after = first - 1;
  }
  const page = await deps.instances.eventsAfter(id, after, query.limit);
  const last: PaperEventRecord | undefined = page.events[page.events.length - 1];
  return {
    instance_id: id,
    events: page.events.map(eventView),
    next_since: last ? last.seq : after > 0 ? after : null,
    has_more: page.has_more,
  };
}

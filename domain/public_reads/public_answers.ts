/**
 * The catalogue of public answers: for each public read, its cache key (the read and every input that shapes
 * it), the scopes it depends on (`scopes.ts`), the domain call that builds it, and whether it is materialised in
 * KV (`materialized_answer_repo.ts`). The routes answer through it and the post-settlement step warms through
 * it, so both name an answer by the same key.
 *
 * Only answers whose keys are few are materialised (a strategy's record, performance, verify, claimed history
 * and first audit page; the list's default-size pages; a log's checkpoint, witnesses and first checkpoints page):
 * keys shaped by arbitrary query values (any offset, any proof) stay in the in-process cache only, so no
 * request can make KV store answers without bound.
 */
import type { TrackRecordServices } from "../track_record/services.ts";
import type { PublicListings } from "./public_listings.ts";
import {
  publicAudit,
  publicClaimed,
  publicListingPage,
  publicPerformance,
  publicTrackRecord,
  publicVerifyDay,
} from "../track_record/public_record.ts";
import {
  logCheckpoint,
  logCheckpoints,
  logConsistencyProof,
  logInclusionProof,
  logWitnesses,
  publicStrategiesPage,
} from "../track_record/operations.ts";
import type { LogName } from "../track_record/log_views.ts";
import type { TrackedUniverse } from "../store/tracked_strategy_repo.ts";
import { CALENDAR_SCOPE, LIST_SCOPE, logScope, MARKET_SCOPE, strategyScope } from "./scopes.ts";
import { ServedOnly } from "./response_cache.ts";
import { ServiceUnavailableError } from "../errors.ts";

/** One public answer. */
export interface PublicAnswer {
  /** The cache key: the read and its inputs (validated values). */
  key: string;
  /** What it depends on (at most 10 scopes). */
  scopes: readonly string[];
  /** Builds it (a domain call; a 4xx or 503 is thrown, never kept; a `ServedOnly` is served, never kept). */
  build: () => Promise<unknown>;
  /** Whether it is kept in KV for every isolate (see the module comment). */
  materialize: boolean;
}

/** The list's page size when none is asked (`PageQuery`'s default); its pages are the materialised ones. */
export const LIST_PAGE_SIZE = 50;
/** Pages of the list materialised per universe filter (the first 2,000 rows at the default page size). */
const MATERIALIZED_LIST_PAGES = 40;
/** The audit page materialised: the default one (newest 50 entries). */
export const AUDIT_PAGE_SIZE = 50;
/** The checkpoints page materialised: the default one. */
const CHECKPOINTS_DEFAULT = { from_size: 1, limit: 100 };

/**
 * `deps` whose market reads are watched, and `check` that throws a 503 when one of them failed: the claimed
 * block shows the benchmark's returns and, on a failed read, logs it and shows `null`s — an answer that must not
 * be kept under a token (the next read would serve it until the next write). Other callers (MCP, pages) keep
 * the degraded answer.
 */
function watchedMarket(deps: TrackRecordServices): { deps: TrackRecordServices; check(): void } {
  let failure: unknown = null;
  const market = deps.market;
  const getBars: typeof market.getBars = (...args) =>
    market.getBars(...args).catch((e) => {
      failure = e;
      throw e;
    });
  const watched = new Proxy(market, {
    get(target, prop) {
      if (prop === "getBars") return getBars;
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return {
    deps: { ...deps, market: watched },
    check() {
      if (failure !== null) {
        throw new ServiceUnavailableError("Market data is unavailable right now; try again shortly");
      }
    },
  };
}

/** A build that reads the benchmark's bars (see `watchedMarket`). */
async function withBenchmark<T>(deps: TrackRecordServices, build: (d: TrackRecordServices) => Promise<T>) {
  const w = watchedMarket(deps);
  const out = await build(w.deps);
  w.check();
  return out;
}

/** The installed official calendars, brought up to date first (`provisional` flags follow them). */
async function calendarsCurrent(deps: TrackRecordServices): Promise<void> {
  await deps.calendarsCurrent?.();
}

/** `checkpoint` served but never kept when its tree is empty: that one is signed at the time it is asked. */
function keptUnlessEmpty<T>(value: T, checkpoint: { tree_size: number } | null | undefined): T | ServedOnly {
  return checkpoint && checkpoint.tree_size === 0 ? new ServedOnly(value) : value;
}

/**
 * The public list's page; with `listings`, sliced from the sorted list held there (`public_listings.ts`) rather
 * than built from the list's range reads (the same JSON).
 */
export function listAnswer(
  deps: TrackRecordServices,
  query: { universe?: TrackedUniverse; limit: number; offset: number },
  listings?: PublicListings,
): PublicAnswer {
  const { universe, limit, offset } = query;
  return {
    key: `list ${universe ?? "*"} ${limit} ${offset}`,
    scopes: [LIST_SCOPE],
    build: listings
      ? async () => publicListingPage(deps, await listings.current(universe), { limit, offset })
      : () => publicStrategiesPage(deps, { ...(universe ? { universe } : {}), limit, offset }),
    materialize: limit === LIST_PAGE_SIZE && offset % limit === 0 && offset < limit * MATERIALIZED_LIST_PAGES,
  };
}

/**
 * A strategy's track record (with its claimed block, which shows the benchmark's returns: market data). Its
 * days' `provisional` flags follow the installed official calendars.
 */
export function trackRecordAnswer(deps: TrackRecordServices, slug: string): PublicAnswer {
  return {
    key: `track-record ${slug}`,
    scopes: [strategyScope(slug), CALENDAR_SCOPE, MARKET_SCOPE],
    build: async () => {
      await calendarsCurrent(deps);
      return await withBenchmark(deps, (d) => publicTrackRecord(d, slug));
    },
    materialize: true,
  };
}

/** A strategy's performance. */
export function performanceAnswer(deps: TrackRecordServices, slug: string): PublicAnswer {
  return {
    key: `performance ${slug}`,
    scopes: [strategyScope(slug)],
    build: () => publicPerformance(deps, slug),
    materialize: true,
  };
}

/**
 * A strategy's verification bundle of `date` (the latest settled day when absent). It names its log's current
 * checkpoint and a consistency proof to it, so it follows both logs; its `provisional` flag follows the
 * installed official calendars.
 */
export function verifyAnswer(deps: TrackRecordServices, slug: string, date?: string): PublicAnswer {
  return {
    key: `verify ${slug} ${date ?? "latest"}`,
    scopes: [strategyScope(slug), logScope("production"), logScope("demo"), CALENDAR_SCOPE],
    build: async () => {
      await calendarsCurrent(deps);
      const out = await publicVerifyDay(deps, slug, date);
      return keptUnlessEmpty(out, out.log_checkpoint);
    },
    materialize: true,
  };
}

/** A page of a strategy's audit trail. */
export function auditAnswer(
  deps: TrackRecordServices,
  slug: string,
  limit: number,
  offset: number,
): PublicAnswer {
  return {
    key: `audit ${slug} ${limit} ${offset}`,
    scopes: [strategyScope(slug)],
    build: () => publicAudit(deps, slug, limit, offset),
    materialize: limit === AUDIT_PAGE_SIZE && offset === 0,
  };
}

/** A strategy's claimed history (with the benchmark's returns: market data). */
export function claimedAnswer(deps: TrackRecordServices, slug: string): PublicAnswer {
  return {
    key: `claimed ${slug}`,
    scopes: [strategyScope(slug), MARKET_SCOPE],
    build: () => withBenchmark(deps, (d) => publicClaimed(d, slug)),
    materialize: true,
  };
}

/** A log's current checkpoint (an empty log's is signed when asked: served, never kept). */
export function checkpointAnswer(deps: TrackRecordServices, log: LogName): PublicAnswer {
  return {
    key: `checkpoint ${log}`,
    scopes: [logScope(log)],
    build: async () => {
      const out = await logCheckpoint(deps, log);
      return keptUnlessEmpty(out, out);
    },
    materialize: true,
  };
}

/** A page of a log's checkpoints. */
export function checkpointsAnswer(
  deps: TrackRecordServices,
  query: { log: LogName; from_size: number; limit: number },
): PublicAnswer {
  const { log, from_size, limit } = query;
  return {
    key: `checkpoints ${log} ${from_size} ${limit}`,
    scopes: [logScope(log)],
    build: () => logCheckpoints(deps, { log, from_size, limit }),
    materialize: from_size === CHECKPOINTS_DEFAULT.from_size && limit === CHECKPOINTS_DEFAULT.limit,
  };
}

/** A log's witnesses. */
export function witnessesAnswer(deps: TrackRecordServices, log: LogName): PublicAnswer {
  return {
    key: `witnesses ${log}`,
    scopes: [logScope(log)],
    build: () => logWitnesses(deps, log),
    materialize: true,
  };
}

/** An inclusion proof (its checkpoint carries the cosignatures gathered so far: it follows the log). */
export function proofAnswer(
  deps: TrackRecordServices,
  signalHash: string,
  treeSize: number | undefined,
  log: LogName,
): PublicAnswer {
  return {
    key: `proof ${log} ${signalHash} ${treeSize ?? "head"}`,
    scopes: [logScope(log)],
    build: () => logInclusionProof(deps, signalHash, treeSize, log),
    materialize: false,
  };
}

/** A consistency proof between two sizes (fixed by the log's leaves, which never change). */
export function consistencyAnswer(
  deps: TrackRecordServices,
  first: number,
  second: number,
  log: LogName,
): PublicAnswer {
  return {
    key: `consistency ${log} ${first} ${second}`,
    scopes: [logScope(log)],
    build: () => logConsistencyProof(deps, first, second, log),
    materialize: false,
  };
}

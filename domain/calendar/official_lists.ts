/**
 * Official closure lists installed at run time: an admin installs a year's list for one exchange; it is kept in
 * KV, audited, applied to the in-memory calendar at once (reads stay synchronous), and moves the horizon.
 */
import { iso } from "../iso_time.ts";
import type { Clock } from "../clock.ts";
import { newId } from "../tokens_and_hashes.ts";
import { BadRequestError, ValidationError, type ValidationIssueItem } from "../errors.ts";
import type { CalendarListRecord, CalendarListRepo } from "../store/calendar_list_repo.ts";
import {
  CALENDAR_SUPPORTED_YEARS,
  clearInstalledClosures,
  getCalendar,
  installOfficialClosures,
} from "./calendar.ts";
import { addDays, isIsoDate, type IsoDate, weekday, yearOf } from "./dates.ts";
import { EXCHANGE_CODES, type ExchangeCode, isExchangeCode } from "./exchanges.ts";
import type { PageRequest } from "../store/kv.ts";

/** Most closures one year's list may hold. */
export const MAX_CLOSURES_PER_YEAR = 150;
/** Longest run of consecutive closed days (weekends included) a list may create; longer ones are refused. */
const MAX_CLOSED_RUN_DAYS = 21;
/** Longest `source` text. */
export const MAX_SOURCE_LENGTH = 500;

/** What installing needs. */
export interface OfficialListDeps {
  lists: CalendarListRepo;
  clock: Clock;
}

/** The answer of an installation. */
export interface OfficialListView {
  exchange: ExchangeCode;
  year: number;
  closures: IsoDate[];
  source: string;
  installed_at: string;
  installed_by: string;
  official_through: IsoDate | null;
  /** Weekdays the previous answer had open that the list closes (signals for them become void). */
  newly_closed: IsoDate[];
  /** Weekdays the previous answer had closed that the list opens. */
  newly_opened: IsoDate[];
}

/** The store and change-counter state the in-memory lists were last loaded from. */
let loaded: { repo: CalendarListRepo; version: string | null } | null = null;

/** Replaces the in-memory installed lists with every list stored in KV (startup, and on any change). */
export async function loadOfficialLists(repo: CalendarListRepo): Promise<number> {
  // Read before the lists: a change landing in between makes the next `ensureOfficialListsCurrent` load again.
  const version = await repo.version();
  const records = await repo.listAll();
  loaded = { repo, version };
  clearInstalledClosures();
  let n = 0;
  for (const r of records) {
    if (!isExchangeCode(r.exchange) || r.exchange === "CRYPTO") continue;
    installOfficialClosures(r.exchange, r.year, r.closures);
    n++;
  }
  return n;
}

/**
 * Loads the stored lists when the in-memory ones are not those of `repo`'s current state (another isolate
 * installed one and its change has not reached this one's watcher yet): a cached calendar answer built after a
 * bump then never shows the lists from before it.
 */
export async function ensureOfficialListsCurrent(repo: CalendarListRepo): Promise<void> {
  if (loaded?.repo === repo && loaded.version === (await repo.version())) return;
  await loadOfficialLists(repo);
}

/** Trading days of `year` on `exchange` as the calendar answers now. */
function tradingSet(exchange: ExchangeCode, year: number): Set<IsoDate> {
  return new Set(getCalendar(exchange).tradingDaysBetween(`${year}-01-01`, `${year}-12-31`));
}

/**
 * Installs `exchange`'s official closures for `year` (replacing any installed list for that year). Dates must
 * be real `YYYY-MM-DD` dates in `year`; duplicates are merged. Throws `BadRequestError` for CRYPTO (no
 * holidays) and `ValidationError` for a year out of range (at `["year"]`) or a bad date (at `["closures", i]`).
 */
export async function installOfficialList(
  deps: OfficialListDeps,
  actor: string,
  exchange: ExchangeCode,
  year: number,
  input: { closures: string[]; source: string },
): Promise<OfficialListView> {
  if (exchange === "CRYPTO") throw new BadRequestError("CRYPTO trades every day: it has no closure list");
  if (
    !Number.isInteger(year) || year < CALENDAR_SUPPORTED_YEARS.first || year > CALENDAR_SUPPORTED_YEARS.last
  ) {
    throw new ValidationError(
      `Year must be ${CALENDAR_SUPPORTED_YEARS.first}-${CALENDAR_SUPPORTED_YEARS.last}`,
      ["year"],
    );
  }
  const issues: ValidationIssueItem[] = [];
  input.closures.forEach((d, i) => {
    if (!isIsoDate(d) || yearOf(d) !== year) {
      issues.push({
        type: "value_error",
        loc: ["closures", i],
        msg: `"${d}" is not a real YYYY-MM-DD date in ${year}`,
      });
    }
  });
  if (issues.length > 0) throw new ValidationError(issues[0].msg, issues[0].loc, "value_error", issues);
  const closures = [...new Set(input.closures)].sort();
  const closed = new Set(closures);
  let run = 0;
  for (let d = `${year}-01-01`; yearOf(d) === year; d = addDays(d, 1)) {
    const wd = weekday(d);
    run = wd === 0 || wd === 6 || closed.has(d) ? run + 1 : 0;
    if (run > MAX_CLOSED_RUN_DAYS) {
      throw new ValidationError(
        `The list closes more than ${MAX_CLOSED_RUN_DAYS} consecutive days (through ${d})`,
        ["closures"],
      );
    }
  }
  const now = deps.clock.now();
  const before = tradingSet(exchange, year);
  const previous = await deps.lists.get(exchange, year);
  const record: CalendarListRecord = {
    exchange,
    year,
    closures,
    source: input.source,
    installed_at: now,
    installed_by: actor,
  };
  await deps.lists.put(record, {
    id: newId("cal", now),
    at: now,
    actor,
    exchange,
    year,
    source: input.source,
    closures,
    previous: previous?.closures ?? null,
  });
  installOfficialClosures(exchange, year, closures);
  const after = tradingSet(exchange, year);
  const newlyClosed: IsoDate[] = [], newlyOpened: IsoDate[] = [];
  for (let d = `${year}-01-01`; yearOf(d) === year; d = addDays(d, 1)) {
    if (before.has(d) && !after.has(d)) newlyClosed.push(d);
    if (!before.has(d) && after.has(d)) newlyOpened.push(d);
  }
  return {
    exchange,
    year,
    closures,
    source: input.source,
    installed_at: iso(now),
    installed_by: actor,
    official_through: getCalendar(exchange).officialThrough(),
    newly_closed: newlyClosed,
    newly_opened: newlyOpened,
  };
}

/** The installation history, newest first, with each exchange's current horizon. */
export async function officialListHistory(deps: OfficialListDeps, page: PageRequest) {
  const audits = await deps.lists.audits(page);
  return {
    official_through: Object.fromEntries(EXCHANGE_CODES.map((c) => [c, getCalendar(c).officialThrough()])),
    items: audits.items.map((a) => ({
      id: a.id,
      at: iso(a.at),
      actor: a.actor,
      exchange: a.exchange,
      year: a.year,
      source: a.source,
      closures: a.closures,
      previous: a.previous,
    })),
    total: audits.total,
    limit: page.limit,
    offset: page.offset,
  };
}

/** Official exchange closure lists installed by admins (one record per exchange and year), with their audit. */
import { keys } from "./keys.ts";
import { CALENDAR_SCOPE } from "./public_scopes.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";
import { type Page, pageRecords, type PageRequest } from "./kv.ts";

/** One installed official list: the exchange's weekday closures in one calendar year. */
export interface CalendarListRecord {
  exchange: string;
  year: number;
  /** Closed dates (`YYYY-MM-DD`), ascending, all in `year`. */
  closures: string[];
  /** Where the list comes from (e.g. the exchange notice's address). */
  source: string;
  installed_at: number;
  installed_by: string;
}

/** One audit entry of an installation. */
export interface CalendarAuditEntry {
  id: string;
  at: number;
  actor: string;
  exchange: string;
  year: number;
  source: string;
  closures: string[];
  /** The closures the list replaced (`null` when the year had no installed list). */
  previous: string[] | null;
}

/** Access to installed lists. */
export interface CalendarListRepo {
  /**
   * Stores `record` (replacing the year's list), appends `audit` and bumps the change counter and the public
   * calendar scope, atomically.
   */
  put(record: CalendarListRecord, audit: CalendarAuditEntry): Promise<void>;
  /** The change counter's versionstamp (`null` before the first installation): names the stored lists' state. */
  version(): Promise<string | null>;
  get(exchange: string, year: number): Promise<CalendarListRecord | null>;
  /** Every installed list. */
  listAll(): Promise<CalendarListRecord[]>;
  /** Audit entries, newest first. */
  audits(page: PageRequest): Promise<Page<CalendarAuditEntry>>;
  /** Calls `onChange` whenever any isolate installs a list (first call at once); resolves when `signal` aborts. */
  watch(onChange: () => Promise<void>, signal: AbortSignal): Promise<void>;
}

/** Creates the KV-backed repository. */
export function createCalendarListRepo(kv: Deno.Kv): CalendarListRepo {
  return {
    async put(record, audit) {
      const op = kv.atomic()
        .set(keys.calendarList(record.exchange, record.year), record)
        .set(keys.calendarAudit(audit.id), audit)
        .sum(keys.calendarListsVersion(), 1n);
      const res = await bumpPublicScopes(op, [CALENDAR_SCOPE], audit.at).commit();
      if (!res.ok) throw new Error("Could not store the calendar list");
    },
    async version() {
      return (await kv.get(keys.calendarListsVersion())).versionstamp;
    },
    async get(exchange, year) {
      return (await kv.get<CalendarListRecord>(keys.calendarList(exchange, year))).value;
    },
    async listAll() {
      const out: CalendarListRecord[] = [];
      for await (const e of kv.list<CalendarListRecord>({ prefix: keys.calendarLists() })) out.push(e.value);
      return out;
    },
    audits(page) {
      return pageRecords<CalendarAuditEntry>(kv, keys.calendarAudits(), page);
    },
    async watch(onChange, signal) {
      const stream = kv.watch([keys.calendarListsVersion()]);
      const reader = stream.getReader();
      signal.addEventListener("abort", () => reader.cancel().catch(() => {}), { once: true });
      try {
        while (!signal.aborted) {
          const { done } = await reader.read();
          if (done) break;
          await onChange();
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}

/**
 * The query strings of the track-record pages, checked before any read: the list's filters and paging (the
 * public list's own: universe, limit, offset) and the record page's day, days page and audit page. A value
 * that does not fit answers the 400 page with the field named, never a 500.
 */
import { z } from "@hono/zod-openapi";
import { isIsoDate } from "../../../domain/calendar/dates.ts";
import { TrackedUniverseSchema } from "../../schemas/track_record.ts";
import { countField, MAX_OFFSET } from "../paging.tsx";

/** Rows of one page of the list (the contract's cap for a page table). */
export const LIST_MAX_ROWS = 100;
/** Rows of the list when none are asked for. */
const LIST_DEFAULT_ROWS = 20;
/** Settled days shown per page of the days table. */
export const DAYS_PER_PAGE = 30;
/** Audit entries shown per page of the audit log. */
export const AUDIT_PER_PAGE = 50;
const offset = countField(0, MAX_OFFSET, 0);

/** `/app/records?universe=&limit=&offset=` (an empty universe means all). */
const ListQuery = z.strictObject({
  universe: z.union([z.literal(""), TrackedUniverseSchema]).optional(),
  limit: countField(1, LIST_MAX_ROWS, LIST_DEFAULT_ROWS),
  offset,
});

/** `/app/records/:slug?day=&days_offset=&audit_offset=`. */
const RecordQuery = z.strictObject({
  day: z.string().refine(isIsoDate, "Expected a date YYYY-MM-DD").optional(),
  days_offset: offset,
  audit_offset: offset,
});

/** The list's filters and page. */
export type ListFilter = { universe?: z.infer<typeof TrackedUniverseSchema>; limit: number; offset: number };
/** The record page's selection. */
export type RecordSelection = z.infer<typeof RecordQuery>;

/** Either the parsed value or a message naming the first bad field. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Query parameters as single strings; a repeated name is refused (`?limit=1&limit=2`). */
function single(query: Record<string, string[]>): Parsed<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (v.length !== 1) {
      return { ok: false, message: `Query parameter "${k.slice(0, 40)}" is given more than once` };
    }
    out[k] = v[0];
  }
  return { ok: true, value: out };
}

function parse<T>(schema: z.ZodType<T>, query: Record<string, string[]>): Parsed<T> {
  const one = single(query);
  if (!one.ok) return one;
  const r = schema.safeParse(one.value);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const where = issue.path.length ? String(issue.path[0]).slice(0, 40) : "query";
  const what = issue.code === "unrecognized_keys"
    ? `unknown parameter ${issue.keys.map((k) => `"${k.slice(0, 40)}"`).join(", ")}`
    : issue.message.slice(0, 200);
  return {
    ok: false,
    message: `Query parameter ${where === "query" ? "" : `"${where}" `}is not valid: ${what}`,
  };
}

/** Parses the list page's query. */
export function parseListQuery(query: Record<string, string[]>): Parsed<ListFilter> {
  const r = parse(ListQuery, query);
  if (!r.ok) return r;
  const { universe, limit, offset } = r.value;
  return { ok: true, value: { ...(universe ? { universe } : {}), limit, offset } };
}

/** Parses the record page's query. */
export function parseRecordQuery(query: Record<string, string[]>): Parsed<RecordSelection> {
  return parse(RecordQuery, query);
}

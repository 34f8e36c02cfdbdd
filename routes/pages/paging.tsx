/**
 * Paging of the pages' tables: the offset (and count) query parameters, read strictly — whole decimal numbers
 * only, so `0x10`, `1e3`, `1.5`, `-1` and ` 7` are a 400, never a guess — and the "Previous / Next" links, which
 * rewrite one parameter of the page's own URL and keep every other one (filters, the other lists' offsets).
 */
import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app_env.ts";

/** The largest offset a page accepts unless it says otherwise (far beyond any real list; keeps numbers small). */
export const MAX_OFFSET = 1_000_000;

/** `raw` as a whole number from `min` to `max`: absent or empty → `fallback`; anything else → `null`. */
function wholeNumber<F extends number | undefined>(
  raw: string | undefined,
  min: number,
  max: number,
  fallback: F,
): number | F | null {
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d{1,15}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= min && n <= max ? n : null;
}

/** An offset from the query text: 0 when absent or empty; `null` when not a whole number from 0 to `max`. */
function parseOffset(raw: string | undefined, max = MAX_OFFSET): number | null {
  return wholeNumber(raw, 0, max, 0);
}

/** The offset in query parameter `name` (`parseOffset`): the page answers 400 for `null`. */
export function offsetParam(c: Context<AppEnv>, name = "offset", max = MAX_OFFSET): number | null {
  return parseOffset(c.req.query(name), max);
}

/**
 * The same rule as a field of a zod query schema: a whole number from `min` to `max`, `fallback` when absent or
 * empty (an offset: `countField(0, MAX_OFFSET, 0)`; a page size: `countField(1, 100, 20)`; an optional
 * version: `countField(1, N, undefined)`).
 */
export function countField<F extends number | undefined>(min: number, max: number, fallback: F) {
  return z.string().optional().transform((raw, ctx) => {
    const n = wholeNumber(raw, min, max, fallback);
    if (n !== null) return n;
    ctx.addIssue({ code: "custom", message: `Expected a whole number from ${min} to ${max}` });
    return z.NEVER;
  });
}

/** `url` (absolute, or a path with a query) with `param` set to `offset` (removed at 0), as a path and query. */
function pageHref(url: string, param: string, offset: number, fragment?: string): string {
  const u = new URL(url, "http://page.invalid");
  if (offset > 0) u.searchParams.set(param, String(offset));
  else u.searchParams.delete(param);
  return `${u.pathname}${u.search}${fragment ? `#${fragment}` : ""}`;
}

/**
 * "a–b of N" with "Previous" / "Next" links for one table of `limit` rows a page; nothing when everything fits on
 * the first page. `url` is the page's own URL (`c.req.url`): only `param` (default `offset`) changes in the links.
 */
export function Pager(
  props: {
    url: string;
    param?: string;
    offset: number;
    limit: number;
    total: number;
    label: string;
    fragment?: string;
    /** `false` where the page already says which rows it shows (a status line above the table). */
    count?: boolean;
  },
) {
  const { offset, limit, total } = props;
  if (offset === 0 && total <= limit) return null;
  const href = (to: number) => pageHref(props.url, props.param ?? "offset", to, props.fragment);
  return (
    <nav aria-label={props.label} class="row">
      {props.count === false ? null : (
        <span class="muted">
          {total === 0 || offset >= total
            ? `0 of ${total}`
            : `${offset + 1}–${Math.min(offset + limit, total)} of ${total}`}
        </span>
      )}
      {offset > 0 ? <a rel="prev" href={href(Math.max(0, offset - limit))}>Previous</a> : null}
      {offset + limit < total ? <a rel="next" href={href(offset + limit)}>Next</a> : null}
    </nav>
  );
}

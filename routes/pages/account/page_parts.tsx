/** Small pieces the account pages share: times, a pager for one list of a page, and the 400 page. */
import type { Context } from "hono";
import type { AppEnv } from "../../app_env.ts";

/** Rows per list page on the account pages (the contract allows at most 100). */
export const ACCOUNT_PAGE_SIZE = 50;
/** The largest list offset a query may ask for. */
const MAX_OFFSET = 1_000_000;

/**
 * The list offset in query parameter `name`: 0 when absent, `null` when it is not a whole number from 0 to
 * `MAX_OFFSET` (the page answers 400).
 */
export function offsetParam(c: Context<AppEnv>, name: string): number | null {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return 0;
  if (!/^\d{1,7}$/.test(raw)) return null;
  const n = Number(raw);
  return n <= MAX_OFFSET ? n : null;
}

/** "Previous" / "Next" links for one list, keeping the page's other query parameters. */
export function Pager(
  props: { url: string; param: string; offset: number; total: number; limit: number; label: string },
) {
  const { offset, total, limit } = props;
  if (total <= limit && offset === 0) return null;
  const link = (to: number) => {
    const url = new URL(props.url);
    if (to > 0) url.searchParams.set(props.param, String(to));
    else url.searchParams.delete(props.param);
    return url.pathname + url.search;
  };
  const shownTo = Math.min(offset + limit, total);
  return (
    <nav class="row" aria-label={`${props.label} pages`}>
      <span class="muted">{total === 0 ? "0" : `${offset + 1}–${shownTo}`} of {total}</span>
      {offset > 0 ? <a href={link(Math.max(0, offset - limit))}>Previous</a> : null}
      {offset + limit < total ? <a href={link(offset + limit)}>Next</a> : null}
    </nav>
  );
}

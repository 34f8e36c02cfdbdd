/** Small helpers shared by the tracked-strategy, factor and portfolio pages: paging, 400 pages, badges, dates. */
import type { Context } from "hono";
import type { AppEnv } from "../../app_env.ts";
import { NotFoundError } from "../../../domain/errors.ts";

/** Rows per table page. */
export const PAGE_ROWS = 100;

/** The `?offset=` of a page: `0` when absent, `null` when not a whole number from 0 to 1,000,000. */
export function pageOffset(c: Context<AppEnv>): number | null {
  const raw = c.req.query("offset");
  if (raw === undefined || raw === "") return 0;
  if (!/^\d{1,7}$/.test(raw)) return null;
  const n = Number(raw);
  return n <= 1_000_000 ? n : null;
}

const BADGE: Record<string, string> = {
  active: "good",
  ready: "good",
  paused: "warn",
  validating: "warn",
  pending: "warn",
  draft: "",
  retired: "bad",
  rejected: "bad",
  deleted: "bad",
};

/** A status as a badge (`active` green, `paused` amber, `retired`/`rejected` red). */
export function StatusBadge(props: { status: string }) {
  return <span class={`badge ${BADGE[props.status] ?? ""}`.trim()}>{props.status}</span>;
}

/** "Previous / next" links of a paged table (`total` rows, `offset` the first shown). */
export function Pager(props: { path: string; offset: number; total: number; extra?: string }) {
  const prev = props.offset > 0 ? Math.max(0, props.offset - PAGE_ROWS) : null;
  const next = props.offset + PAGE_ROWS < props.total ? props.offset + PAGE_ROWS : null;
  if (prev === null && next === null) return null;
  const href = (o: number) => `${props.path}?offset=${o}${props.extra ?? ""}`;
  return (
    <nav aria-label="Pages" class="row">
      {prev !== null ? <a href={href(prev)}>Previous {PAGE_ROWS}</a> : null}
      {next !== null ? <a href={href(next)}>Next {PAGE_ROWS}</a> : null}
    </nav>
  );
}

/** `fn()`, or `null` when it throws `NotFoundError` (unknown, someone else's or absent). */
export async function orNotFound<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}

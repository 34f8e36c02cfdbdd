/** Query-string paging of the library area's tables: an `offset` (or another name) and "previous / next" links. */
import { z } from "zod";

/** A non-negative offset from the query (absent: 0); `null` when it is not a whole number ≥ 0. */
export function offsetParam(raw: string | undefined): number | null {
  if (raw === undefined || raw === "") return 0;
  const parsed = z.coerce.number().int().min(0).max(1_000_000_000).safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** "Previous" and "Next" links of a page of `limit` rows out of `total`, built by `href(offset)`. */
export function Pager(
  props: { offset: number; limit: number; total: number; href: (offset: number) => string; label: string },
) {
  const { offset, limit, total } = props;
  if (offset === 0 && offset + limit >= total) return null;
  return (
    <nav aria-label={props.label} class="row">
      {offset > 0 ? <a href={props.href(Math.max(0, offset - limit))}>← Previous</a> : null}
      <span class="muted">
        {total === 0 ? "0" : `${Math.min(offset + 1, total)}–${Math.min(offset + limit, total)}`} of {total}
      </span>
      {offset + limit < total ? <a href={props.href(offset + limit)}>Next →</a> : null}
    </nav>
  );
}

/**
 * `/app/records`: the public track records (the rows of `GET /api/v1/public/strategies`, in its order: most
 * trading days first, then by slug) with each record's Sharpe and maximum drawdown from its performance. The
 * filter form is a plain GET form: the query string drives the page, so it works without JavaScript.
 */
import type { PublicStrategyRow } from "../../../domain/track_record/public_record.ts";
import { TrackedUniverseSchema } from "../../schemas/track_record.ts";
import { Pager } from "../paging.tsx";
import { LIST_MAX_ROWS, type ListFilter } from "./query.ts";
import { fmtFraction, fmtNumber, numClass } from "../format.ts";

/** One row of the table: the public row and the two figures of its performance. */
export interface RecordRow extends PublicStrategyRow {
  sharpe: number | null;
  max_drawdown: number | null;
}

const UNIVERSE_LABELS: Record<string, string> = {
  hs300: "CSI 300 (hs300)",
  csi500: "CSI 500 (csi500)",
  csi1000: "CSI 1000 (csi1000)",
  csi2000: "CSI 2000 (csi2000)",
  etf_all: "ETFs (etf_all)",
};

/** The page's own URL with `filter` (the defaults left out). */
function listHref(filter: ListFilter): string {
  const q = new URLSearchParams();
  if (filter.universe) q.set("universe", filter.universe);
  q.set("limit", String(filter.limit));
  if (filter.offset > 0) q.set("offset", String(filter.offset));
  return `/app/records?${q}`;
}

function FilterForm(props: { filter: ListFilter }) {
  const f = props.filter;
  return (
    <form id="records-filter" class="card row" method="get" action="/app/records" role="search">
      <div>
        <label for="rf-universe">Benchmark universe 基准</label>
        <select id="rf-universe" name="universe">
          <option value="" selected={!f.universe}>All</option>
          {TrackedUniverseSchema.options.map((u) => (
            <option value={u} selected={f.universe === u}>{UNIVERSE_LABELS[u] ?? u}</option>
          ))}
        </select>
      </div>
      <div>
        <label for="rf-limit">Rows per page 每页</label>
        <input id="rf-limit" name="limit" type="number" min={1} max={LIST_MAX_ROWS} value={String(f.limit)} />
      </div>
      <div>
        <button type="submit" id="records-apply">Apply filters</button>
      </div>
    </form>
  );
}

function Links(props: { row: RecordRow }) {
  const r = props.row;
  const api = `/api/v1/public/strategies/${encodeURIComponent(r.slug)}`;
  return (
    <>
      <a href={`/app/records/${encodeURIComponent(r.slug)}`}>Record</a>
      {" · "}
      <a href={`${api}/track-record`}>JSON</a>
      {" · "}
      <a href={`/api/v1/public/log/checkpoint?log=${r.is_demo ? "demo" : "production"}`}>Log</a>
    </>
  );
}

function Row(props: { row: RecordRow }) {
  const r = props.row;
  return (
    <tr>
      <th scope="row">
        <a href={`/app/records/${encodeURIComponent(r.slug)}`}>{r.name}</a>
        <div class="muted">{r.slug}</div>
      </th>
      <td>{r.creator ?? "—"}</td>
      <td>{r.start_date ?? "—"}</td>
      <td class="num">{String(r.trading_days)}</td>
      <td class={numClass(r.total_return)}>{fmtFraction(r.total_return)}</td>
      <td class="num">{fmtNumber(r.sharpe)}</td>
      <td class="num">{fmtFraction(r.max_drawdown)}</td>
      <td>
        <span class={`badge ${r.status === "active" ? "good" : r.status === "paused" ? "warn" : ""}`}>
          {r.status}
        </span>
        {r.is_demo ? <span class="badge warn">demo</span> : null}
      </td>
      <td>
        <Links row={r} />
      </td>
    </tr>
  );
}

/** The filter form, the table and the paging links. */
export function RecordsList(props: { filter: ListFilter; rows: RecordRow[]; total: number }) {
  const { filter, rows, total } = props;
  return (
    <>
      <p>
        Public records are settled each SSE trading day from signals logged before their deadline; anyone can
        check them. Ordered by trading days (most first), then by slug.
      </p>
      <FilterForm filter={filter} />
      <p role="status" id="records-count">
        {total === 0
          ? "No public track records match."
          : `Showing ${filter.offset + 1}–${filter.offset + rows.length} of ${total} records.`}
      </p>
      <div class="table-wrap">
        <table id="records-table">
          <caption class="muted">
            Returns and drawdowns are fractions of the initial capital, shown in %.
          </caption>
          <thead>
            <tr>
              <th scope="col">Name 名称</th>
              <th scope="col">Author 作者</th>
              <th scope="col">Start 开始</th>
              <th scope="col">Days 天数</th>
              <th scope="col">Return 收益</th>
              <th scope="col">Sharpe 夏普</th>
              <th scope="col">Max drawdown 回撤</th>
              <th scope="col">Status 状态</th>
              <th scope="col">Links 链接</th>
            </tr>
          </thead>
          <tbody>{rows.map((r) => <Row key={r.slug} row={r} />)}</tbody>
        </table>
      </div>
      <Pager
        url={listHref(filter)}
        offset={filter.offset}
        limit={filter.limit}
        total={total}
        label="Pages of records"
        count={false}
      />
    </>
  );
}

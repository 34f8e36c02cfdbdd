/**
 * Pages of public track records (no sign-in): `/app/records` (the list with filters and paging, driven by the
 * query string) and `/app/records/:slug` (a record: NAV, drawdown, metrics, rolling excess Sharpe, claimed vs
 * verified, days, audit log, live trades). Both read through the public API's own domain operations; an
 * unknown or private slug, or a day that was not settled, answers the 404 page; a query that does not fit, 400.
 */
import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";
import { NotFoundError } from "../../domain/errors.ts";
import { publicStrategiesPage } from "../../domain/track_record/operations.ts";
import { publicPerformance } from "../../domain/track_record/public_record.ts";
import { renderNotFound, renderPage } from "./layout.tsx";
import { renderBadRequest } from "./problem_pages.tsx";
import { listMetricsCache } from "./records/list_metrics_cache.ts";
import { parseListQuery, parseRecordQuery } from "./records/query.ts";
import { type RecordRow, RecordsList } from "./records/records_list.tsx";
import { loadRecord } from "./records/record_data.ts";
import { RecordPage } from "./records/record_page.tsx";

/** Longest slug a strategy can have (longer ones are not looked up). */
const MAX_SLUG_LENGTH = 64;

/** The router of these pages. */
export function recordPages(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const track = deps.track;
  // Each row's figures read the whole NAV history: computed once per settled-data version, then served from here.
  const metricsOf = listMetricsCache(async (r) => {
    const perf = await publicPerformance(track, r.slug);
    return { sharpe: perf.metrics.sharpe, max_drawdown: perf.metrics.max_drawdown };
  });

  app.get("/app/records", async (c) => {
    const parsed = parseListQuery(c.req.queries());
    if (!parsed.ok) return renderBadRequest(c, parsed.message);
    const filter = parsed.value;
    const page = await publicStrategiesPage(track, filter);
    const rows: RecordRow[] = await Promise.all(
      page.strategies.map(async (r) => ({ ...r, ...await metricsOf(r) })),
    );
    return renderPage(c, {
      title: "Track records",
      zh: "业绩记录",
      active: "records",
      children: <RecordsList filter={filter} rows={rows} total={page.total} />,
    });
  });

  app.get("/app/records/:slug", async (c) => {
    const slug = c.req.param("slug");
    if (slug.length > MAX_SLUG_LENGTH) return renderNotFound(c, "This track record");
    const parsed = parseRecordQuery(c.req.queries());
    if (!parsed.ok) return renderBadRequest(c, parsed.message);
    let model;
    try {
      model = await loadRecord(track, slug, parsed.value);
    } catch (e) {
      if (e instanceof NotFoundError) {
        return renderNotFound(c, parsed.value.day ? "This day of the track record" : "This track record");
      }
      throw e;
    }
    return renderPage(c, {
      title: model.record.name,
      zh: "业绩记录",
      active: "records",
      scripts: ["client/record_page.js", "client/verify_record.js"],
      pageData: model.charts,
      children: <RecordPage model={model} sel={parsed.value} />,
    });
  });
  return app;
}

/**
 * Pages of my tracked strategies: `/app/tracked` (the list and the create form) and `/app/tracked/:slug` (status,
 * today's deadline countdown in Asia/Shanghai, signals, claimed history). Reads go through the track-record
 * operations the API routes call; every change is made by `web/client/tracked_*.js` through the public API.
 */
import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";
import type { ClaimedHistoryView } from "../../domain/track_record/claimed_history.ts";
import {
  getClaimedHistoryView,
  getOwnTrackedView,
  listOwnTrackedView,
  listSignalsView,
} from "../../domain/track_record/operations.ts";
import type { TrackedStatus } from "../../domain/store/tracked_strategy_repo.ts";
import { toSignalView } from "../../domain/track_record/signals/signals.ts";
import { renderNotFound, renderPage } from "./layout.tsx";
import { pageUserOf, requirePageUser } from "./page_auth.ts";
import { signalWindow } from "./tracked/deadline.ts";
import { orNotFound, PAGE_ROWS } from "./tracked/page_helpers.tsx";
import { offsetParam, Pager } from "./paging.tsx";
import { renderBadRequest } from "./problem_pages.tsx";
import { CreateTrackedForm, TrackedTable } from "./tracked/tracked_list.tsx";
import { noticeQuery } from "./tracked/signal_notice.tsx";
import { TrackedDetail } from "./tracked/tracked_detail.tsx";

const STATUSES: readonly TrackedStatus[] = ["pending", "active", "paused", "retired"];
const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The router of these pages. */
export function trackedPages(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/app/tracked", requirePageUser, async (c) => {
    const offset = offsetParam(c);
    if (offset === null) return renderBadRequest(c, "The offset must be a whole number from 0 to 1000000.");
    const rawStatus = c.req.query("status");
    const status = STATUSES.find((s) => s === rawStatus);
    if (rawStatus !== undefined && rawStatus !== "" && !status) {
      return renderBadRequest(c, `Unknown status "${rawStatus.slice(0, 40)}".`);
    }
    const me = pageUserOf(c).principal.user.id;
    const page = await listOwnTrackedView(deps.track, me, status, { limit: PAGE_ROWS, offset });
    return renderPage(c, {
      title: "My tracked strategies",
      zh: "我的跟踪策略",
      active: "tracked",
      scripts: ["client/tracked_list.js"],
      children: (
        <>
          <p>
            Submit daily target weights before each trading day's deadline; the platform settles them,
            computes the NAV and attests every signal. Filter:{" "}
            <a href="/app/tracked" aria-current={status ? undefined : "page"}>all</a>
            {STATUSES.map((s) => (
              <>
                {" · "}
                <a href={`/app/tracked?status=${s}`} aria-current={status === s ? "page" : undefined}>{s}</a>
              </>
            ))}
          </p>
          <TrackedTable strategies={page.strategies} />
          <Pager
            url={c.req.url}
            offset={offset}
            limit={PAGE_ROWS}
            total={page.total}
            label="Pages of strategies"
          />
          <CreateTrackedForm />
        </>
      ),
    });
  });

  app.get("/app/tracked/:slug", requirePageUser, async (c) => {
    const slug = c.req.param("slug");
    if (!SLUG.test(slug)) return renderNotFound(c, "This strategy");
    const offset = offsetParam(c);
    if (offset === null) return renderBadRequest(c, "The offset must be a whole number from 0 to 1000000.");
    const me = pageUserOf(c).principal.user.id;
    const strategy = await orNotFound(() => getOwnTrackedView(deps.track, me, slug));
    if (!strategy) return renderNotFound(c, "This strategy");
    const notice = noticeQuery(c);
    if (notice === null) return renderBadRequest(c, "submitted and withdrawn must be dates (YYYY-MM-DD).");
    const signals = await listSignalsView(deps.track, me, slug, PAGE_ROWS, offset);
    // After a submit or withdraw the script reloads with the trade date: the message comes from stored data.
    const stored = async (date: string) => {
      const r = await deps.track.signals.get(slug, date);
      return r ? toSignalView(r) : null;
    };
    const submitted = notice.submitted ? await stored(notice.submitted) : null;
    const withdrawn = notice.withdrawn && !(await stored(notice.withdrawn)) ? notice.withdrawn : null;
    const claimed = await orNotFound<ClaimedHistoryView>(() => getClaimedHistoryView(deps.track, me, slug));
    const window = signalWindow(deps.track.clock.now(), strategy.execution_price);
    return renderPage(c, {
      title: strategy.name,
      zh: "跟踪策略",
      active: "tracked",
      scripts: ["client/tracked_detail.js"],
      pageData: {
        slug: strategy.slug,
        status: strategy.status,
        is_public: strategy.is_public,
        now_ms: window.nowMs,
        trade_date: window.tradeDate,
        deadline_ms: window.deadlineMs,
        deadline_time: window.deadlineTime,
        next_trade_date: window.nextTradeDate,
        next_deadline_ms: window.nextDeadlineMs,
        offset,
      },
      children: (
        <TrackedDetail
          strategy={strategy}
          window={window}
          signals={signals.signals}
          signalTotal={signals.total}
          offset={offset}
          url={c.req.url}
          claimed={claimed}
          submitted={submitted}
          withdrawn={withdrawn}
        />
      ),
    });
  });

  return app;
}

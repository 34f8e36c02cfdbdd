/**
 * Pages of factors and portfolios: `/app/factors` (my factors, as `GET /api/v1/factors` lists them),
 * `/app/factors/:id` (checks, IC statistics, IC and long-short charts, yearly table), `/app/portfolios` and
 * `/app/portfolios/:id` (members with weights, lifecycle, signals). Reads go through the factor and portfolio
 * operations the API routes call; changes are made by `web/client/factor_*.js` through the public API.
 */
import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";
import { getFactorDetail, listFactors } from "../../domain/factors/factor_crud.ts";
import { getPortfolioView, listPortfoliosView } from "../../domain/portfolios/portfolio_crud.ts";
import { listPortfolioSignalsView } from "../../domain/portfolios/portfolio_history.ts";
import { renderNotFound, renderPage } from "./layout.tsx";
import { pageUserOf, requirePageUser } from "./page_auth.ts";
import { FactorsTable } from "./factors/factor_list.tsx";
import { FactorDetail } from "./factors/factor_detail.tsx";
import { CreatePortfolioForm, PortfolioDetail, PortfoliosTable } from "./factors/portfolio_views.tsx";
import { orNotFound, PAGE_ROWS } from "./tracked/page_helpers.tsx";
import { offsetParam, Pager } from "./paging.tsx";
import { renderBadRequest } from "./problem_pages.tsx";

/** Ids the factor and portfolio APIs accept in a path (at most 64 characters). */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Most active factors offered in the "add member" list (a user's factors are few; the list stays bounded). */
const MAX_CANDIDATES = 200;

/** The router of these pages. */
export function factorPages(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/app/factors", requirePageUser, async (c) => {
    const offset = offsetParam(c);
    if (offset === null) return renderBadRequest(c, "The offset must be a whole number from 0 to 1000000.");
    const me = pageUserOf(c).principal.user.id;
    const page = await listFactors(deps.factors, me, { limit: PAGE_ROWS, offset });
    return renderPage(c, {
      title: "My factors",
      zh: "我的因子",
      active: "factors",
      children: (
        <>
          <p>
            Alpha factors you uploaded or asked the platform to compute; each is validated on the platform's
            own data and then tracked out of sample. Combine active factors into{" "}
            <a href="/app/portfolios">portfolios</a>.
          </p>
          <FactorsTable factors={page.factors} />
          <Pager
            url={c.req.url}
            offset={offset}
            limit={PAGE_ROWS}
            total={page.total}
            label="Pages of factors"
          />
        </>
      ),
    });
  });

  app.get("/app/factors/:id", requirePageUser, async (c) => {
    const id = c.req.param("id");
    if (!ID.test(id)) return renderNotFound(c, "This factor");
    const me = pageUserOf(c).principal.user.id;
    const f = await orNotFound(() => getFactorDetail(deps.factors, me, id));
    if (!f) return renderNotFound(c, "This factor");
    return renderPage(c, {
      title: f.name,
      zh: "因子",
      active: "factors",
      scripts: ["client/factor_detail.js"],
      pageData: {
        id: f.id,
        ic_series: f.ic_series.map((p) => ({ time: p.date, value: p.ic })),
        ls_cumulative: f.ls_cumulative_returns.map((p) => ({ time: p.date, value: p.cumulative })),
      },
      children: <FactorDetail f={f} />,
    });
  });

  app.get("/app/portfolios", requirePageUser, async (c) => {
    const offset = offsetParam(c);
    if (offset === null) return renderBadRequest(c, "The offset must be a whole number from 0 to 1000000.");
    const me = pageUserOf(c).principal.user.id;
    const page = await listPortfoliosView(deps.portfolios, me, { limit: PAGE_ROWS, offset });
    return renderPage(c, {
      title: "My portfolios",
      zh: "多因子组合",
      active: "factors",
      scripts: ["client/factor_portfolios.js"],
      children: (
        <>
          <p>
            A multi-factor portfolio combines active factors and publishes a signal every trading day by
            itself ({page.total} of at most {page.max_portfolios}).
          </p>
          <PortfoliosTable portfolios={page.portfolios} />
          <Pager
            url={c.req.url}
            offset={offset}
            limit={PAGE_ROWS}
            total={page.total}
            label="Pages of portfolios"
          />
          <CreatePortfolioForm />
        </>
      ),
    });
  });

  app.get("/app/portfolios/:id", requirePageUser, async (c) => {
    const id = c.req.param("id");
    if (!ID.test(id)) return renderNotFound(c, "This portfolio");
    const offset = offsetParam(c);
    if (offset === null) return renderBadRequest(c, "The offset must be a whole number from 0 to 1000000.");
    const me = pageUserOf(c).principal.user.id;
    const p = await orNotFound(() => getPortfolioView(deps.portfolios, me, id));
    if (!p) return renderNotFound(c, "This portfolio");
    const signals = await listPortfolioSignalsView(deps.portfolios, me, id, PAGE_ROWS, offset);
    const candidates = p.status === "active" ? [] : (await listFactors(deps.factors, me, {
      status: "active",
      universe: p.universe,
      limit: MAX_CANDIDATES,
      offset: 0,
    })).factors;
    return renderPage(c, {
      title: p.name,
      zh: "多因子组合",
      active: "factors",
      scripts: ["client/factor_portfolio.js"],
      pageData: { id: p.id },
      children: (
        <PortfolioDetail p={p} candidates={candidates} signals={signals} offset={offset} url={c.req.url} />
      ),
    });
  });

  return app;
}

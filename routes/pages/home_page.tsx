/** `/app`: where a visitor lands — what the platform does and where to go next. */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import { renderPage } from "./layout.tsx";

/** The home page. */
export function homePage(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/app", (c) => {
    const user = c.get("pageUser");
    return renderPage(c, {
      title: "Quantedge",
      zh: "量化研究平台",
      active: "home",
      children: (
        <div class="cards">
          <section class="card">
            <h2>Verified track records 业绩记录</h2>
            <p>Daily signals settled against market prices and attested so anyone can check them.</p>
            <p>
              <a href="/app/records">Browse the records</a>
            </p>
          </section>
          <section class="card">
            <h2>Leaderboard 排行榜</h2>
            <p>Backtested strategies ranked by score, by period and dataset.</p>
            <p>
              <a href="/app/leaderboard">Open the leaderboard</a>
            </p>
          </section>
          <section class="card">
            <h2>Build and backtest 构建与回测</h2>
            {user
              ? (
                <p>
                  <a href="/app/build">Build a strategy</a> · <a href="/app/backtests">Your backtests</a>
                </p>
              )
              : (
                <p>
                  <a href="/app/sign-in?next=%2Fapp%2Fbuild">Sign in</a>{" "}
                  to build strategies by form or by chat and backtest them.
                </p>
              )}
          </section>
        </div>
      ),
    });
  });
  return app;
}

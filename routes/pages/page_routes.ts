/**
 * The web dashboard under `/app`: server-rendered pages (Hono JSX) with small module scripts from `web/client/`.
 * Pages read through the same domain operations as the API routes; their scripts call the public API with the
 * session's access token. Static files are served before the session is looked at (no KV read for an asset).
 */
import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";
import { accountPages } from "./account_pages.tsx";
import { backtestPages } from "./backtest_pages.tsx";
import { buildPages } from "./build_pages.tsx";
import { homePage } from "./home_page.tsx";
import { renderNotFound } from "./layout.tsx";
import { libraryPages } from "./library_pages.tsx";
import { pageSession, sameOriginPosts } from "./page_auth.ts";
import { recordPages } from "./record_pages.tsx";
import { sessionPages } from "./session_pages.tsx";
import { trackedPages } from "./tracked_pages.tsx";
import { factorPages } from "./factor_pages.tsx";
import { ASSET_PREFIX, staticAssetRoutes, warmAssets } from "./static_assets.ts";
import { verifierAssetRoutes } from "./verifier_assets.ts";

/** Every dashboard route. */
export function pageRoutes(deps: AppDeps): Hono<AppEnv> {
  const production = deps.config.env === "production";
  const app = new Hono<AppEnv>();
  warmAssets().catch((e) => deps.log("error", "dashboard assets could not be read", { error: String(e) }));
  app.get("/", (c) => c.redirect("/app", 302));
  app.route("/", verifierAssetRoutes());
  app.route("/", staticAssetRoutes());
  const session = pageSession(deps.auth, production);
  const isAsset = (path: string) => path.startsWith(`${ASSET_PREFIX}/`);
  app.use("/app/*", (c, next) => isAsset(c.req.path) ? next() : sameOriginPosts(c, next));
  app.use("/app/*", (c, next) => isAsset(c.req.path) ? next() : session(c, next));
  // A page address that no route answers gets the 404 page, not the API's JSON.
  app.use("/app/*", async (c, next) => {
    await next();
    const unanswered = c.res.status === 404 &&
      c.res.headers.get("content-type")?.includes("application/json");
    if (c.req.method === "GET" && !isAsset(c.req.path) && unanswered) c.res = renderNotFound(c);
  });
  app.route("/", homePage());
  app.route("/", sessionPages(deps.auth, production, deps.github));
  app.route("/", buildPages(deps));
  app.route("/", backtestPages(deps));
  app.route("/", libraryPages(deps));
  app.route("/", recordPages(deps));
  app.route("/", accountPages(deps));
  app.route("/", trackedPages(deps));
  app.route("/", factorPages(deps));
  return app;
}

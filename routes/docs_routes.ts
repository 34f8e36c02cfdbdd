/**
 * `/docs`: Swagger UI served from the `swagger-ui-dist` npm package through this app, and `/redoc`: ReDoc's
 * standalone bundle from the `redoc` npm package, so both pages render with no internet access (the stock
 * middlewares load their scripts from a CDN). Both read `/openapi.json` from this origin.
 */
import { Hono } from "hono";
import redocBundle from "redoc/bundles/redoc.standalone.js" with { type: "text" };
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "text" };
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "text" };
import type { AppEnv } from "./app_env.ts";

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Quantedge API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/init.js"></script>
</body>
</html>`;

// `validatorUrl: null`: Swagger UI would otherwise send the document to validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  validatorUrl: null,
});`;

const CACHE = "public, max-age=86400";

const REDOC_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Quantedge API — ReDoc</title>
</head>
<body>
  <div id="redoc-container"></div>
  <script src="/redoc/assets/redoc.standalone.js"></script>
  <script src="/redoc/assets/init.js"></script>
</body>
</html>`;

// ReDoc fetches the document itself; its search index runs in a worker it builds from a blob: URL.
const REDOC_INIT = `Redoc.init("/openapi.json", {}, document.getElementById("redoc-container"));`;

/** Builds the docs router (HTML page and its static assets). */
export function docsRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/docs", (c) => c.html(PAGE));
  app.get("/docs/", (c) => c.redirect("/docs"));
  app.get(
    "/docs/assets/swagger-ui.css",
    (c) => c.body(swaggerCss, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": CACHE }),
  );
  app.get(
    "/docs/assets/swagger-ui-bundle.js",
    (c) =>
      c.body(swaggerBundle, 200, {
        "Content-Type": "text/javascript; charset=utf-8",
        "Cache-Control": CACHE,
      }),
  );
  app.get(
    "/docs/assets/init.js",
    (c) => c.body(INIT, 200, { "Content-Type": "text/javascript; charset=utf-8" }),
  );
  app.get("/redoc", (c) => c.html(REDOC_PAGE));
  app.get("/redoc/", (c) => c.redirect("/redoc"));
  app.get(
    "/redoc/assets/redoc.standalone.js",
    (c) =>
      c.body(redocBundle, 200, {
        "Content-Type": "text/javascript; charset=utf-8",
        "Cache-Control": CACHE,
      }),
  );
  app.get(
    "/redoc/assets/init.js",
    (c) => c.body(REDOC_INIT, 200, { "Content-Type": "text/javascript; charset=utf-8" }),
  );
  return app;
}

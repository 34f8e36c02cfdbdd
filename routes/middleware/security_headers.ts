/**
 * Security headers on every response (errors included), from `hono/secure-headers`: `nosniff`, no referrer,
 * no framing (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`), same-origin resource and opener
 * policies, and HSTS in production only. JSON, CSV and the other API answers get a CSP that allows nothing;
 * the dashboard pages (`/app`) one for same-origin scripts, styles and connections;
 * `/docs` gets one that allows exactly what Swagger UI loads from this app (its script and stylesheet, the
 * inline styles and `data:` images it uses, and `fetch` of `/openapi.json` and "Try it out" calls); `/redoc` the
 * same plus `worker-src blob:` (ReDoc's search worker, built by its own same-origin script).
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;
import type { AppEnv } from "../app_env.ts";

/** HSTS value in production: one year, subdomains included. */
const HSTS_VALUE = "max-age=31536000; includeSubDomains";

/** The CSP of every API answer: load nothing, never framed. */
const API_CSP = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

/** The CSP of `/docs` and its assets: same-origin script, style, fetch; `data:` images and fonts. */
const DOCS_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  objectSrc: ["'none'"],
};

/**
 * The CSP of the dashboard (`/`, `/app` and below): scripts, styles, images and connections (fetch and
 * WebSockets) to this origin only, forms posting only here. Inline styles are allowed because the chart library
 * sets element styles; no inline script runs (page data travels in a non-executed JSON element).
 */
const PAGES_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:", "blob:"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

/** The CSP of `/redoc` and its assets: as `/docs`, plus workers from `blob:` (ReDoc's search index). */
const REDOC_CSP = { ...DOCS_CSP, workerSrc: ["blob:"] };

/** The headers middleware; `production` adds `Strict-Transport-Security`. */
export function securityHeaders(opts: { production: boolean }): MiddlewareHandler<AppEnv> {
  const common: SecureHeadersOptions = {
    strictTransportSecurity: opts.production ? HSTS_VALUE : false,
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    // Answers are read by front ends on other origins through CORS, which this policy does not affect.
    crossOriginResourcePolicy: "same-origin",
    permissionsPolicy: { camera: false, microphone: false, geolocation: false },
  };
  const api = secureHeaders({ ...common, contentSecurityPolicy: API_CSP });
  const docs = secureHeaders({ ...common, contentSecurityPolicy: DOCS_CSP });
  const redoc = secureHeaders({ ...common, contentSecurityPolicy: REDOC_CSP });
  const pages = secureHeaders({ ...common, contentSecurityPolicy: PAGES_CSP });
  const under = (path: string, page: string) => path === page || path.startsWith(`${page}/`);
  return (c, next) =>
    under(c.req.path, "/docs")
      ? docs(c, next)
      : under(c.req.path, "/redoc")
      ? redoc(c, next)
      : c.req.path === "/" || under(c.req.path, "/app")
      ? pages(c, next)
      : api(c, next);
}

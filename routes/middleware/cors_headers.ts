/**
 * CORS for the API: preflights (`OPTIONS`) are answered by `hono/cors`; every other request gets its CORS
 * headers on the answer once it is made. (`hono/cors` sets them before the handler runs, which makes Hono build a
 * placeholder response and then copy every header into the handler's answer: two extra `Response`s and a header
 * copy per request. Set afterwards, the answer is made once and only gains two headers.)
 */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../app_env.ts";

/** What the API allows other origins. */
export interface CorsPolicy {
  /** Allowed origins; `["*"]` (alone or among others) allows any. */
  origins: string[];
  allowHeaders: string[];
  allowMethods: string[];
  exposeHeaders: string[];
  /** How long a browser may keep a preflight's answer (seconds). */
  maxAge: number;
}

/** The middleware for `policy`. */
export function corsHeaders(policy: CorsPolicy): MiddlewareHandler<AppEnv> {
  const anyOrigin = policy.origins.includes("*");
  const preflight = cors({
    origin: anyOrigin ? "*" : policy.origins,
    allowHeaders: policy.allowHeaders,
    allowMethods: policy.allowMethods,
    exposeHeaders: policy.exposeHeaders,
    maxAge: policy.maxAge,
  });
  const expose = policy.exposeHeaders.join(",");
  const allowed = new Set(policy.origins);
  const apply = (headers: Headers, origin: string | null) => {
    if (origin !== null) headers.set("Access-Control-Allow-Origin", origin);
    if (expose) headers.set("Access-Control-Expose-Headers", expose);
    if (!anyOrigin) headers.append("Vary", "Origin");
  };
  return async (c, next) => {
    if (c.req.method === "OPTIONS") return await preflight(c, next);
    // Read before the route runs: once a WebSocket upgrade has taken the request, its headers cannot be read.
    const asked = anyOrigin ? "" : c.req.header("origin") ?? "";
    const origin = anyOrigin ? "*" : allowed.has(asked) ? asked : null;
    await next();
    try {
      apply(c.res.headers, origin);
    } catch {
      // An answer with read-only headers (`Response.redirect`, a fetched answer): a copy with writable ones.
      c.res = new Response(c.res.body, c.res);
      apply(c.res.headers, origin);
    }
  };
}

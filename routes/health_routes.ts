/**
 * `GET /api/v1/health` (the QuantGPT and TradAI documents: `status` "ok" | "degraded" with one check per
 * dependency) and `GET /health` (the Backtester v2 document's shape: `status` "healthy" | "degraded" |
 * "unhealthy", `database`, `cache`, plus the same `version` and `checks`). Both always answer 200: read `status`.
 * In production the checks carry `ok` and `detail` only; `status`, `version`, `database` and `cache` are shown.
 *
 * Both are liveness answers: they serve the last run of the dependency checks, which run at most every
 * `DEEP_CHECK_TTL_MS` (`domain/health_monitor.ts`), with `X-Health-Checked-At` saying when.
 * `GET /api/v1/admin/health` (admins) runs them now and shows every detail, in the `/health` shape.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import type { HealthDeps } from "../domain/health.ts";
import {
  checkedAtOf,
  DEEP_CHECK_TTL_MS,
  healthMonitor,
  type HealthSnapshot,
} from "../domain/health_monitor.ts";
import { type CachedEncoding, compressBytes } from "../domain/public_reads/response_cache.ts";
import { newRouter } from "./app_env.ts";
import { COMPRESS_MIN_BYTES, pickEncoding } from "./public_cache.ts";
import { requireAdmin, requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, jsonResponse } from "./schemas/common.ts";

/**
 * The compressed forms of a report's JSON, made once per report (a run's bytes are served until the next run), so
 * a liveness answer never compresses per request; the compression middleware leaves the answer alone.
 */
const compressed = new WeakMap<Uint8Array, Partial<Record<CachedEncoding, Uint8Array>>>();

/** `json` in `encoding`, compressed at most once per report. */
function encodedOnce(json: Uint8Array, encoding: CachedEncoding): Uint8Array {
  let forms = compressed.get(json);
  if (!forms) compressed.set(json, forms = {});
  return forms[encoding] ??= compressBytes(json, encoding);
}

/**
 * Serves `json` of `snapshot`: never kept by a cache, with when its checks ran; brotli or gzip as accepted when
 * it is at least `COMPRESS_MIN_BYTES` (`Vary: Accept-Encoding` either way).
 */
const healthAnswer = (c: Context, snapshot: HealthSnapshot, json: Uint8Array) => {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    "Vary": "Accept-Encoding",
    "X-Health-Checked-At": checkedAtOf(snapshot),
  };
  const encoding = json.byteLength >= COMPRESS_MIN_BYTES
    ? pickEncoding(c.req.header("Accept-Encoding"))
    : null;
  if (encoding === null) return c.body(json as Uint8Array<ArrayBuffer>, 200, headers) as never;
  headers["Content-Encoding"] = encoding;
  return c.body(encodedOnce(json, encoding) as Uint8Array<ArrayBuffer>, 200, headers) as never;
};

const CACHED_NOTE =
  `The dependency checks run at most every ${DEEP_CHECK_TTL_MS / 1000} s (a request after that ` +
  "starts the next run and is answered with the last one); `X-Health-Checked-At` says when they ran. " +
  "`GET /api/v1/admin/health` (admins) runs them now.";

/** One check; a failed or redacted (production) check carries `ok` and `detail` only. */
const check = (extra: z.ZodRawShape) =>
  z.object({ ok: z.boolean(), detail: z.string() }).extend(extra).partial(
    Object.fromEntries(Object.keys(extra).map((k) => [k, true])),
  );

const HealthChecks = z.object({
  kv: check({ latency_ms: z.number() }),
  queue: check({ last_heartbeat_at: z.string().nullable() }),
  mail: check({ transport: z.string() }),
  market_data: check({
    source: z.string(),
    seed: z.number(),
    symbols: z.number().int(),
    generated_series: z.number().int(),
    rows: z.number().int(),
    date_range: z.object({ start: z.string(), end: z.string() }).nullable(),
    freshness: z.array(z.object({
      source: z.string(),
      scope: z.string(),
      last_bar_date: z.string().nullable(),
      expected_date: z.string().nullable(),
      stale: z.boolean(),
      error: z.string().nullable(),
    })),
  }).optional(),
  track_records: check({ alert_date: z.string(), missing: z.array(z.string()) }).optional(),
  attestation: check({
    log_size: z.number().int(),
    github: z.string().nullable(),
    unattested: z.number().int(),
  }).optional(),
  llm: check({
    provider: z.string().openapi({ description: "The provider asked first: gemini or offline" }),
    model: z.string().nullable(),
    configured: z.boolean().openapi({
      description: "A model is configured (GEMINI_API_KEY set); never the key",
    }),
  }).optional(),
}).openapi("HealthChecks", {
  description: "One entry per dependency; fields past `ok` and `detail` are absent in production",
});

const HealthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  checks: HealthChecks,
}).openapi("Health", {
  example: {
    status: "ok",
    version: "0.1.0",
    checks: {
      kv: { ok: true, detail: "read/write ok" },
      queue: { ok: true, detail: "listening" },
      mail: { ok: true, detail: "development: mail is printed to the server log" },
    },
  },
});

const ServiceHealthSchema = z.object({
  status: z.enum(["healthy", "degraded", "unhealthy"]).openapi({
    description: "unhealthy: KV (the database) fails; degraded: another check fails",
  }),
  version: z.string(),
  database: z.object({
    connected: z.boolean(),
    info: z.object({
      total_records: z.number().int().openapi({ description: "Stored bars over every source" }),
      date_range: z.object({ min_date: z.string().nullable(), max_date: z.string().nullable() }),
      unique_tickers: z.number().int().openapi({
        description: "Stored series (synthetic generated, CSV, Yahoo)",
      }),
    }).nullable().openapi({ description: "Read at most once a minute; null when it could not be read" }),
  }),
  cache: z.object({
    loaded: z.boolean(),
    rows: z.number().int().openapi({ description: "Bars held decoded in this process" }),
    years: z.number().int().openapi({ description: "Calendar years their dates touch" }),
    size_mb: z.number().openapi({ description: "MiB held, one decimal" }),
  }),
  checks: HealthChecks,
}).openapi("ServiceHealth", {
  example: {
    status: "healthy",
    version: "0.1.0",
    database: {
      connected: true,
      info: {
        total_records: 1170869,
        date_range: { min_date: "2015-01-05", max_date: "2026-05-13" },
        unique_tickers: 977,
      },
    },
    cache: { loaded: true, rows: 245678, years: 12, size_mb: 12.2 },
    checks: {
      kv: { ok: true, detail: "read/write ok" },
      queue: { ok: true, detail: "listening" },
      mail: { ok: true, detail: "development: mail is printed to the server log" },
    },
  },
});

/** Builds `GET /health` (mounted at the root). */
export function healthRoutes(deps: HealthDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["system"],
      summary:
        "Service health in the Backtester v2 shape: status, database, cache, and one check per dependency",
      description: "Always 200: read `status`. In production each check carries `ok` and `detail` only. " +
        CACHED_NOTE,
      responses: { 200: jsonResponse(ServiceHealthSchema, "Health report") },
    }),
    async (c) => {
      const snapshot = await healthMonitor(deps).current();
      return healthAnswer(c, snapshot, snapshot.serviceJson);
    },
  );
  return app;
}

/** Builds `GET /health` mounted under `/api/v1`. */
export function apiHealthRoutes(deps: HealthDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["system"],
      summary: "Service health with dependency checks (always 200; read `status`)",
      description: CACHED_NOTE,
      responses: { 200: jsonResponse(HealthSchema, "Health report") },
    }),
    async (c) => {
      const snapshot = await healthMonitor(deps).current();
      return healthAnswer(c, snapshot, snapshot.apiJson);
    },
  );
  return app;
}

/** Builds `GET /admin/health` (mounted under `/api/v1`; admins only). */
export function adminHealthRoutes(auth: AuthDeps, deps: HealthDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/health",
      tags: ["admin"],
      summary:
        "Admin: run every dependency check now; the `/health` shape with every detail (also in production)",
      description: "The run's report also becomes the one `/health` and `/api/v1/health` serve.",
      security: bearerSecurity,
      middleware: [requireAuth(auth), requireAdmin(auth)],
      responses: { 200: jsonResponse(ServiceHealthSchema, "Health report"), ...errorResponses(401, 403) },
    }),
    async (c) => {
      const snapshot = await healthMonitor(deps).refresh();
      return healthAnswer(c, snapshot, new TextEncoder().encode(JSON.stringify(snapshot.full)));
    },
  );
  return app;
}

/** `GET /health` and `GET /api/v1/health`. */
import { createRoute, z } from "@hono/zod-openapi";
import { checkHealth, type HealthDeps } from "../domain/health.ts";
import { newRouter } from "./app_env.ts";
import { jsonResponse } from "./schemas/common.ts";

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

/** Builds the health router mounted at both `/` and `/api/v1`. */
export function healthRoutes(deps: HealthDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["system"],
      summary: "Service health: one check per dependency (always 200; read `status`)",
      responses: { 200: jsonResponse(HealthSchema, "Health report") },
    }),
    async (c) => c.json(await checkHealth(deps), 200),
  );
  return app;
}

/** `GET /health` and `GET /api/v1/health`. */
import { createRoute, z } from "@hono/zod-openapi";
import { checkHealth, type HealthDeps } from "../domain/health.ts";
import { newRouter } from "./app_env.ts";
import { jsonResponse } from "./schemas/common.ts";

const HealthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  checks: z.record(z.string(), z.looseObject({ ok: z.boolean(), detail: z.string() })),
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

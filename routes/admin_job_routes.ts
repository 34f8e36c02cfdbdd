/** `POST /api/v1/admin/jobs/{name}/run?date=` (admin): run a daily job now for a date. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { isIsoDate } from "../domain/calendar/dates.ts";
import { DAILY_JOB_NAMES, type DailyJobStore } from "../domain/track_record/daily_tasks.ts";
import { runDailyTaskNow } from "../domain/track_record/operations.ts";
import type { TrackRecordServices } from "../domain/track_record/services.ts";
import { newRouter } from "./app_env.ts";
import { requireAdmin, requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, jsonResponse } from "./schemas/common.ts";
import { DailyJobRunSchema } from "./schemas/track_record.ts";

/** Builds the admin job router. */
export function adminJobRoutes(auth: AuthDeps, deps: TrackRecordServices, store: DailyJobStore) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/jobs/{name}/run",
      tags: ["admin"],
      summary: "Admin: run a daily job now for a date (default today, Asia/Shanghai)",
      description: "Jobs: settle-signals (18:15 CST), recompute-evaluations (18:30), watchdog (18:45), " +
        "retry-attestations (09:10). Each is idempotent.",
      security: bearerSecurity,
      middleware: [requireAuth(auth), requireAdmin(auth)],
      request: {
        params: z.object({
          name: z.enum(DAILY_JOB_NAMES).openapi({
            param: { name: "name", in: "path" },
            example: "settle-signals",
          }),
        }),
        query: z.object({ date: z.string().refine(isIsoDate, "Expected YYYY-MM-DD").optional() }),
      },
      responses: {
        200: jsonResponse(DailyJobRunSchema, "Ran"),
        ...errorResponses(400, 401, 403, 422),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      return c.json(await runDailyTaskNow(deps, store, name, c.req.valid("query").date), 200);
    },
  );
  return app;
}

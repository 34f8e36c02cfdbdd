/**
 * `POST /api/v1/admin/jobs/{name}/run?date=` (admin): run a daily job now for a date. The track record's jobs
 * are built in; other areas add theirs as `AdminJob`s (paper trading's `paper-advance`, the licences'
 * `license-expiry`), each with its summary's schema, so one route runs every daily job.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { isIsoDate } from "../domain/calendar/dates.ts";
import { DAILY_JOB_NAMES, type DailyJobStore } from "../domain/track_record/daily_tasks.ts";
import { runDailyTaskNow } from "../domain/track_record/operations.ts";
import type { TrackRecordServices } from "../domain/track_record/services.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAdmin, requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, jsonResponse } from "./schemas/common.ts";
import { DailyJobRunSchema, DailyJobSummarySchema } from "./schemas/track_record.ts";

/** A daily job of another area, runnable by an admin for a date (default: that job's own "today"). */
export interface AdminJob {
  /** Kebab-case name, as in the path and in the cron table. */
  name: string;
  /** One line for the route's description: when the job runs and what it does. */
  description: string;
  /** The schema of what `run` answers as `summary`. */
  summary: z.ZodType;
  /** Runs the job for `date` (`YYYY-MM-DD`, or the job's default date) and answers the date used and a summary. */
  run(date: string | undefined): Promise<{ date: string; summary: unknown }>;
}

/** Builds the admin job router: the track record's daily jobs plus `extra`. */
export function adminJobRoutes(
  auth: AuthDeps,
  deps: TrackRecordServices,
  store: DailyJobStore,
  extra: readonly AdminJob[] = [],
) {
  const app = newRouter();
  const names = [...DAILY_JOB_NAMES, ...extra.map((j) => j.name)] as [string, ...string[]];
  const summary = extra.length === 0
    ? DailyJobSummarySchema
    : z.union([DailyJobSummarySchema, ...extra.map((j) => j.summary)]);
  const schema = extra.length === 0
    ? DailyJobRunSchema
    : z.object({ job: z.string(), date: z.string(), summary }).openapi("DailyJobRun");
  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/jobs/{name}/run",
      tags: ["admin"],
      summary: "Admin: run a daily job now for a date (default today in the job's time zone)",
      description: "Jobs: settle-signals (18:15 CST), recompute-evaluations (18:30), watchdog (18:45), " +
        "retry-attestations (09:10)" + extra.map((j) => `, ${j.name} (${j.description})`).join("") +
        ". Each is idempotent.",
      security: bearerSecurity,
      middleware: [requireAuth(auth), requireAdmin(auth)],
      request: {
        params: z.object({
          name: z.enum(names).openapi({ param: { name: "name", in: "path" }, example: "settle-signals" }),
        }),
        query: z.object({ date: z.string().refine(isIsoDate, "Expected YYYY-MM-DD").optional() }),
      },
      responses: {
        200: jsonResponse(schema, "Ran"),
        ...errorResponses(400, 401, 403, 422),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const date = c.req.valid("query").date;
      const job = extra.find((j) => j.name === name);
      if (job) {
        const ran = await fromInput("query", () => job.run(date));
        return c.json({ job: name, date: ran.date, summary: ran.summary }, 200);
      }
      const daily = DAILY_JOB_NAMES.find((n) => n === name)!;
      return c.json(await runDailyTaskNow(deps, store, daily, date), 200);
    },
  );
  return app;
}

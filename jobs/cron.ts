/** The one table of scheduled jobs (UTC cron expressions) and its registrar. */
import type { Clock } from "../domain/clock.ts";
import type { LogFn } from "../domain/log.ts";

/** What cron handlers need. */
export interface CronDeps {
  queue: { enqueueHeartbeat(): Promise<void> };
  clock: Clock;
  log: LogFn;
}

/** A scheduled job: a kebab-case name, a UTC schedule, and what it does. */
export interface CronJob {
  name: string;
  schedule: string;
  run: (deps: CronDeps) => Promise<void>;
}

/** Every scheduled job of the service. */
export const CRON_JOBS: readonly CronJob[] = [
  {
    name: "queue-heartbeat",
    schedule: "*/5 * * * *",
    run: (deps) => deps.queue.enqueueHeartbeat(),
  },
];

/** The shape of `Deno.cron`, injectable for tests. */
export type CronFn = (name: string, schedule: string, handler: () => Promise<void>) => unknown;

/** Registers every job of `CRON_JOBS` with `cron` (default `Deno.cron`); failures are logged, not thrown. */
export function registerCronJobs(deps: CronDeps, cron: CronFn = Deno.cron): void {
  for (const job of CRON_JOBS) {
    cron(job.name, job.schedule, async () => {
      try {
        await job.run(deps);
      } catch (e) {
        deps.log("error", "cron job failed", {
          job: job.name,
          error: e instanceof Error ? e.message : String(e),
        });
      }
    });
  }
}

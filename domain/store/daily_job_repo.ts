/** Storage of daily-job side records: watchdog alerts, evaluation metrics and last-run summaries. */
import type { DailyJobName, DailyJobStore, WatchdogAlert } from "../track_record/daily_tasks.ts";
import { keys } from "./keys.ts";

/** How long watchdog alerts are kept. */
const WATCHDOG_ALERT_TTL_MS = 30 * 86_400_000;

/** The KV-backed store, plus reads the API uses. */
export interface DailyJobRepo extends DailyJobStore {
  evaluation(slug: string): Promise<unknown | null>;
  lastRun(name: DailyJobName): Promise<unknown | null>;
}

/** Creates the repository. */
export function createDailyJobRepo(kv: Deno.Kv): DailyJobRepo {
  return {
    async putAlert(alert) {
      await kv.set(keys.watchdogAlert(alert.date), alert, { expireIn: WATCHDOG_ALERT_TTL_MS });
    },
    async latestAlert() {
      for await (
        const e of kv.list<WatchdogAlert>({ prefix: keys.watchdogAlerts() }, { reverse: true, limit: 1 })
      ) {
        return e.value;
      }
      return null;
    },
    async putEvaluation(slug, evaluation) {
      await kv.set(keys.strategyEvaluation(slug), evaluation);
    },
    async evaluation(slug) {
      return (await kv.get(keys.strategyEvaluation(slug))).value;
    },
    async recordRun(name, run) {
      await kv.set(keys.dailyJobRun(name), run);
    },
    async lastRun(name) {
      return (await kv.get(keys.dailyJobRun(name))).value;
    },
  };
}

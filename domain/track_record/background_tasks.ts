/**
 * Work that follows a request without holding up its response (the GitHub commit after a signal submission).
 * Tasks run in this process, by name: scheduling a name that is already running makes it run once more when it
 * finishes instead of twice at once. Nothing here is durable; a task lost with its process is found again from
 * its KV markers by the next run (the 09:10 job, or the next submission).
 */
import type { LogFn } from "../log.ts";

/** In-process background tasks. */
export interface BackgroundTasks {
  /** Starts `task` under `name`, or, while one by that name runs, has it run once more afterwards. */
  run(name: string, task: () => Promise<unknown>): void;
  /** Resolves once no task is running (for an orderly shutdown, and for tests). */
  drain(): Promise<void>;
}

/** Creates the runner; a task's failure is logged, never thrown. */
export function createBackgroundTasks(log: LogFn): BackgroundTasks {
  const running = new Map<string, { again: boolean; done: Promise<void> }>();
  return {
    run(name, task) {
      const current = running.get(name);
      if (current) {
        current.again = true;
        return;
      }
      const state = { again: false, done: Promise.resolve() };
      running.set(name, state);
      state.done = (async () => {
        try {
          do {
            state.again = false;
            try {
              await task();
            } catch (e) {
              log("error", "background task failed", { task: name, error: String(e) });
            }
          } while (state.again);
        } finally {
          running.delete(name);
        }
      })();
    },
    async drain() {
      while (running.size > 0) await Promise.all([...running.values()].map((s) => s.done));
    },
  };
}

import assert from "node:assert/strict";
import { createBackgroundTasks } from "../../../domain/track_record/background_tasks.ts";
import type { LogFn } from "../../../domain/log.ts";

/** A promise with its resolver, to hold a task mid-run. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

Deno.test("a task scheduled while the same name runs runs once more afterwards, never twice at once", async () => {
  const tasks = createBackgroundTasks(() => {});
  const first = gate();
  let running = 0, maxRunning = 0, runs = 0;
  const task = async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    runs++;
    if (runs === 1) await first.opened;
    running--;
  };
  tasks.run("t", task);
  tasks.run("t", task);
  tasks.run("t", task);
  assert.equal(runs, 1, "the first run has started, the others wait");
  first.open();
  await tasks.drain();
  assert.equal(runs, 2, "three requests while one ran: one more run");
  assert.equal(maxRunning, 1);
  tasks.run("t", task);
  await tasks.drain();
  assert.equal(runs, 3, "after it ended, a new request runs again");
});

Deno.test("different names run side by side; a failure is logged and does not stop drain()", async () => {
  const logged: unknown[] = [];
  const log: LogFn = (level, msg, fields) => logged.push({ level, msg, fields });
  const tasks = createBackgroundTasks(log);
  const hold = gate();
  const order: string[] = [];
  tasks.run("a", async () => {
    order.push("a start");
    await hold.opened;
    order.push("a end");
  });
  tasks.run("b", () => {
    order.push("b");
    return Promise.reject(new Error("boom"));
  });
  assert.deepEqual(order, ["a start", "b"]);
  hold.open();
  await tasks.drain();
  assert.deepEqual(order, ["a start", "b", "a end"]);
  assert.deepEqual(logged, [{
    level: "error",
    msg: "background task failed",
    fields: { task: "b", error: "Error: boom" },
  }]);
});

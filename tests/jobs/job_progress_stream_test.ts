import assert from "node:assert/strict";
import { createStreamRepo } from "../../domain/store/stream_repo.ts";
import { queueBacktest } from "../../domain/backtest/job_submission.ts";
import { type JobProgressMessage, watchOwnJob } from "../../domain/backtest/job_progress.ts";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { NotFoundError } from "../../domain/errors.ts";
import { keys } from "../../domain/store/keys.ts";
import { createTopicHub, JOB_PROGRESS_STREAM, jobProgressTopic } from "../../domain/stream/hub.ts";
import { startStreamBridge } from "../../jobs/stream_bridge.ts";
import { openBacktestWorld, rsiSpec } from "../_helpers/backtest_world.ts";

Deno.test("job progress flows job commit → KV stream marker → bridge → hub → watcher, ending at the final state", async () => {
  const w = await openBacktestWorld();
  const hub = createTopicHub();
  const bridge = startStreamBridge(
    { streams: createStreamRepo(w.kv), jobs: w.jobs.jobs },
    hub,
    () => w.clock.now(),
  );
  try {
    await bridge.ready;
    const me = await w.addUser("usr_ws", "ws");
    const { job_id } = await queueBacktest(
      { jobs: w.jobs, library: w.library, maxExpressionCost: 1e12 },
      me,
      {
        spec: rsiSpec(["600519.SH", "000001.SZ", "600036.SH"]),
      },
    );
    await assert.rejects(watchOwnJob({ backtests: w.jobs, hub }, "usr_other", job_id), NotFoundError);
    const watch = await watchOwnJob({ backtests: w.jobs, hub }, me.id, job_id);
    const abort = new AbortController();
    const messages: JobProgressMessage[] = [];
    const collected = (async () => {
      for await (const m of watch.messages(abort.signal)) messages.push(m);
    })();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(hub.count(jobProgressTopic(job_id)), 1, "the watcher listens on the job's topic");
    assert.deepEqual(hub.topics(jobProgressTopic("")), [jobProgressTopic(job_id)]);
    assert.equal(await runBacktestJob(w.jobs, job_id), "completed");
    await collected; // ends by itself at the final state
    assert.equal(messages[0].status, "queued", "the current state first");
    assert.equal(messages.at(-1)!.status, "completed");
    assert.equal(messages.at(-1)!.progress, 100);
    assert.ok(messages.some((m) => m.status === "running"), "changes arrive through the hub");
    const progress = messages.map((m) => m.progress);
    assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]), "progress never goes back");
    assert.equal(hub.count(jobProgressTopic(job_id)), 0, "the watcher leaves the topic when done");
    const marker = await w.kv.get<{ job_id: string }>(keys.streamChanged(JOB_PROGRESS_STREAM));
    assert.equal(marker.value?.job_id, job_id, "the job's last commit set the marker");
  } finally {
    bridge.stop();
    w.close();
  }
});

Deno.test("a watcher stops when its signal aborts, and a stale delivery is never sent after a newer state", async () => {
  const w = await openBacktestWorld();
  const hub = createTopicHub();
  try {
    const me = await w.addUser("usr_ab", "ab");
    const { job_id } = await queueBacktest(
      { jobs: w.jobs, library: w.library, maxExpressionCost: 1e12 },
      me,
      {
        spec: rsiSpec(["600519.SH"]),
      },
    );
    const job = (await w.jobs.jobs.get(job_id))!;
    const watch = await watchOwnJob({ backtests: w.jobs, hub }, me.id, job_id);
    const abort = new AbortController();
    const messages: JobProgressMessage[] = [];
    const collected = (async () => {
      for await (const m of watch.messages(abort.signal)) messages.push(m);
    })();
    await new Promise((r) => setTimeout(r, 20));
    const topic = jobProgressTopic(job_id);
    hub.publish(topic, { ...job, status: "running", attempt: 1, progress: 40 });
    hub.publish(topic, { ...job, status: "running", attempt: 1, progress: 20 }); // late: dropped
    hub.publish(topic, { ...job, status: "running", attempt: 1, progress: 40 }); // same state: not repeated
    await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    await collected;
    assert.deepEqual(messages.map((m) => [m.status, m.progress]), [["queued", 0], ["running", 40]]);
    assert.equal(hub.count(topic), 0);
  } finally {
    w.close();
  }
});

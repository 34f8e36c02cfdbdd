/**
 * Where a backtest job stands, server-rendered: status (`#job-status`), progress (`#job-progress`), the queue's
 * reason or the run's current date, the error of a failed job, and a Cancel form (`#job-cancel`) while it can
 * be cancelled — a plain form post that works without JavaScript; the page's script sends it to the API instead
 * and keeps the status live over `/ws/backtests/{id}`.
 */
import type { JobDetailView } from "../../../domain/backtest/job_views.ts";
import type { QueueView } from "../../../domain/backtest/job_submission.ts";
import { fmtNumber, fmtTime } from "../format.ts";

/** The badge class of each status. */
export const STATUS_BADGE: Record<string, string> = {
  queued: "warn",
  running: "warn",
  completed: "good",
  failed: "bad",
  cancelled: "bad",
};

/** A line on where the job stands: the queue's reason, the running date, or nothing once finished. */
function stateLine(
  job: Pick<JobDetailView, "status" | "current_date" | "trades_executed" | "progress">,
  queue: QueueView | null,
): string {
  if (job.status === "queued") return queue ? `Waiting: ${queue.reason}` : "Waiting to start.";
  if (job.status === "running") {
    return `Running: ${fmtNumber(job.progress, 0)}% done` +
      (job.current_date ? `, at ${job.current_date}` : "") + `, ${job.trades_executed} trades so far.`;
  }
  return "";
}

/** The status card of one job. */
export function JobState(props: { job: JobDetailView & { queue: QueueView | null }; cancelAction: string }) {
  const j = props.job;
  const live = j.status === "queued" || j.status === "running";
  return (
    <section class="card" id="job-state" aria-labelledby="job-state-heading">
      <h2 id="job-state-heading">
        Status <span class="zh" lang="zh-Hans">状态</span>
      </h2>
      <p role="status" aria-live="polite">
        <span id="job-status" class={`badge ${STATUS_BADGE[j.status] ?? ""}`} data-status={j.status}>
          {j.status}
        </span>{" "}
        <span id="job-detail">{stateLine(j, j.queue)}</span>
      </p>
      <label for="job-progress">Progress 进度</label>
      <progress id="job-progress" class="progress" max={100} value={j.progress}>{`${j.progress}%`}</progress>
      {j.error
        ? <p class="error" role="alert" id="job-error">{j.error}</p>
        : <p class="error" role="alert" id="job-error" hidden></p>}
      {live && !j.cancel_requested
        ? (
          <form method="post" action={props.cancelAction} id="cancel-form">
            <button type="submit" id="job-cancel" class="danger">Cancel backtest 取消回测</button>
          </form>
        )
        : null}
      {j.cancel_requested && live
        ? <p class="warn">Cancel requested: the run stops within one slice.</p>
        : null}
      <dl class="metrics">
        <div>
          <dt>Period</dt>
          <dd>{j.start_date} – {j.end_date}</dd>
        </div>
        <div>
          <dt>Initial capital</dt>
          <dd>{fmtNumber(j.initial_capital)}</dd>
        </div>
        <div>
          <dt>Submitted</dt>
          <dd>{fmtTime(j.created_at)}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd id="job-started">{fmtTime(j.started_at)}</dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd id="job-finished">{fmtTime(j.finished_at)}</dd>
        </div>
        {j.experiment_name
          ? (
            <div>
              <dt>Experiment</dt>
              <dd>{j.experiment_name}</dd>
            </div>
          )
          : null}
      </dl>
    </section>
  );
}

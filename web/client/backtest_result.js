// The result page of one backtest job: draws the charts of a completed job from the page data; for a queued or
// running job, follows `/ws/backtests/{id}` (the access token goes in the Sec-WebSocket-Protocol header as
// `bearer, <token>`, never in the URL), updates #job-status / #job-progress, sends Cancel to the API, and once
// the job completes loads its report and renders it without a reload.
import { accessToken, api, socketUrl } from "/app/assets/client/api.js";
import { byId, readPageData, showError, showStatus } from "/app/assets/client/dom.js";
import { drawResultCharts, renderBacktestResult } from "/app/assets/client/result_view.js";

const BADGE = { queued: "warn", running: "warn", completed: "good", failed: "bad", cancelled: "bad" };
const FINISHED = new Set(["completed", "failed", "cancelled"]);
/** Reconnections in a row, without a message between them, before the page gives up following. */
const MAX_RECONNECTS = 10;

const data = readPageData();
const result = byId("result");

function showState(m) {
  const status = byId("job-status");
  status.textContent = m.status;
  status.dataset.status = m.status;
  status.className = `badge ${BADGE[m.status] ?? ""}`;
  const progress = byId("job-progress");
  progress.value = Number(m.progress) || 0;
  progress.textContent = `${progress.value}%`;
  const detail = byId("job-detail");
  if (m.status === "running") {
    detail.textContent = `Running: ${Math.round(progress.value)}% done` +
      (m.current_date ? `, at ${m.current_date}` : "") + `, ${m.trades_executed ?? 0} trades so far.`;
  } else if (m.status === "queued") {
    detail.textContent = "Waiting to start.";
  } else {
    detail.textContent = "";
  }
  const error = byId("job-error");
  error.hidden = !m.error;
  error.textContent = m.error ?? "";
  if (FINISHED.has(m.status)) document.getElementById("cancel-form")?.remove();
}

/** "2026-12-07 05:04 UTC", as the server writes times on this page. */
function timeText(iso) {
  return typeof iso === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso)
    ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
    : "—";
}

/** Fills the status card's start and end times from the job (the progress messages carry no times). */
async function showTimes() {
  try {
    const job = await api(data.job);
    byId("job-started").textContent = timeText(job.started_at);
    byId("job-finished").textContent = timeText(job.finished_at);
  } catch {
    // The times stay as rendered; the result below is what matters.
  }
}

async function showFinished(m) {
  showTimes();
  if (m.status !== "completed") {
    showStatus(result, `This run has no result (${m.status}).`);
    return;
  }
  showStatus(result, "Loading the result…");
  try {
    const report = await api(data.report);
    renderBacktestResult(result, report, { exports: data.exports });
  } catch (err) {
    showError(result, err);
  }
}

async function follow(attempt = 0) {
  let token;
  try {
    token = await accessToken(attempt > 0);
  } catch (err) {
    showError(result, err);
    return;
  }
  if (!token) {
    location.assign(`/app/sign-in?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  const socket = new WebSocket(socketUrl(data.socket), ["bearer", token]);
  let finished = false;
  let heard = false;
  socket.addEventListener("message", (event) => {
    heard = true;
    let m;
    try {
      m = JSON.parse(event.data);
    } catch {
      return;
    }
    if (m?.type !== "progress") return;
    showState(m);
    if (FINISHED.has(m.status) && !finished) {
      finished = true;
      showFinished(m);
    }
  });
  socket.addEventListener("close", () => {
    if (finished) return;
    // A socket that carried messages closed at the end of its lifetime: start counting again (fresh token).
    const next = heard ? 1 : attempt + 1;
    if (next > MAX_RECONNECTS) {
      showError(result, new Error("Lost the live progress: reload the page to see where the run stands."));
      return;
    }
    setTimeout(() => follow(next), Math.min(500 * 2 ** next, 15_000));
  });
}

function wireCancel() {
  const form = document.getElementById("cancel-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = byId("job-cancel");
    button.disabled = true;
    try {
      const answer = await api(data.cancel, { method: "POST" });
      byId("job-detail").textContent = answer.status === "cancelled"
        ? "Cancelled."
        : "Cancel requested: the run stops within one slice.";
    } catch (err) {
      button.disabled = false;
      const error = byId("job-error");
      error.textContent = err instanceof Error ? err.message : String(err);
      error.hidden = false;
    }
  });
}

if (data.status === "completed" && data.chart) {
  drawResultCharts(result, data.chart);
} else if (!FINISHED.has(data.status)) {
  wireCancel();
  follow();
}

// The actions of a library strategy's page (`/app/library/:id`), each through the public API: stage a version,
// promote it, roll production back, publish or withdraw, delete (destructive ones ask first), queue a backtest
// (then open its page), submit to document 000's leaderboard, and download the exports.
import { api } from "/app/assets/client/api.js";
import {
  byId,
  download,
  fmtNumber,
  fmtPct,
  h,
  metricItem,
  readPageData,
  replaceChildren,
  showError,
  showStatus,
} from "/app/assets/client/dom.js";

const data = readPageData();
const base = `/api/v1/library/${encodeURIComponent(data.id)}`;

/** Reloads the page with a `?done=` note the server announces. */
function reloadWith(done) {
  location.assign(`${location.pathname}?done=${encodeURIComponent(done)}`);
}

/** Runs `work` with `button` disabled, showing errors in `status`. */
async function busy(button, status, pending, work) {
  button.disabled = true;
  showStatus(status, pending);
  try {
    await work();
  } catch (err) {
    showError(status, err);
    button.disabled = false;
  }
}

function versionOf(id) {
  const n = Number(byId(id).value);
  if (!Number.isInteger(n) || n < 1 || n > data.latest) {
    throw new Error(`Choose a version from 1 to ${data.latest}`);
  }
  return n;
}

const stageStatus = byId("stage-status");

byId("stage-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const button = byId("stage-submit");
  busy(button, stageStatus, "Staging…", async () => {
    await api(`${base}/stage`, { method: "POST", json: { version: versionOf("stage-version") } });
    reloadWith("staged");
  });
});

byId("promote").addEventListener("click", (ev) => {
  const v = ev.currentTarget.dataset.version;
  if (
    !confirm(`Promote v${v} to production? The current production version can be restored by a rollback.`)
  ) return;
  busy(ev.currentTarget, stageStatus, "Promoting…", async () => {
    await api(`${base}/promote`, { method: "POST" });
    reloadWith("promoted");
  });
});

byId("rollback").addEventListener("click", (ev) => {
  const v = ev.currentTarget.dataset.version;
  if (!confirm(`Roll production back to v${v}?`)) return;
  busy(ev.currentTarget, stageStatus, "Rolling back…", async () => {
    await api(`${base}/rollback`, { method: "POST" });
    reloadWith("rolledback");
  });
});

byId("publish").addEventListener("click", (ev) => {
  const isPublic = ev.currentTarget.dataset.public === "true";
  if (isPublic && !confirm("Withdraw this strategy from the public catalog?")) return;
  busy(ev.currentTarget, stageStatus, isPublic ? "Withdrawing…" : "Publishing…", async () => {
    await api(base, { method: "PATCH", json: { is_public: !isPublic } });
    reloadWith(isPublic ? "withdrawn" : "published");
  });
});

byId("delete-strategy").addEventListener("click", (ev) => {
  if (!confirm(`Delete “${data.name}” from your library?`)) return;
  busy(ev.currentTarget, stageStatus, "Deleting…", async () => {
    await api(base, { method: "DELETE" });
    location.assign("/app/library");
  });
});

byId("backtest-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  busy(byId("backtest-run"), byId("backtest-status"), "Queueing the backtest…", async () => {
    const queued = await api("/api/v1/backtests", {
      method: "POST",
      json: { library_id: data.id, version: versionOf("backtest-version") },
    });
    location.assign(`/app/backtests/${encodeURIComponent(queued.job_id)}`);
  });
});

byId("submit-leaderboard-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const out = byId("lb-result");
  const button = byId("submit-leaderboard");
  busy(button, out, "Running the strategy on the dataset…", async () => {
    const dataset = byId("lb-submit-dataset").value;
    const ticker = byId("lb-ticker").value.trim();
    const json = { strategy_id: data.number, version: versionOf("lb-version"), dataset };
    if (ticker) json.ticker = ticker;
    const res = await api("/leaderboard/submit", { method: "POST", json });
    const m = res.metrics;
    replaceChildren(
      out,
      h("p", { role: "status", class: "ok", id: "lb-score" }, `Ranked: score ${fmtNumber(res.score, 2)}`),
      h(
        "dl",
        { class: "metrics", id: "lb-metrics" },
        metricItem("Score 得分", fmtNumber(res.score, 2)),
        metricItem("Total return 总收益", fmtPct(m["Total Return"])),
        metricItem("Sharpe 夏普", fmtNumber(m["Sharpe Ratio"], 3)),
        metricItem("Max drawdown 最大回撤", fmtPct(m["Max Drawdown"])),
      ),
      // Document 000's root `/leaderboard/submit` (routes/copilot_routes.ts) answers `notes` (the dataset run).
      h("p", { class: "muted" }, res.notes),
      h(
        "p",
        {},
        h(
          "a",
          { href: `/app/leaderboard?period=daily&dataset=${encodeURIComponent(dataset)}` },
          "See the leaderboard",
        ),
      ),
    );
    button.disabled = false;
  });
});

const exportStatus = byId("export-status");

function exporter(buttonId, path, filename, type) {
  byId(buttonId).addEventListener("click", (ev) => {
    const button = ev.currentTarget;
    busy(button, exportStatus, "Preparing the download…", async () => {
      const text = await api(path);
      download(filename, typeof text === "string" ? text : JSON.stringify(text), type);
      showStatus(exportStatus, `Downloaded ${filename}.`);
      button.disabled = false;
    });
  });
}

exporter("export-text", `${base}/strategy.txt`, `${data.id}-v${data.latest}.strategy.txt`, "text/plain");
exporter("export-code", `/export/code/${data.number}`, `strategy-${data.number}.py`, "text/x-python");
exporter("export-csv", `/export/csv/${data.number}`, `strategy-${data.number}-backtest.csv`, "text/csv");

// `/app/tracked/<slug>`: the deadline countdown, status actions, the signal form, withdrawals and the claimed
// history upload, all through the public API (`/api/v1/strategies/{slug}/…`).
import { api } from "/app/assets/client/api.js";
import {
  byId,
  fmtFraction,
  fmtNumber,
  h,
  metricItem,
  readPageData,
  replaceChildren,
  showError,
  showStatus,
} from "/app/assets/client/dom.js";
import { clearFieldErrors, showApiError } from "/app/assets/client/field_issues.js";

const data = readPageData();
const base = `/api/v1/strategies/${encodeURIComponent(data.slug)}`;

// ---- countdown -------------------------------------------------------------------------------------------------

/** `2 d 03 h 04 min 05 s`, as the server writes it. */
function formatRemaining(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const two = (n) => String(n).padStart(2, "0");
  const hms = `${two(Math.floor((total % 86400) / 3600))} h ${two(Math.floor((total % 3600) / 60))} min ${
    two(total % 60)
  } s`;
  return d > 0 ? `${d} d ${hms}` : hms;
}

// The server's clock decides deadlines: count from its "now", not from this device's clock.
const skew = data.now_ms - Date.now();
let target = { date: data.trade_date, ms: data.deadline_ms };
let next = { date: data.next_trade_date, ms: data.next_deadline_ms };
const lead = byId("deadline-lead");
const remaining = byId("deadline-remaining");
const passed = byId("deadline-passed");
const tradeDateInput = document.getElementById("signal-trade-date");

function tick() {
  const now = Date.now() + skew;
  if (now >= target.ms) {
    const was = target;
    if (next) {
      passed.textContent =
        `The deadline for ${was.date} (${data.deadline_time} CST) has passed: a signal now goes ` +
        `to ${next.date}.`;
      lead.textContent =
        `The deadline for ${was.date} has passed: a signal now goes to the next trading day, ` +
        `${next.date}, due by ${data.deadline_time} Asia/Shanghai (CST) on ${next.date}:`;
      if (tradeDateInput && tradeDateInput.value === was.date) tradeDateInput.value = next.date;
      target = next;
      next = null;
    } else {
      lead.textContent = `The deadline for ${was.date} has passed: reload the page for the next one.`;
      remaining.textContent = "";
      clearInterval(timer);
      return;
    }
  }
  remaining.textContent = formatRemaining(target.ms - now);
}
const timer = setInterval(tick, 1000);
tick();

// ---- status actions --------------------------------------------------------------------------------------------

const statusResult = document.getElementById("status-result");

async function patch(body, confirmText) {
  if (confirmText && !confirm(confirmText)) return;
  showStatus(statusResult, "Saving…");
  try {
    await api(base, { method: "PATCH", json: body });
    showStatus(statusResult, "Saved. Reloading…");
    location.reload();
  } catch (err) {
    showError(statusResult, err);
  }
}

document.getElementById("status-pause")?.addEventListener("click", () => patch({ status: "paused" }));
document.getElementById("status-resume")?.addEventListener("click", () => patch({ status: "active" }));
document.getElementById("status-retire")?.addEventListener(
  "click",
  () => patch({ status: "retired" }, "Retire this strategy? Retiring is final; its record stays public."),
);
document.getElementById("visibility-toggle")?.addEventListener("click", (ev) => {
  patch({ is_public: ev.currentTarget.dataset.public !== "true" });
});

// ---- the signal list -------------------------------------------------------------------------------------------

// The server renders the list and the one-time messages: after a change the page reloads with the trade date.
const pagePath = `/app/tracked/${encodeURIComponent(data.slug)}`;
const reloadWith = (param, date, offset = 0) => {
  const q = new URLSearchParams({ [param]: date });
  if (offset > 0) q.set("offset", String(offset));
  location.assign(`${pagePath}?${q}`);
};

const withdrawResult = byId("withdraw-result");
byId("signals-body").addEventListener("click", async (ev) => {
  const button = ev.target instanceof Element ? ev.target.closest("button.signal-withdraw") : null;
  if (!button) return;
  const date = button.dataset.tradeDate;
  button.disabled = true;
  showStatus(withdrawResult, `Withdrawing the signal for ${date}…`);
  try {
    const r = await api(`${base}/signals/${encodeURIComponent(date)}`, { method: "DELETE" });
    showStatus(withdrawResult, `Withdrew the signal for ${r.trade_date}. Reloading…`);
    reloadWith("withdrawn", r.trade_date, data.offset);
  } catch (err) {
    button.disabled = false;
    showError(withdrawResult, err);
  }
});

// ---- the signal form -------------------------------------------------------------------------------------------

/** Weights from the textarea: `symbol weight` per line or comma/semicolon separated pairs (at most 500). */
function parseWeights(text) {
  const parts = text.split(/[\n;]+|,(?=\s*\d{6}\.)/).map((p) => p.trim()).filter(Boolean);
  if (parts.length > 500) throw new Error("At most 500 symbols per signal.");
  return parts.map((p, i) => {
    const m = /^(\S+?)[\s,:=]+(\S+)$/.exec(p);
    if (!m) throw new Error(`Line ${i + 1}: write "symbol weight", e.g. "600519.SH 0.05".`);
    const weight = Number(m[2]);
    if (!Number.isFinite(weight)) throw new Error(`Line ${i + 1}: "${m[2]}" is not a number.`);
    return { symbol: m[1].toUpperCase(), weight };
  });
}

const signalForm = document.getElementById("signal-form");
signalForm?.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearFieldErrors(signalForm);
  const result = byId("signal-result");
  let signals;
  try {
    signals = parseWeights(byId("signal-weights").value);
  } catch (err) {
    const box = byId("signal-signals-error");
    box.textContent = err.message;
    box.hidden = false;
    return showError(result, new Error("Please correct the weights."));
  }
  const button = byId("signal-submit");
  button.disabled = true;
  showStatus(result, "Submitting…");
  try {
    const s = await api(`${base}/signals`, {
      method: "POST",
      json: { trade_date: byId("signal-trade-date").value, signals },
    });
    showStatus(result, `Stored the signal for ${s.trade_date}. Reloading…`);
    reloadWith("submitted", s.trade_date);
  } catch (err) {
    if (err && err.status === 400 && err.body && err.body.next_trading_day) {
      showError(result, new Error(`${err.message} Next trading day: ${err.body.next_trading_day}.`));
    } else {
      showApiError(signalForm, "signal", result, err);
    }
  } finally {
    button.disabled = false;
  }
});

// ---- claimed history -------------------------------------------------------------------------------------------

/** `date,nav` rows (a header row is skipped); at most 5000. */
function parseCsv(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length > 5001) throw new Error("At most 5000 rows.");
  const records = [];
  for (const [i, line] of lines.entries()) {
    const cells = line.split(/[,;\t]/).map((c) => c.trim().replace(/^"|"$/g, ""));
    if (i === 0 && !/^\d{4}-\d{2}-\d{2}$/.test(cells[0])) continue;
    const nav = Number(cells[1]);
    if (cells.length < 2 || !/^\d{4}-\d{2}-\d{2}$/.test(cells[0]) || !Number.isFinite(nav)) {
      throw new Error(`Row ${i + 1}: expected "YYYY-MM-DD,nav", got "${line.slice(0, 60)}".`);
    }
    records.push({ date: cells[0], nav });
  }
  return records;
}

const claimedForm = byId("claimed-upload");
byId("claimed-file").addEventListener("change", async (ev) => {
  const file = ev.target.files?.[0];
  if (!file) return;
  if (file.size > 1_000_000) return showError(byId("claimed-result"), new Error("The file is over 1 MB."));
  byId("claimed-csv").value = await file.text();
});

claimedForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearFieldErrors(claimedForm);
  const result = byId("claimed-result");
  let records;
  try {
    records = parseCsv(byId("claimed-csv").value);
  } catch (err) {
    const box = byId("claimed-records-error");
    box.textContent = err.message;
    box.hidden = false;
    return showError(result, new Error("Please correct the CSV."));
  }
  const button = byId("claimed-submit");
  button.disabled = true;
  showStatus(result, `Uploading ${records.length} rows…`);
  try {
    const r = await api(`${base}/claimed`, { method: "PUT", json: { records } });
    const t = r.tracking;
    showStatus(byId("claimed-current"), "The upload below replaces what was stored before.");
    replaceChildren(
      result,
      h(
        "div",
        { role: "status" },
        h("p", { class: "ok" }, `Stored ${r.data_points} points (${r.start_date} → ${r.end_date}).`),
        h(
          "dl",
          { class: "metrics", id: "claimed-stats" },
          metricItem("Total return", fmtFraction(r.total_return)),
          metricItem("Sharpe", fmtNumber(r.sharpe)),
          metricItem("Max drawdown", fmtFraction(r.max_drawdown)),
          t ? metricItem("Tracking difference (annualised)", fmtFraction(t.tracking_diff_annualized)) : null,
          t ? metricItem("Tracking error (annualised)", fmtFraction(t.tracking_error_annualized)) : null,
          t ? metricItem("Correlation", fmtNumber(t.correlation, 3)) : null,
          t ? metricItem("Common days", String(t.overlap_days)) : null,
          t ? metricItem("Verdict", t.verdict.replaceAll("_", " ")) : null,
        ),
        t ? null : h(
          "p",
          { class: "muted", id: "claimed-no-tracking" },
          "No tracking statistics yet: they need at least 5 dates in both the claim and the platform's record.",
        ),
      ),
    );
  } catch (err) {
    showApiError(claimedForm, "claimed", result, err);
  } finally {
    button.disabled = false;
  }
});

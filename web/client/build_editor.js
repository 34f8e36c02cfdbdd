// The strategy-text editor of /app/build/editor: checks the text as it is typed (POST /api/v1/strategy-text/check:
// every problem with line, column and hint), lists the problems (each one moves the cursor to its place), runs a
// backtest of the text and saves it (a new strategy, or a new version of the library strategy opened).
import { api, ApiError } from "/app/assets/client/api.js";
import { byId, h, readPageData, replaceChildren, showError } from "/app/assets/client/dom.js";
import { clearFieldErrors, showIssues } from "/app/assets/client/field_issues.js";

const page = readPageData() ?? {};
const text = byId("strategy-text");
const errorsEl = byId("editor-errors");
const status = byId("editor-status");
const actionStatus = byId("editor-action-status");
const DEBOUNCE_MS = 350;

// Text handed over by the blueprint or import page (kept in this tab only).
const handed = new URLSearchParams(location.search).get("from") && !page.library_id
  ? sessionStorage.getItem("qe_editor_text")
  : null;
if (handed) {
  text.value = handed;
  sessionStorage.removeItem("qe_editor_text");
}

/** The offset in the text of a 1-based line and column. */
function offsetOf(line, column) {
  const lines = text.value.split("\n");
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
  return offset + Math.max(0, (column ?? 1) - 1);
}

function goTo(line, column) {
  const at = offsetOf(line, column);
  text.focus();
  text.setSelectionRange(at, at + 1);
  showCursor();
}

function showCursor() {
  const before = text.value.slice(0, text.selectionStart);
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  byId("editor-cursor").textContent = `Line ${line}, column ${column}`;
}

function issueItem(issue) {
  const where = issue.line === null
    ? "Whole strategy"
    : `Line ${issue.line}${issue.column !== null ? `, column ${issue.column}` : ""}`;
  const label = `${where}: ${issue.message}${issue.hint ? ` — ${issue.hint}` : ""}`;
  return h(
    "li",
    { "data-line": issue.line ?? "", "data-column": issue.column ?? "" },
    issue.line === null
      ? label
      : h("button", { type: "button", class: "link", onclick: () => goTo(issue.line, issue.column) }, label),
  );
}

let timer = null;
let seq = 0;

async function check() {
  const mine = ++seq;
  if (text.value.trim() === "") {
    status.textContent = "The text is empty.";
    replaceChildren(errorsEl);
    return;
  }
  status.textContent = "Checking…";
  try {
    const answer = await api("/api/v1/strategy-text/check", {
      method: "POST",
      json: { strategy_code: text.value },
    });
    if (mine !== seq) return;
    if (answer.valid) {
      status.textContent = answer.format === "backtrader"
        ? "Valid backtrader code (read as a strategy)."
        : "No problems: the text is a valid strategy.";
      replaceChildren(errorsEl);
      text.removeAttribute("aria-invalid");
    } else {
      const n = answer.issues.length;
      status.textContent = `${n} problem${n === 1 ? "" : "s"} found.`;
      text.setAttribute("aria-invalid", "true");
      replaceChildren(
        errorsEl,
        h("ul", { class: "error", id: "editor-issues" }, answer.issues.map(issueItem)),
      );
    }
  } catch (e) {
    if (mine !== seq) return;
    status.textContent = "";
    if (e instanceof ApiError && e.status === 422) showIssues(e.body, () => "strategy-text", errorsEl);
    else showError(errorsEl, e);
  }
}

text.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(check, DEBOUNCE_MS);
  showCursor();
});
for (const ev of ["keyup", "click", "select"]) text.addEventListener(ev, showCursor);

// ---- run and save

const idOf = (loc) => {
  const head = loc[1];
  return head === "name"
    ? "editor-name"
    : head === "strategy_code" || head === "code"
    ? "strategy-text"
    : null;
};

async function act(run) {
  clearFieldErrors(document);
  replaceChildren(actionStatus, h("p", { role: "status" }, "Working…"));
  try {
    await run();
  } catch (e) {
    if (e instanceof ApiError && e.status === 422) showIssues(e.body, idOf, actionStatus);
    else showError(actionStatus, e);
  }
}

byId("editor-run").addEventListener("click", () =>
  act(async () => {
    const name = byId("editor-name").value.trim();
    const body = { strategy_code: text.value, ...(name ? { experiment_name: name } : {}) };
    const queued = await api("/api/v1/backtests", { method: "POST", json: body });
    replaceChildren(actionStatus, h("p", { role: "status" }, `Queued ${queued.job_id}: opening it…`));
    location.assign(`/app/backtests/${encodeURIComponent(queued.job_id)}`);
  }));

byId("editor-save").addEventListener("click", () =>
  act(async () => {
    const name = byId("editor-name").value.trim();
    if (!name) {
      showIssues(
        { detail: [{ loc: ["body", "name"], msg: "Give the strategy a name" }] },
        idOf,
        actionStatus,
      );
      byId("editor-name").focus();
      return;
    }
    const body = { name, code: text.value, ...(page.library_id ? { strategy_id: page.library_id } : {}) };
    const saved = await api("/api/v1/library", { method: "POST", json: body });
    const id = encodeURIComponent(saved.strategy_id);
    replaceChildren(
      actionStatus,
      h(
        "p",
        { class: "ok", role: "status", id: "save-result" },
        `Saved “${name}” as version ${saved.version}. `,
        h("a", { href: `/app/library/${id}` }, "Open in the library"),
      ),
    );
    if (!page.library_id) history.replaceState(null, "", `/app/build/editor?library_id=${id}`);
    page.library_id = saved.strategy_id;
    byId("editor-save").textContent = "Save new version 保存新版本";
  }));

check();

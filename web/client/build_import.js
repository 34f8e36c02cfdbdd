// The backtrader import of /app/build/import: the pasted code goes to POST /api/v1/generate (parsed, never run);
// the strategy text it became is shown with the importer's notes, or the refusal naming the line of what is not
// supported; then the strategy is saved to the library, backtested, or opened in the text editor.
import { api, ApiError } from "/app/assets/client/api.js";
import { byId, h, replaceChildren, showError } from "/app/assets/client/dom.js";
import { clearFieldErrors, showIssues } from "/app/assets/client/field_issues.js";

const form = byId("import-form");
const status = byId("import-status");
const errorsEl = byId("import-errors");
const result = byId("import-result");
const actionStatus = byId("import-action-status");
let strategyText = null;

const idOf = (loc) => {
  const head = loc[1];
  if (head === "user_prompt" || head === "strategy_code" || head === "code") return "backtrader-code";
  if (head === "universe") return "import-universe";
  if (head === "name") return "import-name";
  return null;
};

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearFieldErrors(document);
  replaceChildren(errorsEl);
  const code = byId("backtrader-code").value;
  if (!code.trim()) {
    showIssues(
      { detail: [{ loc: ["body", "user_prompt"], msg: "Paste backtrader code first" }] },
      idOf,
      errorsEl,
    );
    return;
  }
  const universe = byId("import-universe").value.trim();
  const submit = byId("import-submit");
  submit.disabled = true;
  status.textContent = "Reading the code…";
  try {
    const answer = await api("/api/v1/generate", {
      method: "POST",
      json: { user_prompt: code, ...(universe ? { universe } : {}) },
    });
    if (answer.status !== "ready") {
      strategyText = null;
      result.hidden = true;
      status.textContent = "";
      replaceChildren(errorsEl, h("p", { class: "error", role: "alert" }, answer.question ?? answer.message));
      return;
    }
    strategyText = answer.generated_code;
    byId("import-text").textContent = strategyText;
    replaceChildren(
      byId("import-notes"),
      [...answer.notes, ...answer.assumptions].map((n) => h("li", {}, n)),
    );
    result.hidden = false;
    status.textContent = "Imported: the strategy text is below.";
  } catch (e) {
    strategyText = null;
    result.hidden = true;
    status.textContent = "Not imported.";
    if (e instanceof ApiError && e.status === 422) showIssues(e.body, idOf, errorsEl);
    else showError(errorsEl, e);
  } finally {
    submit.disabled = false;
  }
});

async function act(run) {
  clearFieldErrors(result);
  replaceChildren(actionStatus, h("p", { role: "status" }, "Working…"));
  try {
    await run();
  } catch (e) {
    if (e instanceof ApiError && e.status === 422) showIssues(e.body, idOf, actionStatus);
    else showError(actionStatus, e);
  }
}

byId("import-run").addEventListener("click", () =>
  act(async () => {
    if (!strategyText) return;
    const queued = await api("/api/v1/backtests", { method: "POST", json: { strategy_code: strategyText } });
    replaceChildren(actionStatus, h("p", { role: "status" }, `Queued ${queued.job_id}: opening it…`));
    location.assign(`/app/backtests/${encodeURIComponent(queued.job_id)}`);
  }));

byId("import-save").addEventListener("click", () =>
  act(async () => {
    if (!strategyText) return;
    const name = byId("import-name").value.trim();
    if (!name) {
      showIssues(
        { detail: [{ loc: ["body", "name"], msg: "Give the strategy a name" }] },
        idOf,
        actionStatus,
      );
      return;
    }
    const saved = await api("/api/v1/library", { method: "POST", json: { name, code: strategyText } });
    const id = encodeURIComponent(saved.strategy_id);
    replaceChildren(
      actionStatus,
      h(
        "p",
        { class: "ok", role: "status", id: "save-result" },
        `Saved “${name}” (version ${saved.version}). `,
        h("a", { href: `/app/library/${id}` }, "Open in the library"),
        " · ",
        h("a", { href: `/app/build/editor?library_id=${id}` }, "Edit as text"),
      ),
    );
  }));

byId("import-edit").addEventListener("click", () => {
  if (!strategyText) return;
  sessionStorage.setItem("qe_editor_text", strategyText);
  location.assign("/app/build/editor?from=import");
});

// `/app/portfolios/<id>`: add and remove members, activate, pause and resume, through the public API
// (`/api/v1/portfolios/{id}/…`); the page reloads to show the server's new state.
import { api } from "/app/assets/client/api.js";
import { byId, readPageData, showError, showStatus } from "/app/assets/client/dom.js";
import { clearFieldErrors, showApiError } from "/app/assets/client/field_issues.js";

const data = readPageData();
const base = `/api/v1/portfolios/${encodeURIComponent(data.id)}`;

async function act(button, resultEl, call, doneText) {
  button.disabled = true;
  showStatus(resultEl, "Working…");
  try {
    await call();
    showStatus(resultEl, `${doneText} Reloading…`);
    location.reload();
  } catch (err) {
    button.disabled = false;
    showError(resultEl, err);
  }
}

const actionResult = byId("portfolio-action-result");
for (
  const [id, path, text] of [
    ["portfolio-activate", "activate", "Activated."],
    ["portfolio-pause", "pause", "Paused."],
    ["portfolio-resume", "resume", "Resumed."],
  ]
) {
  const button = document.getElementById(id);
  button?.addEventListener(
    "click",
    () => act(button, actionResult, () => api(`${base}/${path}`, { method: "POST" }), text),
  );
}

const memberResult = byId("member-result");
byId("portfolio-members").addEventListener("click", (ev) => {
  const button = ev.target instanceof Element ? ev.target.closest("button.member-remove") : null;
  if (!button) return;
  const factorId = button.dataset.factorId;
  act(
    button,
    memberResult,
    () => api(`${base}/members/${encodeURIComponent(factorId)}`, { method: "DELETE" }),
    "Removed.",
  );
});

const addForm = document.getElementById("member-add-form");
addForm?.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearFieldErrors(addForm);
  const button = byId("member-add");
  button.disabled = true;
  showStatus(memberResult, "Adding…");
  try {
    await api(`${base}/members`, { method: "POST", json: { factor_id: byId("member-factor").value } });
    showStatus(memberResult, "Added. Reloading…");
    location.reload();
  } catch (err) {
    button.disabled = false;
    showApiError(addForm, "member", memberResult, err);
  }
});

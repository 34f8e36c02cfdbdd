// `/app/portfolios`: the create form posts `POST /api/v1/portfolios` and opens the new portfolio.
import { api } from "/app/assets/client/api.js";
import { byId, showStatus } from "/app/assets/client/dom.js";
import { clearFieldErrors, showApiError } from "/app/assets/client/field_issues.js";

const form = byId("portfolio-create-form");
const result = byId("portfolio-create-result");

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearFieldErrors(form);
  const topN = byId("pc-top_n").value.trim();
  const body = {
    name: byId("pc-name").value.trim(),
    universe: byId("pc-universe").value,
    weighting: byId("pc-weighting").value,
  };
  if (topN !== "") body.top_n = Number(topN);
  const button = byId("portfolio-create");
  button.disabled = true;
  showStatus(result, "Creating…");
  try {
    const p = await api("/api/v1/portfolios", { method: "POST", json: body });
    showStatus(result, `Created ${p.name}. Opening it…`);
    location.assign(`/app/portfolios/${encodeURIComponent(p.id)}`);
  } catch (err) {
    showApiError(form, "pc", result, err);
  } finally {
    button.disabled = false;
  }
});

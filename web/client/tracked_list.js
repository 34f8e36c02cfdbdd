// `/app/tracked`: the create form posts `POST /api/v1/strategies` and opens the new strategy's page.
import { api } from "/app/assets/client/api.js";
import { byId, showStatus } from "/app/assets/client/dom.js";
import { clearFieldErrors, showApiError } from "/app/assets/client/field_issues.js";

const form = byId("tracked-create-form");
const result = byId("tracked-create-result");

function numberOf(id) {
  const raw = byId(id).value.trim();
  return raw === "" ? undefined : Number(raw);
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearFieldErrors(form);
  const description = byId("tc-description").value;
  const body = {
    name: byId("tc-name").value.trim(),
    slug: byId("tc-slug").value.trim(),
    universe: byId("tc-universe").value,
    execution_price: byId("tc-execution_price").value,
    holding_period: numberOf("tc-holding_period"),
    initial_capital: numberOf("tc-initial_capital"),
    commission_rate: numberOf("tc-commission_rate"),
    slippage_rate: numberOf("tc-slippage_rate"),
  };
  if (description.trim() !== "") body.description = description;
  const button = byId("tracked-create");
  button.disabled = true;
  showStatus(result, "Creating…");
  try {
    const created = await api("/api/v1/strategies", { method: "POST", json: body });
    showStatus(result, `Created ${created.slug}. Opening it…`);
    location.assign(`/app/tracked/${encodeURIComponent(created.slug)}`);
  } catch (err) {
    showApiError(form, "tc", result, err);
  } finally {
    button.disabled = false;
  }
});

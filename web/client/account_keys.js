// The account page's API keys: create (the new key is shown ONCE, here, from the API's answer, and never stored
// or logged), copy, and revoke with a confirmation step. Calls the public API `/api/v1/billing/api-keys`.
import { api } from "/app/assets/client/api.js";
import { byId, h, replaceChildren, showError, showStatus } from "/app/assets/client/dom.js";

const form = byId("api-key-create");
const nameInput = byId("api-key-name");
const submit = byId("api-key-create-submit");
const secretBox = byId("api-key-secret");
const status = byId("api-keys-status");
const table = byId("api-keys-table");
const tbody = table.tBodies[0];

const timeCell = (iso) =>
  h("td", {}, iso ? h("time", { datetime: iso }, `${iso.slice(0, 16).replace("T", " ")} UTC`) : "—");

/** The row of a key, as the server renders it (never the key itself). */
function keyRow(k) {
  return h(
    "tr",
    { "data-key-id": k.id },
    h("td", {}, k.name),
    h("td", {}, h("code", {}, `${k.prefix}…${k.last4}`)),
    timeCell(k.created_at),
    timeCell(k.last_used_at ?? null),
    h("td", { class: "actions" }, revokeButton(k.id, k.name)),
  );
}

function revokeButton(id, name) {
  return h("button", {
    type: "button",
    class: "danger",
    "data-revoke": id,
    "aria-label": `Revoke key ${name}`,
  }, "Revoke 撤销");
}

/** Shows the new key once, with a copy button and a warning; "Done" removes it from the page. */
function showSecret(created) {
  const value = h("input", {
    id: "api-key-secret-value",
    readonly: true,
    value: created.api_key,
    "aria-label": `The new key ${created.name}`,
    autocomplete: "off",
    spellcheck: "false",
  });
  const copy = h("button", { type: "button", id: "api-key-copy" }, "Copy 复制");
  const done = h("button", { type: "button", class: "secondary", id: "api-key-secret-done" }, "Done 完成");
  const copied = h("span", { role: "status", id: "api-key-copy-status" });
  copy.addEventListener("click", async () => {
    value.select();
    try {
      await navigator.clipboard.writeText(value.value);
      copied.textContent = "Copied.";
    } catch {
      copied.textContent = "Press Ctrl+C (⌘C) to copy the selected key.";
    }
  });
  done.addEventListener("click", () => {
    replaceChildren(secretBox);
    secretBox.hidden = true;
    nameInput.focus();
  });
  replaceChildren(
    secretBox,
    h(
      "div",
      { class: "card", role: "alert" },
      h(
        "p",
        { class: "warn" },
        h("strong", {}, "Copy this key now: it is shown only once. "),
        "请立即复制:密钥只显示这一次。",
      ),
      h("label", { for: "api-key-secret-value" }, `Key "${created.name}"`),
      value,
      h("p", { class: "row" }, copy, done, copied),
    ),
  );
  secretBox.hidden = false;
  value.focus();
  value.select();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = nameInput.value.trim();
  if (!name) {
    showError(status, "Give the key a name.");
    return;
  }
  submit.disabled = true;
  showStatus(status, "Creating the key…");
  try {
    const created = await api("/api/v1/billing/api-keys", { method: "POST", json: { name } });
    tbody.querySelector("tr[data-empty]")?.remove();
    tbody.prepend(keyRow({ ...created, last_used_at: null }));
    form.reset();
    showStatus(status, `Key "${created.name}" created.`);
    showSecret(created);
  } catch (err) {
    showError(status, err);
  } finally {
    submit.disabled = false;
  }
});

/** Revoke asks first: the button becomes "Confirm revoke" and "Cancel" in the row. */
table.addEventListener("click", async (event) => {
  const target = event.target instanceof Element ? event.target.closest("button") : null;
  if (!target) return;
  const cell = target.closest("td");
  const row = target.closest("tr");
  if (target.dataset.revoke) {
    const id = target.dataset.revoke;
    const name = row?.cells[0]?.textContent ?? id;
    const confirm = h(
      "button",
      { type: "button", class: "danger", "data-confirm-revoke": id },
      "Confirm revoke 确认撤销",
    );
    const cancel = h("button", {
      type: "button",
      class: "secondary",
      "data-cancel-revoke": id,
      "data-name": name,
    }, "Cancel 取消");
    replaceChildren(cell, confirm, " ", cancel);
    confirm.focus();
    showStatus(status, `Revoke "${name}"? Programs using it stop working at once.`);
  } else if (target.dataset.cancelRevoke) {
    const button = revokeButton(target.dataset.cancelRevoke, target.dataset.name ?? "");
    replaceChildren(cell, button);
    button.focus();
    showStatus(status, "Not revoked.");
  } else if (target.dataset.confirmRevoke) {
    const id = target.dataset.confirmRevoke;
    target.disabled = true;
    try {
      await api(`/api/v1/billing/api-keys/${encodeURIComponent(id)}`, { method: "DELETE" });
      const name = row?.cells[0]?.textContent ?? id;
      row?.remove();
      if (tbody.rows.length === 0) {
        tbody.append(h("tr", { "data-empty": "" }, h("td", { colspan: 5, class: "muted" }, "No keys yet.")));
      }
      showStatus(status, `Key "${name}" revoked.`);
      nameInput.focus();
    } catch (err) {
      target.disabled = false;
      showError(status, err);
    }
  }
});

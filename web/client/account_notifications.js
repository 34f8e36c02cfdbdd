// The account page's notifications: mark one read, mark all read; the unread count follows. Public API
// `/api/v1/notifications/...`.
import { api } from "/app/assets/client/api.js";
import { byId, showError, showStatus } from "/app/assets/client/dom.js";

const section = byId("notifications");
const count = byId("unread-count");
const readAll = byId("notifications-read-all");
const status = byId("notifications-status");

function setUnread(n) {
  count.dataset.count = String(n);
  count.textContent = `${n} unread`;
  readAll.disabled = n === 0;
}

function markItemRead(item) {
  item.classList.remove("unread");
  item.classList.add("read");
  item.querySelector(".badge")?.remove();
  item.querySelector("button[data-mark-read]")?.remove();
}

section.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("button[data-mark-read]") : null;
  if (!button) return;
  const id = button.dataset.markRead;
  button.disabled = true;
  try {
    await api(`/api/v1/notifications/${encodeURIComponent(id)}/read`, { method: "PATCH" });
    const item = button.closest("li");
    if (item) markItemRead(item);
    const { unread_count } = await api("/api/v1/notifications/unread-count");
    setUnread(unread_count);
    showStatus(status, "Marked read.");
  } catch (err) {
    button.disabled = false;
    showError(status, err);
  }
});

readAll.addEventListener("click", async () => {
  readAll.disabled = true;
  try {
    const { updated } = await api("/api/v1/notifications/read-all", { method: "POST" });
    for (const item of section.querySelectorAll("li.unread")) markItemRead(item);
    setUnread(0);
    showStatus(status, `${updated} marked read.`);
  } catch (err) {
    readAll.disabled = false;
    showError(status, err);
  }
});

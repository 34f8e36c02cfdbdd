// Support tickets on the account pages: open a ticket (then go to its page) and reply to one. Public API
// `/api/v1/tickets`.
import { api } from "/app/assets/client/api.js";
import { byId, showError, showStatus } from "/app/assets/client/dom.js";

const createForm = document.getElementById("ticket-create");
if (createForm) {
  const status = byId("ticket-create-status");
  const submit = byId("ticket-create-submit");
  createForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const title = byId("ticket-title").value.trim();
    const description = byId("ticket-description").value.trim();
    const category = byId("ticket-category").value;
    if (!title) {
      showError(status, "Give the ticket a title.");
      return;
    }
    submit.disabled = true;
    showStatus(status, "Opening the ticket…");
    try {
      const json = { title, category, ...(description ? { description } : {}) };
      const ticket = await api("/api/v1/tickets", { method: "POST", json });
      showStatus(status, "Ticket opened.");
      location.assign(`/app/account/tickets/${encodeURIComponent(ticket.id)}`);
    } catch (err) {
      submit.disabled = false;
      showError(status, err);
    }
  });
}

const replyForm = document.getElementById("ticket-reply-form");
if (replyForm) {
  const status = byId("ticket-reply-status");
  const submit = byId("ticket-reply-submit");
  replyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = byId("ticket-reply").value.trim();
    if (!message) {
      showError(status, "Write a reply first.");
      return;
    }
    submit.disabled = true;
    showStatus(status, "Sending…");
    try {
      const id = replyForm.dataset.ticketId;
      await api(`/api/v1/tickets/${encodeURIComponent(id)}/replies`, { method: "POST", json: { message } });
      showStatus(status, "Reply sent.");
      location.reload();
    } catch (err) {
      submit.disabled = false;
      showError(status, err);
    }
  });
}

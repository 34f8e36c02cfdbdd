/** One of the user's tickets with its replies (oldest first) and the reply form. */
import type { TicketDetailView } from "../../../domain/support/tickets.ts";
import { Time } from "../layout.tsx";
import { statusBadge } from "./tickets_section.tsx";

/** The ticket's content. */
export function TicketDetail(props: { ticket: TicketDetailView }) {
  const t = props.ticket;
  return (
    <>
      <p>
        <a href="/app/account#tickets">← All tickets 全部工单</a>
      </p>
      <section class="card" id="ticket" data-ticket-id={t.id} aria-labelledby="ticket-h">
        <h2 id="ticket-h">{t.title}</h2>
        <p class="row">
          <span class={statusBadge(t.status)} id="ticket-status">{t.status}</span>
          <span>{t.category}</span>
          <span class="muted">
            opened <Time iso={t.created_at} />
          </span>
        </p>
        {t.description ? <p style="white-space: pre-wrap">{t.description}</p> : null}
      </section>
      <section class="card" aria-labelledby="replies-h">
        <h2 id="replies-h">Replies 回复 ({t.replies.length})</h2>
        {t.replies.length === 0 ? <p class="muted">No replies yet.</p> : (
          <ol id="ticket-replies" class="chat">
            {t.replies.map((r) => (
              <li key={r.id} class={r.author === "support" ? "msg agent" : "msg user"}>
                <p>
                  <strong>{r.author === "support" ? "Support 客服" : "You 你"}</strong>{" "}
                  <span class="muted">
                    <Time iso={r.created_at} />
                  </span>
                </p>
                <p style="white-space: pre-wrap">{r.message}</p>
              </li>
            ))}
          </ol>
        )}
        <form id="ticket-reply-form" data-ticket-id={t.id}>
          <label for="ticket-reply">Your reply 你的回复</label>
          <textarea id="ticket-reply" name="message" rows={4} required maxlength={5000}></textarea>
          <p>
            <button type="submit" id="ticket-reply-submit">Send reply 发送</button>
          </p>
          <div id="ticket-reply-status" role="status"></div>
        </form>
      </section>
    </>
  );
}

/** Support tickets: the list (each opens its page) and the form that opens a new one. */
import type { TicketView } from "../../../domain/support/tickets.ts";
import { TICKET_CATEGORIES } from "../../../domain/support/tickets.ts";
import type { Page } from "../../../domain/store/kv.ts";
import { Pager } from "../paging.tsx";
import { Bilingual, Time } from "../layout.tsx";

/** The badge class of a ticket status. */
export const statusBadge = (s: string) =>
  s === "answered" ? "badge good" : s === "closed" ? "badge" : "badge warn";

/** The tickets card. */
export function TicketsSection(props: { page: Page<TicketView>; url: string; param: string }) {
  const { page } = props;
  return (
    <section class="card" id="tickets" aria-labelledby="tickets-h">
      <h2 id="tickets-h">
        <Bilingual en="Support tickets" zh="工单" />
      </h2>
      <div class="table-wrap">
        <table id="tickets-table">
          <caption class="muted">Your tickets, newest first 你的工单</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Category</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Replies</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {page.items.length === 0
              ? (
                <tr>
                  <td colspan={5} class="muted">No tickets yet.</td>
                </tr>
              )
              : page.items.map((t) => (
                <tr key={t.id} data-ticket-id={t.id}>
                  <td>
                    <a href={`/app/account/tickets/${encodeURIComponent(t.id)}`}>{t.title}</a>
                  </td>
                  <td>{t.category}</td>
                  <td>
                    <span class={statusBadge(t.status)}>{t.status}</span>
                  </td>
                  <td class="num">{t.reply_count}</td>
                  <td>
                    <Time iso={t.updated_at} />
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <Pager
        url={props.url}
        param={props.param}
        offset={page.offset}
        total={page.total}
        limit={page.limit}
        label="Tickets pages"
      />
      <h3>Open a ticket 提交工单</h3>
      <form id="ticket-create">
        <label for="ticket-title">Title 标题</label>
        <input id="ticket-title" name="title" required maxlength={200} />
        <label for="ticket-category">Category 类别</label>
        <select id="ticket-category" name="category">
          {TICKET_CATEGORIES.map((c) => <option key={c} value={c} selected={c === "other"}>{c}</option>)}
        </select>
        <label for="ticket-description">Description 描述</label>
        <textarea id="ticket-description" name="description" rows={5} maxlength={5000}></textarea>
        <p>
          <button type="submit" id="ticket-create-submit">Open ticket 提交</button>
        </p>
        <div id="ticket-create-status" role="status"></div>
      </form>
    </section>
  );
}

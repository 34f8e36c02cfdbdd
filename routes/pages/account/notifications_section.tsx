/** Notifications: the unread count, the list (newest first), "mark read" on each unread one and "mark all read". */
import type { NotificationView } from "../../../domain/support/notifications.ts";
import type { Page } from "../../../domain/store/kv.ts";
import { Time } from "../layout.tsx";
import { Pager } from "../paging.tsx";

/**
 * Where a notification's link goes on the dashboard: a ticket's API path becomes its page; other links are shown
 * when they are a path on this site or an http(s) URL; anything else (`javascript:`…) is not a link.
 */
function notificationHref(link: string | null): string | null {
  if (!link) return null;
  const ticket = link.match(/^(?:https?:\/\/[^/]+)?\/api\/v1\/tickets\/([A-Za-z0-9_-]{1,64})$/);
  if (ticket) return `/app/account/tickets/${ticket[1]}`;
  if (link.startsWith("/") && !link.startsWith("//") && !link.includes("\\")) return link;
  try {
    const url = new URL(link);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function NotificationItem(props: { n: NotificationView }) {
  const n = props.n;
  const href = notificationHref(n.link);
  return (
    <li data-notification-id={n.id} class={n.read ? "read" : "unread"}>
      <p>
        {n.read ? null : <span class="badge warn">new</span>} <strong>{n.title}</strong>{" "}
        <span class="muted">
          <Time iso={n.created_at} />
        </span>
      </p>
      {n.body ? <p style="white-space: pre-wrap">{n.body}</p> : null}
      <p class="row">
        {href ? <a href={href} rel="noopener noreferrer">Open</a> : null}
        {n.read ? null : (
          <button
            type="button"
            class="secondary"
            data-mark-read={n.id}
            aria-label={`Mark "${n.title}" read`}
          >
            Mark read 标为已读
          </button>
        )}
      </p>
    </li>
  );
}

/** The notifications card. */
export function NotificationsSection(
  props: { page: Page<NotificationView>; unread: number; url: string; param: string },
) {
  const { page } = props;
  return (
    <section class="card" id="notifications" aria-labelledby="notifications-h">
      <h2 id="notifications-h">
        Notifications 通知{" "}
        <span class="badge" id="unread-count" data-count={props.unread}>{props.unread} unread</span>
      </h2>
      <p class="row">
        <button type="button" id="notifications-read-all" disabled={props.unread === 0}>
          Mark all read 全部已读
        </button>
      </p>
      <div id="notifications-status" role="status"></div>
      {page.items.length === 0
        ? <p class="muted">No notifications. 暂无通知。</p>
        : (
          <ul id="notifications-list">
            {page.items.map((n) => <NotificationItem key={n.id} n={n} />)}
          </ul>
        )}
      <Pager
        url={props.url}
        param={props.param}
        offset={page.offset}
        total={page.total}
        limit={page.limit}
        label="Notifications pages"
      />
    </section>
  );
}

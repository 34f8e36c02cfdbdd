/**
 * `/app/account`: profile, API keys (created and shown once by the page's script, listed without the key,
 * revoked after a confirmation), tier and usage, notifications and support tickets; `/app/account/tickets/:id`:
 * one ticket with its replies. Read on the server through the same domain operations as the billing, assistant
 * usage and support routes; every change is made by the page scripts through the public API.
 */
import { Hono } from "hono";
import { readAssistantUsage } from "../../domain/assistant/assistant_usage.ts";
import { allTiers, listApiKeys, myTier } from "../../domain/auth/identity.ts";
import { NotFoundError } from "../../domain/errors.ts";
import { countUnreadNotifications, listNotifications } from "../../domain/support/notifications.ts";
import { getMyTicket, listMyTickets } from "../../domain/support/tickets.ts";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";
import { ApiKeysSection } from "./account/api_keys_section.tsx";
import { NotificationsSection } from "./account/notifications_section.tsx";
import { offsetParam } from "./paging.tsx";
import { renderBadRequest } from "./problem_pages.tsx";
import { ProfileSection } from "./account/profile_section.tsx";
import { TicketDetail } from "./account/ticket_page.tsx";
import { TicketsSection } from "./account/tickets_section.tsx";
import { TierSection } from "./account/tier_section.tsx";
import { renderNotFound, renderPage } from "./layout.tsx";
import { pageUserOf, requirePageUser } from "./page_auth.ts";

/** Days of assistant usage the account page sums. */
const USAGE_DAYS = 30;
/** What a ticket id may look like (the API's own ids are shorter); anything else is a 404 page at once. */
const TICKET_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Rows per list page on the account pages (the contract allows at most 100). */
const ACCOUNT_PAGE_SIZE = 50;

/** Query parameters of the list offsets. */
const PARAMS = {
  keys: "keys_offset",
  notifications: "notifications_offset",
  tickets: "tickets_offset",
} as const;

/** The router of the account pages. */
export function accountPages(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("/app/account", requirePageUser);
  app.use("/app/account/*", requirePageUser);

  app.get("/app/account", async (c) => {
    const { principal, view } = pageUserOf(c);
    const userId = principal.user.id;
    const offsets = {
      keys: offsetParam(c, PARAMS.keys),
      notifications: offsetParam(c, PARAMS.notifications),
      tickets: offsetParam(c, PARAMS.tickets),
    };
    if (offsets.keys === null || offsets.notifications === null || offsets.tickets === null) {
      return renderBadRequest(c, "A list offset must be a whole number from 0 to 1000000.");
    }
    const limit = ACCOUNT_PAGE_SIZE;
    const [keys, tier, usage, notifications, unread, tickets] = await Promise.all([
      listApiKeys(deps.auth, userId, { limit, offset: offsets.keys }),
      myTier(deps.auth, principal.user),
      readAssistantUsage(deps.assistant, userId, USAGE_DAYS),
      listNotifications(deps.support, userId, { limit, offset: offsets.notifications }),
      countUnreadNotifications(deps.support, userId),
      listMyTickets(deps.support, userId, { limit, offset: offsets.tickets }),
    ]);
    const url = c.req.url;
    return renderPage(c, {
      title: "Account",
      zh: "账户",
      active: "account",
      scripts: ["client/account_keys.js", "client/account_notifications.js", "client/account_tickets.js"],
      children: (
        <>
          <nav aria-label="Account sections" class="row">
            <a href="#api-keys">API keys</a>
            <a href="#tier">Tier</a>
            <a href="#notifications">Notifications</a>
            <a href="#tickets">Tickets</a>
          </nav>
          <ProfileSection user={view} />
          <ApiKeysSection keys={keys} maxKeys={tier.limits.max_api_keys} url={url} param={PARAMS.keys} />
          <TierSection mine={tier} tiers={allTiers().tiers} usage={usage} days={USAGE_DAYS} />
          <NotificationsSection
            page={notifications}
            unread={unread.unread_count}
            url={url}
            param={PARAMS.notifications}
          />
          <TicketsSection page={tickets} url={url} param={PARAMS.tickets} />
        </>
      ),
    });
  });

  app.get("/app/account/tickets/:id", async (c) => {
    const id = c.req.param("id");
    if (!TICKET_ID.test(id)) return renderNotFound(c, "This ticket");
    const { principal } = pageUserOf(c);
    try {
      const ticket = await getMyTicket(deps.support, principal.user.id, id);
      return renderPage(c, {
        title: "Ticket",
        zh: "工单",
        active: "account",
        scripts: ["client/account_tickets.js"],
        children: <TicketDetail ticket={ticket} />,
      });
    } catch (e) {
      if (e instanceof NotFoundError) return renderNotFound(c, "This ticket");
      throw e;
    }
  });
  return app;
}

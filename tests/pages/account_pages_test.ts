/** `/app/account` and `/app/account/tickets/:id`: keys without secrets, tier, notifications, tickets, ownership. */
import assert from "node:assert/strict";
import { notifyUser } from "../../domain/support/notifications.ts";
import { getPage, pageToken, signInPage } from "../_helpers/page_session.ts";
import { openTestWorld, signInAdmin, type TestWorld } from "../_helpers/test_app.ts";

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const world = await openTestWorld();
  try {
    await fn(world);
  } finally {
    await world.close();
  }
}

/** Signs in through the pages; answers the cookie, the page token and the user id. */
async function pageUser(world: TestWorld, email: string, ip: string) {
  const cookie = await signInPage(world, email, ip);
  const token = await pageToken(world, cookie);
  const me = await (await world.request("GET", "/api/v1/auth/me", { token })).json();
  return { cookie, token, id: me.id as string };
}

async function html(res: Response, status = 200): Promise<string> {
  const text = await res.text();
  assert.equal(res.status, status, text.slice(0, 500));
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  return text;
}

/** The HTML of the element `<tag … id="id" …>` up to its first closing tag of the same name. */
function elementHtml(page: string, tag: string, id: string): string {
  const match = new RegExp(`<${tag}\\b[^>]*\\bid="${id}"`).exec(page);
  assert.ok(match, `no <${tag} id="${id}">`);
  return page.slice(match.index, page.indexOf(`</${tag}>`, match.index));
}

Deno.test("signed out, /app/account and a ticket page redirect to sign-in with next", async () => {
  await withWorld(async (world) => {
    for (const path of ["/app/account", "/app/account/tickets/tkt_x"]) {
      const res = await getPage(world, path);
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), `/app/sign-in?next=${encodeURIComponent(path)}`);
      await res.body?.cancel();
    }
  });
});

Deno.test("/app/account shows the profile, tier, usage and the controls the scripts use", async () => {
  await withWorld(async (world) => {
    const { cookie } = await pageUser(world, "acct@example.com", "10.6.0.1");
    const page = await html(await getPage(world, "/app/account", cookie));
    assert.match(page, /<title>Account · Quantedge<\/title>/);
    assert.match(elementHtml(page, "dd", "profile-email"), /acct@example.com/);
    assert.match(elementHtml(page, "dd", "profile-tier"), /free/);
    assert.match(elementHtml(page, "strong", "tier-name"), /Free/);
    const tiers = elementHtml(page, "table", "tiers-table");
    assert.match(tiers, /Licensed/);
    assert.match(tiers, /0 \/ 10/, "API keys used of the free tier's 10");
    assert.match(page, /id="assistant-usage"/);
    for (
      const id of [
        "api-key-create",
        "api-key-name",
        "api-key-secret",
        "api-keys-table",
        "notifications",
        "tickets",
      ]
    ) {
      assert.match(page, new RegExp(`id="${id}"`), id);
    }
    assert.match(page, /<label for="api-key-name">/);
    assert.match(page, /<label for="ticket-title">/);
    assert.match(page, /<th scope="col">Last used<\/th>/);
    assert.match(page, /No keys yet/);
    for (const s of ["account_keys", "account_notifications", "account_tickets"]) {
      assert.match(
        page,
        new RegExp(`<script[^>]* type="module" src="/app/assets/client/${s}\\.js(\\?v=[0-9a-f]+)?">`),
      );
    }
    assert.match(page, /aria-current="page"[^>]*>Account|href="\/app\/account" aria-current="page"/);
  });
});

Deno.test("API keys are listed with name, prefix, dates, and never the key", async () => {
  await withWorld(async (world) => {
    const { cookie, token } = await pageUser(world, "keys@example.com", "10.6.0.2");
    const created = await (await world.request("POST", "/api/v1/billing/api-keys", {
      token,
      json: { name: "research <agent>" },
    })).json();
    const secret: string = created.api_key;
    assert.match(secret, /^qe_/);
    // Used once, a minute later: "last used" shows it.
    world.clock.advance(60_000);
    const used = await world.request("GET", "/api/v1/auth/me", { token: secret });
    assert.equal(used.status, 200);
    await used.body?.cancel();

    const page = await html(await getPage(world, "/app/account", cookie));
    const table = elementHtml(page, "table", "api-keys-table");
    assert.match(table, /research &lt;agent&gt;/, "the name, escaped");
    assert.match(table, new RegExp(`${created.prefix}…${created.last4}`));
    assert.match(table, new RegExp(`data-revoke="${created.id}"`));
    assert.match(table, /<time datetime="2026-05-14T01:00:00.000Z">2026-05-14 01:00 UTC<\/time>/);
    assert.match(table, /<time datetime="2026-05-14T01:01:00.000Z">/, "last used");
    assert.ok(!page.includes(secret), "the key is never in the page");
    assert.ok(!page.includes(secret.slice(0, 20)));
    assert.match(elementHtml(page, "table", "tiers-table"), /1 \/ 10/);
    // Nothing in the logs carries the key either.
    assert.ok(!JSON.stringify(world.logs).includes(secret));
  });
});

Deno.test("lists page at 50 rows with next and previous links; bad offsets are a 400 page", async () => {
  await withWorld(async (world) => {
    const { cookie, id } = await pageUser(world, "many@example.com", "10.6.0.3");
    for (let i = 0; i < 51; i++) {
      await notifyUser(world.deps.support, id, { kind: "test", title: `note ${i}`, body: "" });
      world.clock.advance(1000);
    }
    const items = (t: string) =>
      (elementHtml(t, "ul", "notifications-list").match(/<li data-notification-id=/g) ?? []).length;
    const first = await html(await getPage(world, "/app/account", cookie));
    assert.equal(items(first), 50);
    assert.match(first, /1–50 of 51/);
    assert.match(first, /href="\/app\/account\?notifications_offset=50">Next/);
    assert.match(first, /note 50/, "newest first");
    const second = await html(
      await getPage(world, "/app/account?notifications_offset=50&tickets_offset=0", cookie),
    );
    assert.equal(items(second), 1);
    assert.match(second, /note 0/);
    assert.match(second, /href="\/app\/account\?tickets_offset=0">Previous/);
    for (const bad of ["-1", "abc", "1e3", "99999999", "1.5"]) {
      const res = await getPage(world, `/app/account?keys_offset=${bad}`, cookie);
      assert.match(await html(res, 400), /list offset must be a whole number/, bad);
    }
    await html(await getPage(world, "/app/account?tickets_offset=x", cookie), 400);
    await html(await getPage(world, "/app/account?notifications_offset=%20", cookie), 400);
  });
});

Deno.test("an unknown page under /app is the 404 page, not JSON", async () => {
  await withWorld(async (world) => {
    const { cookie } = await pageUser(world, "lost@example.com", "10.6.0.7");
    for (const path of ["/app/nope", "/app/account/nope", "/app/account/tickets/%2e%2e/x"]) {
      const page = await html(await getPage(world, path, cookie), 404);
      assert.match(page, /<title>Not found · Quantedge<\/title>/, path);
    }
    const asset = await getPage(world, "/app/assets/nope.js");
    assert.equal(asset.status, 404);
    assert.match(asset.headers.get("content-type") ?? "", /json/, "assets keep their plain 404");
    await asset.body?.cancel();
  });
});

Deno.test("notifications render with the unread count, read state and a dashboard link for ticket replies", async () => {
  await withWorld(async (world) => {
    const { cookie, id } = await pageUser(world, "ntf@example.com", "10.6.0.4");
    const empty = await html(await getPage(world, "/app/account", cookie));
    assert.match(elementHtml(empty, "span", "unread-count"), /0 unread/);
    assert.match(empty, /id="notifications-read-all" disabled/);
    assert.match(empty, /No notifications/);

    const read = await notifyUser(world.deps.support, id, { kind: "test", title: "Old news", body: "seen" });
    await world.deps.support.notifications.markRead(id, read.id, world.clock.now());
    await notifyUser(world.deps.support, id, {
      kind: "ticket_reply",
      title: "Support replied <b>",
      body: "Line one\nline two",
      link: "/api/v1/tickets/tkt_abc",
    });
    await notifyUser(world.deps.support, id, {
      kind: "test",
      title: "Sneaky",
      body: "x",
      link: "javascript:alert(1)",
    });
    const page = await html(await getPage(world, "/app/account", cookie));
    const section = elementHtml(page, "ul", "notifications-list");
    assert.match(elementHtml(page, "span", "unread-count"), /2 unread/);
    assert.match(page, /id="notifications-read-all" >/, "enabled");
    assert.match(section, /Support replied &lt;b&gt;/);
    assert.match(section, /href="\/app\/account\/tickets\/tkt_abc"/);
    assert.doesNotMatch(section, /javascript:/);
    assert.equal((section.match(/data-mark-read=/g) ?? []).length, 2);
    assert.equal((section.match(/class="unread"/g) ?? []).length, 2);
    assert.equal((section.match(/class="read"/g) ?? []).length, 1);
    assert.match(section, /Old news/);
  });
});

Deno.test("tickets: the list, a ticket page with its replies, and another user's ticket is a 404 page", async () => {
  await withWorld(async (world) => {
    const owner = await pageUser(world, "owner@example.com", "10.6.0.5");
    const other = await pageUser(world, "other@example.com", "10.6.0.6");
    const opened = await (await world.request("POST", "/api/v1/tickets", {
      token: owner.token,
      json: {
        title: "Backtest stuck <40%>",
        description: "It has not moved.\nStill at 40.",
        category: "bug",
      },
    })).json();
    const admin = await signInAdmin(world);
    const answered = await world.request("POST", `/api/v1/admin/tickets/${opened.id}/reply`, {
      token: admin.access_token,
      json: { message: "Requeued: it has finished." },
    });
    assert.equal(answered.status, 200);
    await answered.body?.cancel();

    const list = await html(await getPage(world, "/app/account", owner.cookie));
    const table = elementHtml(list, "table", "tickets-table");
    assert.match(
      table,
      new RegExp(`href="/app/account/tickets/${opened.id}">Backtest stuck &lt;40%&gt;</a>`),
    );
    assert.match(table, /<span class="badge good">answered<\/span>/);
    assert.match(list, /<select id="ticket-category" name="category">/);
    // The support answer arrived as a notification that links to the ticket's page.
    assert.match(
      elementHtml(list, "ul", "notifications-list"),
      new RegExp(`/app/account/tickets/${opened.id}`),
    );

    const page = await html(await getPage(world, `/app/account/tickets/${opened.id}`, owner.cookie));
    assert.match(page, /Backtest stuck &lt;40%&gt;/);
    assert.match(page, /It has not moved.\nStill at 40./);
    assert.match(elementHtml(page, "ol", "ticket-replies"), /Requeued: it has finished./);
    assert.match(page, new RegExp(`<form id="ticket-reply-form" data-ticket-id="${opened.id}">`));
    assert.match(page, /<label for="ticket-reply">/);

    const theirs = await getPage(world, `/app/account/tickets/${opened.id}`, other.cookie);
    const unknown = await getPage(world, "/app/account/tickets/tkt_nope", other.cookie);
    const a = await html(theirs, 404);
    const b = await html(unknown, 404);
    assert.doesNotMatch(a, /Backtest stuck/);
    assert.equal(a, b, "someone else's ticket looks exactly like a missing one");
    for (const bad of ["%2e%2e", "a%20b", "x".repeat(65), "%E0%A4%A"]) {
      const res = await getPage(world, `/app/account/tickets/${bad}`, other.cookie);
      await html(res, 404);
    }
    const otherList = await html(await getPage(world, "/app/account", other.cookie));
    assert.doesNotMatch(otherList, /Backtest stuck/);
    assert.match(otherList, /No tickets yet/);
  });
});

Deno.test("the account scripts are served, build with h() and never use innerHTML", async () => {
  await withWorld(async (world) => {
    for (const name of ["account_keys", "account_notifications", "account_tickets"]) {
      const res = await getPage(world, `/app/assets/client/${name}.js`);
      assert.equal(res.status, 200, name);
      const text = await res.text();
      assert.doesNotMatch(text, /innerHTML|insertAdjacentHTML|console\.|localStorage|sessionStorage/, name);
      assert.match(text, /from "\/app\/assets\/client\/api\.js"/, name);
    }
    const keys = await (await getPage(world, "/app/assets/client/account_keys.js")).text();
    assert.match(keys, /\/api\/v1\/billing\/api-keys/);
    assert.match(keys, /api-key-secret/);
  });
});

/**
 * Every user-supplied text field, through its own route: NUL and other controls, bidirectional overrides and
 * isolates, and unpaired surrogates are refused with a 422 naming the field (type `string_unsafe_characters`),
 * and nothing is stored; multi-line fields keep accepting tab and line breaks.
 */
import assert from "node:assert/strict";
import { openTestWorld, signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const UNSAFE: [string, string][] = [
  ["NUL", "\u0000"],
  ["BEL", "\u0007"],
  ["DEL", "\u007f"],
  ["C1 NEL", "\u0085"],
  ["LRE", "\u202a"],
  ["RLO", "\u202e"],
  ["LRI", "\u2066"],
  ["PDI", "\u2069"],
  ["lone high surrogate", "\ud83d"],
  ["lone low surrogate", "\ude00"],
];

const SPEC = {
  universe: { tickers: ["600519.SH"] },
  entry: "close > sma(close, 20)",
  exit: "close < sma(close, 20)",
  start: "2020-01-01",
  end: "2020-03-31",
};

interface Field {
  /** Route and field, for messages. */
  name: string;
  method: string;
  path: string;
  token: "user" | "admin" | "none";
  /** The request body with `text` in the field. */
  body?: (text: string) => unknown;
  /** For query fields: the URL with `text` (already encoded) in the parameter. */
  url?: (encoded: string) => string;
  loc: (string | number)[];
  multiline: boolean;
}

async function setUp(w: TestWorld) {
  const user = await signInWithOtp(w, "texts@example.com");
  const admin = await signInAdmin(w);
  const tokens = { user: user.access_token, admin: admin.access_token, none: undefined };
  const strategy = await w.request("POST", "/api/v1/strategies", {
    token: tokens.user,
    json: { name: "Plain", slug: "plain-1" },
  });
  assert.equal(strategy.status, 201, await strategy.clone().text());
  const ticket = await (await w.request("POST", "/api/v1/tickets", {
    token: tokens.user,
    json: { subject: "s", message: "m" },
  })).json();
  return { tokens, ticketId: ticket.id as string };
}

function fields(ticketId: string): Field[] {
  const single = (f: Omit<Field, "multiline">): Field => ({ ...f, multiline: false });
  const multi = (f: Omit<Field, "multiline">): Field => ({ ...f, multiline: true });
  return [
    single({
      name: "strategy name",
      method: "POST",
      path: "/api/v1/strategies",
      token: "user",
      body: (t) => ({ name: `A${t}B`, slug: "new-one" }),
      loc: ["body", "name"],
    }),
    multi({
      name: "strategy description",
      method: "POST",
      path: "/api/v1/strategies",
      token: "user",
      body: (t) => ({ name: "N", slug: "new-two", description: `A${t}B` }),
      loc: ["body", "description"],
    }),
    single({
      name: "strategy rename",
      method: "PATCH",
      path: "/api/v1/strategies/plain-1",
      token: "user",
      body: (t) => ({ name: `A${t}B` }),
      loc: ["body", "name"],
    }),
    multi({
      name: "strategy description edit",
      method: "PATCH",
      path: "/api/v1/strategies/plain-1",
      token: "user",
      body: (t) => ({ description: `A${t}B` }),
      loc: ["body", "description"],
    }),
    single({
      name: "signal symbol",
      method: "POST",
      path: "/api/v1/strategies/plain-1/signals",
      token: "user",
      body: (t) => ({ trade_date: "2026-05-14", signals: [{ symbol: `600519${t}.SH`, weight: 0.5 }] }),
      loc: ["body", "signals", 0, "symbol"],
    }),
    single({
      name: "library name",
      method: "POST",
      path: "/api/v1/library",
      token: "user",
      body: (t) => ({ name: `A${t}B`, spec: SPEC }),
      loc: ["body", "name"],
    }),
    multi({
      name: "library prompt",
      method: "POST",
      path: "/api/v1/library",
      token: "user",
      body: (t) => ({ name: "N", prompt: `A${t}B`, spec: SPEC }),
      loc: ["body", "prompt"],
    }),
    multi({
      name: "library code",
      method: "POST",
      path: "/api/v1/library",
      token: "user",
      body: (t) => ({
        name: "N",
        code:
          `universe: {"tickers":["600519.SH"]}\nentry: close > sma(close, 20)\nexit: close < sma(close, 20) # ${t}`,
      }),
      loc: ["body", "code"],
    }),
    single({
      name: "spec name (library)",
      method: "POST",
      path: "/api/v1/library",
      token: "user",
      body: (t) => ({ name: "N", spec: { ...SPEC, name: `A${t}B` } }),
      loc: ["body", "spec", "name"],
    }),
    single({
      name: "spec sector filter",
      method: "POST",
      path: "/api/v1/backtests",
      token: "user",
      body: (t) => ({ spec: { ...SPEC, universe: { name: "hs300", filters: { sectors: [`Bank${t}`] } } } }),
      loc: ["body", "spec", "universe", "filters", "sectors", 0],
    }),
    single({
      name: "agent config name",
      method: "POST",
      path: "/api/v1/library",
      token: "user",
      body: (t) => ({
        name: "N",
        config: {
          name: `A${t}B`,
          tickers: ["600519.SH"],
          technicalIndicators: [{ type: "RSI", period: 14 }],
        },
      }),
      loc: ["body", "config", "name"],
    }),
    single({
      name: "experiment name",
      method: "POST",
      path: "/api/v1/backtests",
      token: "user",
      body: (t) => ({ spec: SPEC, experiment_name: `A${t}B` }),
      loc: ["body", "experiment_name"],
    }),
    multi({
      name: "strategy code (run)",
      method: "POST",
      path: "/api/v1/backtests/run",
      token: "user",
      body: (t) => ({ strategy_code: `entry: close > 1 # ${t}` }),
      loc: ["body", "strategy_code"],
    }),
    single({
      name: "ticket subject",
      method: "POST",
      path: "/api/v1/tickets",
      token: "user",
      body: (t) => ({ subject: `A${t}B`, message: "m" }),
      loc: ["body", "subject"],
    }),
    multi({
      name: "ticket message",
      method: "POST",
      path: "/api/v1/tickets",
      token: "user",
      body: (t) => ({ subject: "s", message: `A${t}B` }),
      loc: ["body", "message"],
    }),
    multi({
      name: "ticket reply",
      method: "POST",
      path: `/api/v1/tickets/${ticketId}/replies`,
      token: "user",
      body: (t) => ({ message: `A${t}B` }),
      loc: ["body", "message"],
    }),
    multi({
      name: "admin ticket reply",
      method: "POST",
      path: `/api/v1/admin/tickets/${ticketId}/reply`,
      token: "admin",
      body: (t) => ({ message: `A${t}B` }),
      loc: ["body", "message"],
    }),
    single({
      name: "profile nickname",
      method: "PATCH",
      path: "/api/v1/auth/profile",
      token: "user",
      body: (t) => ({ nickname: `nick${t}name` }),
      loc: ["body", "nickname"],
    }),
    single({
      name: "profile password",
      method: "PATCH",
      path: "/api/v1/auth/profile",
      token: "user",
      body: (t) => ({ password: `password${t}123` }),
      loc: ["body", "password"],
    }),
    single({
      name: "API key name",
      method: "POST",
      path: "/api/v1/billing/api-keys",
      token: "user",
      body: (t) => ({ name: `key${t}1` }),
      loc: ["body", "name"],
    }),
    multi({
      name: "invite note",
      method: "POST",
      path: "/api/v1/admin/invite-codes",
      token: "admin",
      body: (t) => ({ note: `A${t}B` }),
      loc: ["body", "note"],
    }),
    single({
      name: "invite code redemption",
      method: "POST",
      path: "/api/v1/auth/invite",
      token: "none",
      body: (t) => ({ invite_code: `CODE${t}1` }),
      loc: ["body", "invite_code"],
    }),
    single({
      name: "login email",
      method: "POST",
      path: "/api/v1/auth/login",
      token: "none",
      body: (t) => ({ email: `a${t}@example.com`, password: "pw" }),
      loc: ["body", "email"],
    }),
    single({
      name: "symbol search ?q",
      method: "GET",
      path: "/api/v1/data/symbols",
      token: "user",
      url: (e) => `/api/v1/data/symbols?q=60${e}`,
      loc: ["query", "q"],
    }),
    single({
      name: "admin user lookup ?email",
      method: "GET",
      path: "/api/v1/admin/users",
      token: "admin",
      url: (e) => `/api/v1/admin/users?email=a${e}%40example.com`,
      loc: ["query", "email"],
    }),
  ];
}

/** Counts of what the text routes store, to prove a refused request stored nothing. */
async function stored(w: TestWorld, token: string) {
  const count = async (path: string) =>
    (await (await w.request("GET", path, { token })).json()).total as number;
  return {
    strategies: await count("/api/v1/strategies"),
    library: await count("/api/v1/library"),
    tickets: await count("/api/v1/tickets"),
  };
}

Deno.test("every text field refuses controls, bidi overrides/isolates and unpaired surrogates with a 422 naming it", async (t) => {
  const w = await openTestWorld({ RATE_LIMIT_LOGIN: "100000/1m", RATE_LIMIT_INVITE_PER_IP: "100000/1m" });
  try {
    const { tokens, ticketId } = await setUp(w);
    const before = await stored(w, tokens.user);
    for (const f of fields(ticketId)) {
      await t.step(f.name, async () => {
        const cases = f.multiline ? UNSAFE : [...UNSAFE, ["line feed", "\n"], ["tab", "\t"], ["CR", "\r"]];
        for (const [what, ch] of cases) {
          const res = f.url
            ? await w.request(f.method, f.url(ch.isWellFormed() ? encodeURIComponent(ch) : "%ED%A0%BD"), {
              token: tokens[f.token],
            })
            : await w.request(f.method, f.path, { json: f.body!(ch), token: tokens[f.token] });
          const text = await res.text();
          if (f.url && /surrogate/.test(what)) {
            // A URL cannot carry an unpaired surrogate: the encoded surrogate is not UTF-8 and is never decoded
            // into one; whatever the route makes of it, it must not fail.
            assert.ok(res.status < 500, `${what}: ${res.status} ${text}`);
            continue;
          }
          assert.equal(res.status, 422, `${what}: ${res.status} ${text}`);
          const issues = JSON.parse(text).detail as { type: string; loc: unknown[]; msg: string }[];
          const hit = issues.some((i) =>
            JSON.stringify(i.loc) === JSON.stringify(f.loc) && i.type === "string_unsafe_characters"
          );
          assert.ok(hit, `${what}: no string_unsafe_characters issue at ${JSON.stringify(f.loc)}: ${text}`);
        }
      });
    }
    assert.deepEqual(await stored(w, tokens.user), before, "a refused request stored nothing");
  } finally {
    await w.close();
  }
});

Deno.test("multi-line fields keep tab and line breaks; ordinary Unicode (emoji, RTL text, LRM) is accepted", async () => {
  const w = await openTestWorld();
  try {
    const { tokens } = await setUp(w);
    const description = "Line one\n\tindented\r\nمومنتوم \u200e 📈";
    const res = await w.request("POST", "/api/v1/strategies", {
      token: tokens.user,
      json: { name: "Momentum 📈 زخم", slug: "unicode-ok", description },
    });
    assert.equal(res.status, 201, await res.clone().text());
    const body = await res.json();
    assert.equal(body.description, description);
    assert.equal(body.name, "Momentum 📈 زخم");
    const ticket = await w.request("POST", "/api/v1/tickets", {
      token: tokens.user,
      json: { subject: "Two lines", message: "first\nsecond" },
    });
    assert.equal(ticket.status, 201);
    await ticket.body?.cancel();
  } finally {
    await w.close();
  }
});

Deno.test("a public strategy name with a right-to-left override is refused and never reaches the public list", async () => {
  const w = await openTestWorld();
  try {
    const { tokens } = await setUp(w);
    const res = await w.request("POST", "/api/v1/strategies", {
      token: tokens.user,
      json: { name: "Alpha \u202egnp.exe", slug: "spoof-1" },
    });
    assert.equal(res.status, 422);
    const issue = (await res.json()).detail[0];
    assert.deepEqual(issue.loc, ["body", "name"]);
    assert.equal(issue.type, "string_unsafe_characters");
    assert.match(issue.msg, /U\+202E/);
    const mine = await (await w.request("GET", "/api/v1/strategies/spoof-1", { token: tokens.user })).status;
    assert.equal(mine, 404);
  } finally {
    await w.close();
  }
});

import assert from "node:assert/strict";
import { clearInstalledClosures, getCalendar } from "../../domain/calendar/calendar.ts";
import { loadOfficialLists } from "../../domain/calendar/official_lists.ts";
import { openTestWorld, signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const SIG = [{ symbol: "600519.SH", weight: 0.5 }];

/** A made-up "official" 2027 list: closes 2027-03-03 (the estimate has it open), opens 2027-02-12. */
const LIST_2027 = [
  "2027-01-01",
  "2027-02-05",
  "2027-02-08",
  "2027-02-09",
  "2027-02-10",
  "2027-02-11",
  "2027-03-03",
  "2027-10-01",
];

const getDate = async (w: TestWorld, date: string, exchange = "SSE") =>
  await (await w.request("GET", `/api/v1/calendar?date=${date}&exchange=${exchange}`)).json();

const put = (w: TestWorld, token: string | undefined, path: string, json: unknown) =>
  w.request("PUT", `/api/v1/admin/calendars/${path}`, { token, json });

async function strategyWithToken(w: TestWorld): Promise<string> {
  const token = (await signInWithOtp(w, "quant@example.com")).access_token;
  const res = await w.request("POST", "/api/v1/strategies", {
    token,
    json: { name: "cal-1", slug: "cal-1" },
  });
  assert.equal(res.status, 201);
  return token;
}

/** Opens a world and, since installed closures are process-wide, clears them when it closes. */
async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    clearInstalledClosures();
    await w.close();
  }
}

const submit = (w: TestWorld, token: string, trade_date: string) =>
  w.request("POST", "/api/v1/strategies/cal-1/signals", { token, json: { trade_date, signals: SIG } });

Deno.test("GET /calendar?date=2027-01-01 is a provisional holiday from the estimate", () =>
  withWorld(async (w) => {
    const ny = await getDate(w, "2027-01-01");
    assert.equal(ny.is_trading_day, false);
    assert.equal(ny.provisional, true);
    assert.equal(ny.official_through, "2026-12-31");
    assert.equal(ny.basis, "estimate");
  }));

Deno.test("GET /calendar gives the next trading day across the estimated New Year holiday", () =>
  withWorld(async (w) => {
    assert.equal((await getDate(w, "2026-12-31")).next_trading_day, "2027-01-04");
  }));

Deno.test("a signal for an estimated holiday is refused with next_trading_day", () =>
  withWorld(async (w) => {
    const token = await strategyWithToken(w);
    const res = await submit(w, token, "2027-02-10");
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.next_trading_day, "2027-02-15");
    assert.equal(body.provisional, true);
    assert.match(body.detail, /not an SSE trading day/);
  }));

Deno.test("a signal for an estimated trading day is accepted, marked provisional and not void", () =>
  withWorld(async (w) => {
    const token = await strategyWithToken(w);
    const ok = await submit(w, token, "2027-03-03");
    assert.equal(ok.status, 201);
    const sig = await ok.json();
    assert.equal(sig.provisional, true);
    assert.equal(sig.void, null);
  }));

/** A strategy with a signal for 2027-03-03, then LIST_2027 installed for SSE by the admin. */
async function installed2027(w: TestWorld) {
  const token = await strategyWithToken(w);
  const submitted = await submit(w, token, "2027-03-03");
  const admin = (await signInAdmin(w)).access_token;
  const res = await put(w, admin, "sse/2027", { closures: LIST_2027, source: "SSE notice 2027" });
  return { token, admin, submitted, res };
}

Deno.test("PUT /admin/calendars/SSE/2027 answers the new horizon, the days it closes and opens, and who installed it", () =>
  withWorld(async (w) => {
    const { res } = await installed2027(w);
    assert.equal(res.status, 200);
    const view = await res.json();
    assert.equal(view.official_through, "2027-12-31");
    assert.ok(view.newly_closed.includes("2027-03-03"));
    assert.ok(view.newly_opened.includes("2027-02-12"));
    assert.equal(view.installed_by, "admin@example.com");
  }));

Deno.test("PUT /admin/calendars/SSE/2027 changes GET /calendar's answers at once", () =>
  withWorld(async (w) => {
    assert.equal((await getDate(w, "2027-02-12")).is_trading_day, false);
    await installed2027(w);
    const closed = await getDate(w, "2027-03-03");
    assert.equal(closed.is_trading_day, false);
    assert.equal(closed.provisional, false);
    assert.equal(closed.basis, "published");
    assert.equal(closed.official_through, "2027-12-31");
    assert.equal((await getDate(w, "2027-02-12")).is_trading_day, true);
  }));

Deno.test("PUT /admin/calendars/SSE/2027 leaves the days after 2027 provisional", () =>
  withWorld(async (w) => {
    await installed2027(w);
    assert.equal((await getDate(w, "2028-01-03")).provisional, true);
  }));

Deno.test("PUT /admin/calendars/SSE/2027 leaves other exchanges' calendars alone", () =>
  withWorld(async (w) => {
    await installed2027(w);
    assert.equal((await getDate(w, "2027-03-03", "SZSE")).is_trading_day, true, "only SSE's list changed");
  }));

Deno.test("a signal for a day the installed list closes stays in the log, shown void and unsettled", () =>
  withWorld(async (w) => {
    const { token, submitted } = await installed2027(w);
    assert.equal(submitted.status, 201);
    const list = await (await w.request("GET", "/api/v1/strategies/cal-1/signals", { token })).json();
    const sig = list.items.find((s: { trade_date: string }) => s.trade_date === "2027-03-03");
    assert.equal(sig.void, "exchange closed");
    assert.equal(sig.is_settled, false);
    assert.equal(sig.provisional, false);
  }));

Deno.test("a new signal for a day the installed list closes is refused with the next trading day", () =>
  withWorld(async (w) => {
    const { token } = await installed2027(w);
    const again = await submit(w, token, "2027-03-03");
    assert.equal(again.status, 400);
    assert.equal((await again.json()).next_trading_day, "2027-03-04");
  }));

Deno.test("GET /admin/calendars shows the installation and the moved horizon", () =>
  withWorld(async (w) => {
    const { admin } = await installed2027(w);
    const history = await (await w.request("GET", "/api/v1/admin/calendars", { token: admin })).json();
    assert.equal(history.total, 1);
    assert.equal(history.official_through.SSE, "2027-12-31");
    assert.equal(history.official_through.SZSE, "2026-12-31");
    assert.equal(history.items[0].source, "SSE notice 2027");
  }));

Deno.test("GET /admin/calendars is for admins only", () =>
  withWorld(async (w) => {
    const { token } = await installed2027(w);
    assert.equal((await w.request("GET", "/api/v1/admin/calendars", { token })).status, 403);
  }));

Deno.test("an installed calendar list is audited with its actor, the previous list and the closures", () =>
  withWorld(async (w) => {
    await installed2027(w);
    const audits = await w.deps.calendars.lists.audits({ limit: 10, offset: 0 });
    assert.equal(audits.total, 1);
    assert.equal(audits.items[0].actor, "admin@example.com");
    assert.equal(audits.items[0].previous, null);
    assert.deepEqual(audits.items[0].closures, LIST_2027);
  }));

Deno.test("an installed calendar list is kept in KV: a process whose memory lacks it reads it back before answering", () =>
  withWorld(async (w) => {
    await installed2027(w);
    // A process that has not loaded the list yet (its watcher has not heard of the change).
    clearInstalledClosures();
    assert.equal(getCalendar("SSE").isTradingDay("2027-03-03"), true);
    // The calendar answer (this date's first) is built from the stored lists, never from the stale memory.
    assert.equal((await getDate(w, "2027-03-03")).is_trading_day, false);
    assert.equal(getCalendar("SSE").isTradingDay("2027-03-03"), false);
    clearInstalledClosures();
    assert.equal(await loadOfficialLists(w.deps.calendars.lists), 1);
    assert.equal(getCalendar("SSE").isTradingDay("2027-03-03"), false);
  }));

/** A plain user's and the admin's tokens. */
async function userAndAdmin(w: TestWorld) {
  const user = (await signInWithOtp(w, "plain@example.com")).access_token;
  const admin = (await signInAdmin(w)).access_token;
  return { user, admin };
}

const BODY = { closures: ["2027-01-01"], source: "x" };

Deno.test("PUT /admin/calendars refuses non-admins (403) and anonymous callers (401)", () =>
  withWorld(async (w) => {
    const { user } = await userAndAdmin(w);
    assert.equal((await put(w, user, "SSE/2027", BODY)).status, 403);
    assert.equal((await put(w, undefined, "SSE/2027", BODY)).status, 401);
  }));

Deno.test("PUT /admin/calendars refuses CRYPTO, unknown exchanges and bad years", () =>
  withWorld(async (w) => {
    const { admin } = await userAndAdmin(w);
    assert.equal((await put(w, admin, "CRYPTO/2027", BODY)).status, 400);
    assert.equal((await put(w, admin, "LSE/2027", BODY)).status, 422);
    assert.equal((await put(w, admin, "SSE/3000", BODY)).status, 422);
    assert.equal((await put(w, admin, "SSE/27", BODY)).status, 422);
  }));

Deno.test("PUT /admin/calendars refuses dates outside the year, impossible dates, empty lists and unknown fields", () =>
  withWorld(async (w) => {
    const { admin } = await userAndAdmin(w);
    const wrongYear = await put(w, admin, "SSE/2027", { closures: ["2028-01-03"], source: "x" });
    assert.equal(wrongYear.status, 422);
    assert.deepEqual((await wrongYear.json()).detail[0].loc, ["body", "closures", 0]);
    assert.equal((await put(w, admin, "SSE/2027", { closures: ["2027-02-30"], source: "x" })).status, 422);
    assert.equal((await put(w, admin, "SSE/2027", { closures: [], source: "" })).status, 422);
    assert.equal((await put(w, admin, "SSE/2027", { ...BODY, extra: 1 })).status, 422);
  }));

Deno.test("PUT /admin/calendars refuses a closure run that leaves no trading day in the search window", () =>
  withWorld(async (w) => {
    const { admin } = await userAndAdmin(w);
    // A month-long closure would leave no trading day within the calendar's search window: refused.
    const march = Array.from({ length: 31 }, (_, i) => `2027-03-${String(i + 1).padStart(2, "0")}`);
    const long = await put(w, admin, "SSE/2027", { closures: march, source: "x" });
    assert.equal(long.status, 422);
    const longIssue = (await long.json()).detail[0];
    assert.match(longIssue.msg, /consecutive days/);
    assert.deepEqual(longIssue.loc, ["body", "closures"]);
    assert.equal((await getDate(w, "2027-03-03")).provisional, true, "nothing was installed");
  }));

Deno.test("PUT /admin/calendars/NSE/2027 makes the year official for an exchange with no built-in list", () =>
  withWorld(async (w) => {
    const { admin } = await userAndAdmin(w);
    const nse = await put(w, admin, "NSE/2027", { closures: ["2027-01-26", "2027-03-03"], source: "NSE" });
    assert.equal(nse.status, 200);
    assert.equal((await getDate(w, "2027-03-03", "NSE")).is_trading_day, false);
    assert.equal((await getDate(w, "2027-03-03", "NSE")).official_through, "2027-12-31");
  }));

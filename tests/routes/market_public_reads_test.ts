/**
 * The calendar and market reads as cached public answers: an ETag and a 304 while nothing changed, and the new
 * answer (new ETag, the old one answered 200) right after every write they show — an import, its publication
 * and deletion, a freshness entry, an installed closure list — and after the clock moves the day they name.
 */
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { clearInstalledClosures, getCalendar } from "../../domain/calendar/calendar.ts";
import { installOfficialList } from "../../domain/calendar/official_lists.ts";
import { openTestWorld, signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

/** An anonymous GET of `path` (with `headers`), straight to the app. */
const get = (w: TestWorld, path: string, headers: Record<string, string> = {}) =>
  w.app.request(path, { headers });

/** Reads `path` and checks the answer against the OpenAPI contract; its body and ETag. */
async function read(w: TestWorld, path: string, token?: string) {
  const res = await w.request("GET", path, { token });
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  const etag = res.headers.get("ETag");
  assert.ok(etag, `${path} has an ETag`);
  return { body: await res.json(), etag, res };
}

/** Asserts `etag` is current for `path` (304, no body) or not (a full 200 answer). */
async function assertCurrent(w: TestWorld, path: string, etag: string, current: boolean) {
  const res = await get(w, path, { "If-None-Match": etag });
  assert.equal(res.status, current ? 304 : 200, `${path} with ${etag}`);
  if (current) assert.equal(await res.text(), "");
  else assert.ok((await res.json()) !== null);
}

Deno.test("symbols, bars and freshness follow an import, its publication, its deletion and a freshness entry", async () => {
  const w = await openTestWorld();
  try {
    const csv = await Deno.readTextFile(new URL("../fixtures/market/cn/600036.SH.csv", import.meta.url));
    const alice = (await signInWithOtp(w, "alice@example.com")).access_token;
    const admin = (await signInAdmin(w)).access_token;
    const symbols = "/api/v1/data/symbols?q=MYBANK";
    const bars = "/api/v1/data/bars/MYBANK.SH?start=2024-01-01&end=2024-03-31";
    const before = await read(w, symbols);
    assert.equal(before.body.total, 0);
    assert.equal(before.res.headers.get("Cache-Control"), "public, max-age=0, must-revalidate");
    assert.match(before.res.headers.get("Vary") ?? "", /Authorization/);
    await assertCurrent(w, symbols, before.etag, true);
    assert.equal((await get(w, bars)).status, 404);

    const imported = await w.request("POST", "/api/v1/data/import?symbol=MYBANK.SH", {
      body: csv,
      token: alice,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(imported.status, 200);
    // Alice sees her private import at once, in an answer no shared cache may keep; others do not.
    const own = await read(w, symbols, alice);
    assert.equal(own.body.total, 1);
    assert.equal(own.res.headers.get("Cache-Control"), "private, max-age=0, must-revalidate");
    assert.equal((await read(w, symbols)).body.total, 0);
    assert.equal((await get(w, bars)).status, 404);

    const aliceId = (await (await w.request("GET", "/api/v1/auth/me", { token: alice })).json()).id;
    const published = await w.request("POST", `/api/v1/admin/data/imports/${aliceId}/MYBANK.SH/publish`, {
      json: { published: true },
      token: admin,
    });
    assert.equal(published.status, 200);
    const listed = await read(w, symbols);
    assert.equal(listed.body.total, 1);
    assert.equal(listed.body.items[0].source, "csv");
    assert.notEqual(listed.etag, before.etag);
    await assertCurrent(w, symbols, before.etag, false);
    const served = await read(w, bars);
    assert.equal(served.body.source, "csv");
    assert.ok(served.body.count > 50, `${served.body.count} bars`);
    await assertCurrent(w, bars, served.etag, true);

    const fresh = "/api/v1/data/freshness";
    const f1 = await read(w, fresh);
    assert.ok(f1.body.items.some((e: { scope: string }) => e.scope === "MYBANK.SH"));
    await assertCurrent(w, fresh, f1.etag, true);
    await w.deps.market.freshness.put({
      source: "yahoo",
      scope: "AAPL",
      last_bar_date: "2024-03-28",
      expected_date: "2024-03-28",
      stale: false,
      symbols: 1,
      rows: 60,
      first_bar_date: "2024-01-02",
      checked_at: w.clock.now(),
      error: null,
    });
    const f2 = await read(w, fresh);
    assert.ok(
      f2.body.items.some((e: { source: string; scope: string }) =>
        e.source === "yahoo" && e.scope === "AAPL"
      ),
    );
    await assertCurrent(w, fresh, f1.etag, false);

    assert.equal((await w.request("DELETE", "/api/v1/data/imports/MYBANK.SH", { token: alice })).status, 200);
    // Gone: the old ETag gets the 404, never a 304.
    assert.equal((await get(w, bars, { "If-None-Match": served.etag })).status, 404);
    assert.equal((await read(w, symbols)).body.total, 0);
    assert.ok(!(await read(w, fresh)).body.items.some((e: { scope: string }) => e.scope === "MYBANK.SH"));
  } finally {
    await w.close();
  }
});

Deno.test("a bars answer without a range follows the clock: the next completed session adds its bar", async () => {
  const w = await openTestWorld();
  try {
    const path = "/api/v1/data/bars/600519.SH";
    // The first read generates the synthetic series (a bar write: the market scope moves once).
    await read(w, path);
    const first = await read(w, path);
    await assertCurrent(w, path, first.etag, true);
    const sse = getCalendar("SSE");
    // After the next session closes, the series reaches it and `end` is the new today.
    const next = sse.nextTradingDay(sse.today(w.clock.now()));
    w.clock.set(sse.instantAt(next, "16:00"));
    const second = await read(w, path);
    assert.equal(second.body.end, next);
    assert.equal(second.body.bars.at(-1).date, next);
    assert.notEqual(second.etag, first.etag);
    await assertCurrent(w, path, first.etag, false);
  } finally {
    await w.close();
  }
});

Deno.test("the calendar answer names its today: an ETag held across the exchange's midnight is answered 200", async () => {
  const w = await openTestWorld();
  try {
    const sse = getCalendar("SSE");
    const today = sse.today(w.clock.now());
    const path = `/api/v1/calendar?date=${today}`;
    const first = await read(w, path);
    assert.equal(first.body.today, today);
    await assertCurrent(w, path, first.etag, true);
    // The same instant's answer from the cache is the same answer.
    assert.deepEqual((await read(w, path)).body, first.body);
    w.clock.set(sse.instantAt(today, "24:00") + 1);
    const after = await read(w, path);
    assert.notEqual(after.body.today, today);
    assert.notEqual(after.etag, first.etag);
    await assertCurrent(w, path, first.etag, false);
  } finally {
    await w.close();
  }
});

Deno.test("two apps on one KV file: a list installed and a freshness entry written through one is read fresh through the other", async () => {
  const dir = await Deno.makeTempDir({ dir: ".tmp" });
  const path = `${dir}/kv.sqlite`;
  const one = await openTestWorld({}, { kvPath: path });
  const two = await openTestWorld({}, { kvPath: path });
  try {
    const calendar = "/api/v1/calendar?date=2027-03-03";
    const c1 = await read(two, calendar);
    assert.equal(c1.body.is_trading_day, true);
    await installOfficialList(one.deps.calendars, "admin@example.com", "SSE", 2027, {
      closures: ["2027-03-03"],
      source: "test notice",
    });
    // The other process's memory has not loaded the list (its watcher has not run): the answer must not care.
    clearInstalledClosures();
    const c2 = await read(two, calendar);
    assert.equal(c2.body.is_trading_day, false);
    await assertCurrent(two, calendar, c1.etag, false);

    const fresh = "/api/v1/data/freshness";
    const f1 = await read(two, fresh);
    await one.deps.market.freshness.put({
      source: "yahoo",
      scope: "MSFT",
      last_bar_date: null,
      expected_date: null,
      stale: true,
      symbols: 0,
      rows: null,
      first_bar_date: null,
      checked_at: one.clock.now(),
      error: "upstream refused",
    });
    const f2 = await read(two, fresh);
    assert.ok(f2.body.items.some((e: { scope: string; error: string }) => e.scope === "MSFT" && e.error));
    await assertCurrent(two, fresh, f1.etag, false);
  } finally {
    clearInstalledClosures();
    await one.close();
    await two.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a market answer over 1 KB is compressed once and decodes to the identity bytes", async () => {
  const w = await openTestWorld();
  try {
    const path = "/api/v1/data/bars/600519.SH?start=2024-01-01&end=2024-06-30";
    await get(w, path); // generates the synthetic series
    const plain = await get(w, path);
    const identity = new Uint8Array(await plain.arrayBuffer());
    assert.ok(identity.byteLength > 1024);
    const gz = await get(w, path, { "Accept-Encoding": "gzip" });
    assert.equal(gz.headers.get("Content-Encoding"), "gzip");
    assert.equal(gz.headers.get("ETag"), plain.headers.get("ETag")!.replace(/"$/, '-gzip"'));
    assert.deepEqual(new Uint8Array(gunzipSync(new Uint8Array(await gz.arrayBuffer()))), identity);
  } finally {
    await w.close();
  }
});

Deno.test("a market answer's ETag names its caller: another caller's tag is answered 200, never 304", async () => {
  const w = await openTestWorld();
  try {
    const csv = await Deno.readTextFile(new URL("../fixtures/market/cn/600036.SH.csv", import.meta.url));
    const alice = (await signInWithOtp(w, "alice@example.com")).access_token;
    const bob = (await signInWithOtp(w, "bob@example.com")).access_token;
    const imported = await w.request("POST", "/api/v1/data/import?symbol=MYBANK.SH", {
      body: csv,
      token: alice,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(imported.status, 200);
    const paths = [
      "/api/v1/data/symbols?q=MYBANK",
      "/api/v1/data/bars/600036.SH?start=2024-01-01&end=2024-03-31",
      "/api/v1/data/freshness",
    ];
    for (const path of paths) {
      const anon = await read(w, path);
      const own = await read(w, path, alice);
      const other = await read(w, path, bob);
      assert.equal(new Set([anon.etag, own.etag, other.etag]).size, 3, `${path}: one tag per caller`);
      // Each caller's own tag is current for them ...
      const again = await w.app.request(path, {
        headers: { "If-None-Match": own.etag, Authorization: `Bearer ${alice}` },
      });
      assert.equal(again.status, 304, path);
      await again.body?.cancel();
      // ... and never for anyone else.
      await assertCurrent(w, path, own.etag, false);
      const bobWithAlices = await w.app.request(path, {
        headers: { "If-None-Match": own.etag, Authorization: `Bearer ${bob}` },
      });
      assert.equal(bobWithAlices.status, 200, path);
      await bobWithAlices.body?.cancel();
      const aliceWithAnon = await w.app.request(path, {
        headers: { "If-None-Match": anon.etag, Authorization: `Bearer ${alice}` },
      });
      assert.equal(aliceWithAnon.status, 200, path);
      await aliceWithAnon.body?.cancel();
    }
    const symbols = await w.app.request(paths[0], {
      headers: { "If-None-Match": (await read(w, paths[0], alice)).etag },
    });
    assert.equal((await symbols.json()).total, 0, "the anonymous answer leaves Alice's import out");
  } finally {
    await w.close();
  }
});

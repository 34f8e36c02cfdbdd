/**
 * Every write a market or calendar answer shows moves its public scope in the same commit: bar series (replace,
 * append, replace many, delete), imports (store, publish, delete), freshness entries, installed closure lists.
 * Each write is checked for a new version token and the `public_reads` marker naming the scope.
 */
import assert from "node:assert/strict";
import { emptySeries } from "../../../domain/store/bar_codec.ts";
import { createBarRepo } from "../../../domain/store/bar_repo.ts";
import { createCalendarListRepo } from "../../../domain/store/calendar_list_repo.ts";
import { createImportedSymbolRepo } from "../../../domain/store/imported_symbol_repo.ts";
import { keys } from "../../../domain/store/keys.ts";
import { createMarketFreshnessRepo } from "../../../domain/store/market_freshness_repo.ts";
import { createPublicVersionsRepo } from "../../../domain/store/public_versions_repo.ts";
import { importedSymbolInfo } from "../../../domain/market/csv/import_bars.ts";
import type { BarSeries } from "../../../domain/market/types.ts";
import {
  CALENDAR_SCOPE,
  MARKET_SCOPE,
  PUBLIC_READS_STREAM,
  type PublicReadsMarker,
} from "../../../domain/public_reads/scopes.ts";

function series(symbol: string, days: number[]): BarSeries {
  const s = emptySeries(symbol, "csv", days.length);
  days.forEach((d, i) => {
    s.days[i] = d;
    s.open[i] =
      s.high[i] =
      s.low[i] =
      s.close[i] =
        10 + i;
    s.volume[i] = 100;
    s.adj_factor[i] = 1;
  });
  return s;
}

/** Runs `write` and asserts it moved `scope` (a new token) and set the marker naming it at `at`. */
async function assertBumps(
  kv: Deno.Kv,
  scope: string,
  at: number,
  what: string,
  write: () => Promise<unknown>,
) {
  const versions = createPublicVersionsRepo(kv);
  const before = await versions.token([scope]);
  await write();
  assert.notEqual(await versions.token([scope]), before, `${what} moves ${scope}`);
  const marker = (await kv.get<PublicReadsMarker>(keys.streamChanged(PUBLIC_READS_STREAM))).value;
  assert.deepEqual(marker, { at, scopes: [scope] }, what);
}

Deno.test("bar series writes move the market scope in their commit", async () => {
  await using kv = await Deno.openKv(":memory:");
  const bars = createBarRepo(kv);
  const ns = { source: "csv" as const, owner: "u1" };
  const day = 19_800;
  await assertBumps(
    kv,
    MARKET_SCOPE,
    1,
    "replaceSeries",
    () => bars.replaceSeries(ns, series("A", [day]), 1),
  );
  await assertBumps(
    kv,
    MARKET_SCOPE,
    2,
    "appendBars",
    () => bars.appendBars(ns, series("A", [day, day + 1]), 2),
  );
  assert.equal((await bars.getMeta(ns, "A"))?.rows, 2);
  await assertBumps(kv, MARKET_SCOPE, 3, "replaceMany", () => bars.replaceMany(ns, [series("B", [day])], 3));
  await assertBumps(kv, MARKET_SCOPE, 4, "deleteSeries", () => bars.deleteSeries(ns, "A", 4));
  assert.equal(await bars.getMeta(ns, "A"), null);
  // Appending nothing new writes nothing, and moves nothing.
  const versions = createPublicVersionsRepo(kv);
  const still = await versions.token([MARKET_SCOPE]);
  await bars.appendBars(ns, series("B", [day]), 5);
  assert.equal(await versions.token([MARKET_SCOPE]), still);
});

Deno.test("import records, their publication and deletion, and freshness entries move the market scope", async () => {
  await using kv = await Deno.openKv(":memory:");
  const imports = createImportedSymbolRepo(kv);
  const record = {
    ...importedSymbolInfo("X.SH", "SSE"),
    owner_id: "u1",
    published: false,
    rows: 1,
    start: "2024-01-02",
    end: "2024-01-02",
    imported_at: 11,
  };
  await assertBumps(kv, MARKET_SCOPE, 11, "put", () => imports.put(record));
  await assertBumps(kv, MARKET_SCOPE, 12, "publish", () => imports.publish("u1", "X.SH", true, 12));
  await assertBumps(kv, MARKET_SCOPE, 13, "unpublish", () => imports.publish("u1", "X.SH", false, 13));
  await assertBumps(kv, MARKET_SCOPE, 14, "delete", () => imports.delete("u1", "X.SH", 14));
  const freshness = createMarketFreshnessRepo(kv);
  await assertBumps(kv, MARKET_SCOPE, 15, "freshness put", () =>
    freshness.put({
      source: "yahoo",
      scope: "AAPL",
      last_bar_date: null,
      expected_date: null,
      stale: false,
      symbols: 0,
      rows: null,
      first_bar_date: null,
      checked_at: 15,
      error: null,
    }));
  assert.equal((await freshness.list()).length, 1);
});

Deno.test("installing a closure list moves the calendar scope and the lists' version", async () => {
  await using kv = await Deno.openKv(":memory:");
  const lists = createCalendarListRepo(kv);
  assert.equal(await lists.version(), null);
  const record = {
    exchange: "SSE",
    year: 2027,
    closures: ["2027-03-03"],
    source: "x",
    installed_at: 21,
    installed_by: "admin@example.com",
  };
  const audit = {
    id: "cal_1",
    at: 21,
    actor: "admin@example.com",
    exchange: "SSE",
    year: 2027,
    source: "x",
    closures: ["2027-03-03"],
    previous: null,
  };
  await assertBumps(kv, CALENDAR_SCOPE, 21, "calendar put", () => lists.put(record, audit));
  const first = await lists.version();
  assert.ok(first);
  await lists.put(record, { ...audit, id: "cal_2", at: 22 });
  assert.notEqual(await lists.version(), first);
});

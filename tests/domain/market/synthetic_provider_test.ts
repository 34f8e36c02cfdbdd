import assert from "node:assert/strict";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { fromDayNumber } from "../../../domain/calendar/dates.ts";
import { fixedClock } from "../../../domain/clock.ts";
import { createBarCache } from "../../../domain/market/bar_cache.ts";
import { createSyntheticProvider, generatorFingerprint } from "../../../domain/market/synthetic_provider.ts";
import type { BarSeries } from "../../../domain/market/types.ts";
import { createBarRepo } from "../../../domain/store/bar_repo.ts";
import { createSyntheticCacheRepo } from "../../../domain/store/synthetic_cache_repo.ts";
import {
  createFakeSyntheticMarket,
  FAKE_START,
  type FakeSyntheticMarket,
} from "../../_helpers/fake_synthetic_market.ts";

/** 2026-05-14 09:00 CST (01:00 UTC), a Thursday: the latest completed SSE and CRYPTO day is 2026-05-13. */
const T0 = Date.UTC(2026, 4, 14, 1);
const DAY = 86_400_000;
const COLUMNS = ["days", "open", "high", "low", "close", "volume", "adj_factor"] as const;

const columns = (s: BarSeries) => Object.fromEntries(COLUMNS.map((c) => [c, Array.from(s[c])]));

/** A provider over `kv` (one "process"): its own fake market, clock and LRU. */
function process(
  kv: Deno.Kv,
  opts: { market?: FakeSyntheticMarket; now?: number; cacheBytes?: number } = {},
) {
  const market = opts.market ?? createFakeSyntheticMarket();
  const clock = fixedClock(opts.now ?? T0);
  const bars = createBarRepo(kv);
  const provider = createSyntheticProvider({
    market,
    bars,
    marks: createSyntheticCacheRepo(kv),
    cache: createBarCache(opts.cacheBytes ?? 1 << 20),
    clock,
  });
  market.calls.length = 0; // forget the fingerprint's probe generation
  return { market, clock, bars, provider };
}

Deno.test("ensure() generates a symbol through the latest completed trading day of its exchange and stores it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const p = process(kv);
    assert.equal(p.provider.targetDate("BBB.SZ"), "2026-05-13");
    const series = await p.provider.ensure("BBB.SZ");
    const expected = getCalendar("SSE").tradingDaysBetween(FAKE_START, "2026-05-13");
    assert.deepEqual(Array.from(series.days, fromDayNumber), expected);
    assert.equal(series.source, "synthetic");
    const meta = await p.bars.getMeta(p.provider.namespace, "BBB.SZ");
    assert.equal(meta?.rows, expected.length);
    assert.equal(fromDayNumber(meta!.last_day!), "2026-05-13");
    assert.deepEqual(p.market.calls, [{ symbol: "BBB.SZ", through: "2026-05-13" }]);
    // Saturday 2026-05-16 08:00 UTC: crypto's last completed day is Friday the 15th, SSE's is also the 15th.
    p.clock.set(Date.UTC(2026, 4, 16, 8));
    assert.equal(p.provider.targetDate("COIN-USD"), "2026-05-15");
    p.clock.set(Date.UTC(2026, 4, 17, 8));
    assert.equal(p.provider.targetDate("COIN-USD"), "2026-05-16", "crypto trades on Saturdays");
    assert.equal(p.provider.targetDate("AAA.SH"), "2026-05-15", "SSE does not");
  } finally {
    kv.close();
  }
});

Deno.test("ensure() extends a stored series in place with only the new days, leaving earlier bars identical", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const p = process(kv);
    const before = await p.provider.ensure("AAA.SH");
    const metaBefore = (await p.bars.getMeta(p.provider.namespace, "AAA.SH"))!;
    p.clock.advance(7 * DAY); // 2026-05-21 09:00 CST: 14, 15, 18, 19 and 20 May have closed since
    const after = await p.provider.ensure("AAA.SH");
    const metaAfter = (await p.bars.getMeta(p.provider.namespace, "AAA.SH"))!;
    assert.equal(metaAfter.gen, metaBefore.gen, "appended to the same generation, not rewritten");
    const added = Array.from(after.days.subarray(before.days.length), fromDayNumber);
    const newDays = getCalendar("SSE").tradingDaysBetween("2026-05-14", "2026-05-20");
    assert.deepEqual(added, newDays.filter((d) => after.days.includes(Date.parse(d) / DAY)));
    assert.ok(added.length >= 4 && added.length <= 5, "at most one of five new days is a fake suspension");
    assert.equal(metaAfter.rows, metaBefore.rows + added.length);
    for (const c of COLUMNS) {
      assert.deepEqual(Array.from(after[c].subarray(0, before.days.length)), Array.from(before[c]), c);
    }
    const stored = await p.bars.getBars(p.provider.namespace, "AAA.SH", -1e6, 1e7);
    assert.deepEqual(columns(stored!), columns(after));
  } finally {
    kv.close();
  }
});

Deno.test("ensure() serves later reads from the LRU without generating again until a new day closes", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const p = process(kv);
    const first = await p.provider.ensure("AAA.SH");
    assert.equal(await p.provider.ensure("AAA.SH"), first, "the same cached object");
    p.clock.advance(3 * 3600_000); // 12:00 CST: no new session has closed
    await p.provider.ensure("AAA.SH");
    assert.equal(p.market.calls.length, 1);
  } finally {
    kv.close();
  }
});

Deno.test("ensure() generates once for concurrent first reads of one symbol in a process", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const p = process(kv);
    const results = await Promise.all(Array.from({ length: 8 }, () => p.provider.ensure("BBB.SZ")));
    assert.equal(p.market.calls.length, 1);
    assert.ok(results.every((r) => r === results[0]));
    const expected = getCalendar("SSE").countTradingDays(FAKE_START, "2026-05-13");
    assert.equal((await p.bars.getMeta(p.provider.namespace, "BBB.SZ"))?.rows, expected);
  } finally {
    kv.close();
  }
});

Deno.test("ensure() in two processes at once on one KV succeeds in both and stores one consistent series", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const a = process(kv), b = process(kv);
    const [sa, sb] = await Promise.all([a.provider.ensure("AAA.SH"), b.provider.ensure("AAA.SH")]);
    assert.deepEqual(columns(sa), columns(sb));
    const stored = await a.bars.getBars(a.provider.namespace, "AAA.SH", -1e6, 1e7);
    assert.deepEqual(columns(stored!), columns(sa));
    const metas = await a.bars.listMetas(a.provider.namespace);
    assert.equal(metas.length, 1);
    assert.equal(metas[0].rows, sa.days.length);
  } finally {
    kv.close();
  }
});

Deno.test("ensure() reads a series another process extended rather than serve its own stale LRU copy", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const a = process(kv);
    const early = await a.provider.ensure("BBB.SZ");
    const b = process(kv, { now: T0 + 7 * DAY });
    const extended = await b.provider.ensure("BBB.SZ");
    assert.ok(extended.days.length > early.days.length);
    a.clock.advance(7 * DAY);
    const seen = await a.provider.ensure("BBB.SZ");
    assert.deepEqual(columns(seen), columns(extended));
    assert.equal(a.market.calls.length, 1, "a read what b stored instead of generating");
  } finally {
    kv.close();
  }
});

Deno.test("getBars() returns the asked range as a copy the caller may change", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const p = process(kv);
    const may = await p.provider.getBars("BBB.SZ", "2026-05-01", "2026-05-31");
    assert.deepEqual(
      Array.from(may.days, fromDayNumber),
      getCalendar("SSE").tradingDaysBetween("2026-05-01", "2026-05-13"),
    );
    may.close.fill(-1);
    const again = await p.provider.getBars("BBB.SZ", "2026-05-01", "2026-05-31");
    assert.ok(again.close.every((c) => c > 0));
    const y2020 = await p.provider.getBars("BBB.SZ", "2020-01-01", "2020-12-31");
    assert.deepEqual(
      Array.from(y2020.days, fromDayNumber),
      getCalendar("SSE").tradingDaysBetween("2020-01-01", "2020-12-31"),
    );
    assert.equal((await p.provider.getBars("BBB.SZ", "2014-01-01", "2014-12-31")).days.length, 0);
  } finally {
    kv.close();
  }
});

Deno.test("createSyntheticProvider() stores bars under the seed and generator fingerprint, never reusing another's", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const v1 = process(kv);
    await v1.provider.ensure("AAA.SH");
    const fp = generatorFingerprint(v1.market);
    assert.match(fp, /^[0-9a-f]{8}$/);
    assert.equal(v1.provider.namespace.owner, `public:seed42:g${fp}`);
    assert.equal(generatorFingerprint(createFakeSyntheticMarket()), fp, "deterministic");

    const otherSeed = process(kv, { market: createFakeSyntheticMarket({ seed: 43 }) });
    assert.match(otherSeed.provider.namespace.owner, /^public:seed43:g/);

    // Same seed, different output (a new generator version): the old bars and marks must not be served.
    const v2 = process(kv, { market: createFakeSyntheticMarket({ priceShift: 5 }) });
    assert.notEqual(v2.provider.namespace.owner, v1.provider.namespace.owner);
    const fresh = await v2.provider.ensure("AAA.SH");
    assert.equal(v2.market.calls.length, 1, "generated again despite v1's mark for the same seed");
    assert.deepEqual(columns(fresh), columns(v2.market.bars("AAA.SH", "2026-05-13")));
    const old = await v1.bars.getBars(v1.provider.namespace, "AAA.SH", -1e6, 1e7);
    assert.notDeepEqual(Array.from(old!.close), Array.from(fresh.close));
  } finally {
    kv.close();
  }
});

Deno.test("getBars() of a series generated elsewhere and not in the LRU reads only the asked range from KV", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const writer = process(kv);
    const whole = await writer.provider.ensure("BBB.SZ");
    // A second process with an empty LRU: the mark says the series is current, so no generation and no
    // whole-history read.
    const reader = process(kv);
    const ranges: [number, number][] = [];
    const bars = reader.bars;
    const original = bars.getBars.bind(bars);
    bars.getBars = (ns, symbol, from, to) => {
      ranges.push([from, to]);
      return original(ns, symbol, from, to);
    };
    const provider = createSyntheticProvider({
      market: reader.market,
      bars,
      marks: createSyntheticCacheRepo(kv),
      cache: createBarCache(1 << 20),
      clock: reader.clock,
    });
    reader.market.calls.length = 0; // forget the fingerprint's probe generation
    const got = await provider.getBars("BBB.SZ", "2026-04-01", "2026-04-30");
    assert.deepEqual(reader.market.calls, [], "nothing generated");
    assert.equal(ranges.length, 1);
    const from = whole.days.findIndex((d) => fromDayNumber(d) >= "2026-04-01");
    const to = whole.days.findLastIndex((d) => fromDayNumber(d) <= "2026-04-30");
    assert.deepEqual(columns(got), columns(sliceOf(whole, from, to + 1)));
    assert.ok(ranges[0][1] - ranges[0][0] < 40, "a month's range, not the whole history");
  } finally {
    kv.close();
  }
});

function sliceOf(s: BarSeries, a: number, b: number): BarSeries {
  return {
    symbol: s.symbol,
    source: s.source,
    days: s.days.slice(a, b),
    open: s.open.slice(a, b),
    high: s.high.slice(a, b),
    low: s.low.slice(a, b),
    close: s.close.slice(a, b),
    volume: s.volume.slice(a, b),
    adj_factor: s.adj_factor.slice(a, b),
  };
}

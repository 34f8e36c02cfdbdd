/**
 * The after-close market refresh: every `market-refresh-*` cron fires after its exchange's close (winter and
 * summer), its handler enqueues `refresh:<exchange>:<session date>` through an injected cron, and the queue
 * handler pulls only that exchange's Yahoo symbols, once per message id, and nothing on a holiday.
 */
import assert from "node:assert/strict";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { addDays, fromDayNumber, toDayNumber, weekday } from "../../domain/calendar/dates.ts";
import type { ExchangeCode } from "../../domain/calendar/exchanges.ts";
import { fixedClock } from "../../domain/clock.ts";
import type { LogFn } from "../../domain/log.ts";
import { buildMarketServices } from "../../app/market_services.ts";
import { YAHOO_NAMESPACE } from "../../domain/market/yahoo/yahoo_provider.ts";
import { createHealthRepo } from "../../domain/store/health_repo.ts";
import { CRON_JOBS, type CronFn, registerCronJobs } from "../../jobs/cron.ts";
import type { QueueMessage } from "../../jobs/messages.ts";
import { createQueueRepo } from "../../domain/store/queue_repo.ts";
import { startQueueWorker } from "../../jobs/queue.ts";
import { serveYahooRecordings } from "../_helpers/yahoo_recordings.ts";

const REFRESH_JOBS: Record<string, ExchangeCode> = {
  "market-refresh-sse": "SSE",
  "market-refresh-idx": "IDX",
  "market-refresh-nse": "NSE",
  "market-refresh-nyse": "NYSE",
  "market-refresh-crypto": "CRYPTO",
};

/** Minute, hour and UTC weekdays of a `M H * * dow` schedule. */
function parseSchedule(schedule: string): { minute: number; hour: number; days: Set<number> } {
  const [m, h, dom, mon, dow] = schedule.split(" ");
  assert.equal(`${dom} ${mon}`, "* *", schedule);
  const days = new Set<number>();
  for (const part of dow.split(",")) {
    if (part === "*") [0, 1, 2, 3, 4, 5, 6].forEach((d) => days.add(d));
    else {
      const [a, b = a] = part.split("-").map(Number);
      for (let d = a; d <= b; d++) days.add(d % 7);
    }
  }
  return { minute: Number(m), hour: Number(h), days };
}

/** The instant `schedule` fires on UTC date `date`, or `null` when it does not fire that day. */
function fireOn(schedule: string, date: string): number | null {
  const { minute, hour, days } = parseSchedule(schedule);
  if (!days.has(weekday(date))) return null;
  return toDayNumber(date) * 86_400_000 + (hour * 60 + minute) * 60_000;
}

/** Every date of two weeks in winter, two in summer, and the weeks of the 2024 US clock changes. */
const SAMPLE_DATES = ["2024-01-15", "2024-03-11", "2024-07-15", "2024-11-04"].flatMap((monday) =>
  Array.from({ length: 7 }, (_, i) => addDays(monday, i))
);

Deno.test("every exchange has a market-refresh cron, and each fires after that day's close", async (t) => {
  for (const [name, exchange] of Object.entries(REFRESH_JOBS)) {
    const job = CRON_JOBS.find((j) => j.name === name);
    assert.ok(job, `${name} is in CRON_JOBS`);
    await t.step(name, () => {
      const cal = getCalendar(exchange);
      let fired = 0;
      for (const date of SAMPLE_DATES) {
        const at = fireOn(job.schedule, date);
        if (exchange === "CRYPTO") {
          assert.ok(at !== null, "crypto refreshes every day");
          assert.equal(
            cal.latestCompletedTradingDay(at),
            addDays(date, -1),
            "yesterday's UTC day is complete",
          );
          fired++;
          continue;
        }
        const local = at === null ? null : cal.today(at);
        const localWeekday = weekday(date);
        if (localWeekday === 0 || localWeekday === 6) {
          assert.equal(at, null, `${date} is a weekend`);
          continue;
        }
        assert.ok(at !== null, `fires on weekday ${date}`);
        assert.equal(local, date, "fires on the session's own local date");
        const close = cal.instantAt(date, cal.exchange.close);
        const nextOpen = cal.instantAt(addDays(date, 1), cal.exchange.open);
        assert.ok(
          at - close >= 30 * 60_000,
          `${date}: ${new Date(at).toISOString()} is 30+ min after the close`,
        );
        assert.ok(at < nextOpen, `${date}: before the next session opens`);
        fired++;
      }
      assert.ok(fired >= 20);
    });
  }
});

Deno.test("registered market-refresh handlers enqueue refresh:<exchange>:<session date>, none on a holiday", async () => {
  const registered = new Map<string, () => Promise<void>>();
  const cron: CronFn = (name, _schedule, handler) => registered.set(name, handler);
  const enqueued: QueueMessage[] = [];
  const logs: string[] = [];
  const clock = fixedClock(0);
  const log: LogFn = (_level, msg) => logs.push(msg);
  registerCronJobs({
    queue: {
      enqueueHeartbeat: () => Promise.resolve(),
      enqueue: (m) => (enqueued.push(m), Promise.resolve()),
    },
    clock,
    log,
  }, cron);
  const runOn = async (name: string, date: string) => {
    enqueued.length = 0;
    clock.set(fireOn(CRON_JOBS.find((j) => j.name === name)!.schedule, date)!);
    await registered.get(name)!();
    return enqueued.map((m) => m.id);
  };
  assert.deepEqual(await runOn("market-refresh-sse", "2026-05-14"), ["refresh:SSE:2026-05-14"]);
  assert.deepEqual(await runOn("market-refresh-idx", "2026-05-13"), ["refresh:IDX:2026-05-13"]);
  assert.deepEqual(await runOn("market-refresh-idx", "2026-05-14"), []); // Ascension Day in Indonesia
  assert.deepEqual(await runOn("market-refresh-nse", "2026-05-14"), ["refresh:NSE:2026-05-14"]);
  assert.deepEqual(await runOn("market-refresh-nyse", "2026-05-14"), ["refresh:NYSE:2026-05-14"]);
  assert.deepEqual(await runOn("market-refresh-crypto", "2026-05-14"), ["refresh:CRYPTO:2026-05-13"]);
  assert.deepEqual(enqueued[0], {
    type: "market.refresh",
    id: "refresh:CRYPTO:2026-05-13",
    exchange: "CRYPTO",
    date: "2026-05-13",
  });
  // Labour Day: Shanghai is closed, New York trades.
  assert.deepEqual(await runOn("market-refresh-sse", "2026-05-01"), []);
  assert.deepEqual(await runOn("market-refresh-nyse", "2026-05-01"), ["refresh:NYSE:2026-05-01"]);
  // Thanksgiving: New York is closed.
  assert.deepEqual(await runOn("market-refresh-nyse", "2026-11-26"), []);
  assert.equal(logs.filter((m) => m === "cron job failed").length, 0);
});

Deno.test("a market.refresh message pulls only its exchange's Yahoo symbols, once per id, nothing on a holiday", async () => {
  const rec = serveYahooRecordings({
    "600519.SS": { file: "600519_ss_2024_01.json" },
    "RELIANCE.NS": { file: "reliance_ns_2024_01.json" },
    "BTC-USD": { file: "btc_usd_2024_01.json" },
  });
  const dir = await Deno.makeTempDir({ prefix: "qe_market_refresh_" });
  const kv = await Deno.openKv(`${dir}/kv.sqlite`);
  const clock = fixedClock(Date.UTC(2024, 0, 3, 10, 30)); // the NSE cron's slot on 2024-01-03
  const logs: { msg: string; fields?: Record<string, unknown> }[] = [];
  const log: LogFn = (_level, msg, fields) => logs.push({ msg, fields });
  const market = buildMarketServices(kv, clock, {
    seed: 42,
    cacheBytes: 0,
    yahoo: { enabled: true, symbols: ["600519.SH", "RELIANCE.NS", "BTC-USD"], baseUrl: rec.baseUrl },
  });
  const worker = startQueueWorker({
    messages: createQueueRepo(kv),
    clock,
    health: createHealthRepo(kv),
    log,
    market,
  });
  try {
    const nse = { type: "market.refresh", id: "refresh:NSE:2024-01-03", exchange: "NSE", date: "2024-01-03" };
    await worker.handle(nse);
    assert.deepEqual(rec.requests.map((u) => decodeURIComponent(u.pathname)), [
      "/v8/finance/chart/RELIANCE.NS",
    ]);
    const bars = await market.bars.getBars(YAHOO_NAMESPACE, "RELIANCE.NS", 0, 100_000);
    assert.deepEqual(Array.from(bars!.days, fromDayNumber), ["2024-01-01", "2024-01-02", "2024-01-03"]);
    assert.equal(await market.bars.getMeta(YAHOO_NAMESPACE, "600519.SH"), null);
    assert.deepEqual(
      (await market.data.freshness()).filter((f) => f.source === "yahoo").map((
        f,
      ) => [f.scope, f.last_bar_date]),
      [["RELIANCE.NS", "2024-01-03"]],
    );
    const served = await market.data.getBars("RELIANCE.NS", "2024-01-01", "2024-01-03");
    assert.equal(served?.source, "yahoo");
    assert.deepEqual(Array.from(served!.close), [2596.0, 2606.5, 2587.449951171875]);
    assert.deepEqual(logs.at(-1), {
      msg: "market refreshed",
      fields: { id: nse.id, skipped: false, synthetic: 11, yahoo_ok: 1, yahoo_failed: 0 },
    });

    await worker.handle(nse);
    assert.equal(rec.requests.length, 1, "a redelivered id does nothing");

    await worker.handle({
      type: "market.refresh",
      id: "refresh:SSE:2024-02-12",
      exchange: "SSE",
      date: "2024-02-12",
    });
    assert.equal(rec.requests.length, 1, "Spring Festival: Shanghai did not trade");
    assert.equal(logs.at(-1)?.fields?.skipped, true);
  } finally {
    kv.close();
    await rec.close();
    for (let i = 0; i < 200 && worker.listening(); i++) await new Promise((r) => setTimeout(r, 5));
    await Deno.remove(dir, { recursive: true });
  }
});

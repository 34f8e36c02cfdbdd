/**
 * Settlement of many tracked strategies for one day, end to end, on a file KV:
 *
 *   deno run -A benchmarks/settlement_day.ts [strategies] [runs]
 *
 * Seeds (once, kept under `.tmp/settlement_day/`) `strategies` CSI 300 strategies, each through the real
 * creation and signal submission (hashed, logged and audited): a signal of 10 names for day 1, settled as part
 * of the seed; for day 2 every other strategy submits a new signal of 10 other names (a rebalance) and the rest
 * hold. Each run copies the seeded file and settles day 2 through the settlement job (`runDailyJob`
 * "settle-signals"), then prints the wall time, the milliseconds per strategy-day, and a digest of every settled
 * day-2 record (so two versions of the code can be shown to write the same records). Prices come from the
 * synthetic market on the real clock, as in `deno task demo`; the first run generates and stores it.
 */
import { getCalendar } from "../domain/calendar/calendar.ts";
import { fixedClock, systemClock } from "../domain/clock.ts";
import { parseConfig } from "../domain/config.ts";
import { sha256Hex } from "../domain/tokens_and_hashes.ts";
import { createLogMailer } from "../domain/mail/mailer.ts";
import { buildMarketServices } from "../app/market_services.ts";
import { createDailyJobRepo } from "../domain/store/daily_job_repo.ts";
import { runDailyJob } from "../domain/track_record/daily_tasks.ts";
import { submitSignal } from "../domain/track_record/signals/signals.ts";
import { createTrackedStrategy } from "../domain/track_record/signals/tracked_strategies.ts";
import { buildServices } from "../app/services.ts";

const N = Number(Deno.args[0] ?? 10_000);
const RUNS = Number(Deno.args[1] ?? 1);
const DIR = ".tmp/settlement_day";
const SEED = `${DIR}/seed-${N}.sqlite`;
const sse = getCalendar("SSE");
/** Two SSE trading days well in the past of the real clock (the synthetic market has them). */
const DAY2 = sse.previousTradingDay(sse.previousTradingDay(sse.today(Date.now())));
const DAY1 = sse.previousTradingDay(DAY2);
const BEFORE_DAY1 = sse.instantAt(sse.previousTradingDay(DAY1), "20:00");
const AFTER_DAY1 = sse.instantAt(DAY1, "18:15");
const AFTER_DAY2 = sse.instantAt(DAY2, "18:15");
const OWNER = "usr_settlement_bench";

async function open(path: string, at: number) {
  const kv = await Deno.openKv(path);
  const config = parseConfig({
    DENO_ENV: "test",
    KV_PATH: path,
    JWT_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    LOG_REQUESTS: "false",
  });
  const clock = fixedClock(at);
  const deps = await buildServices({
    config,
    kv,
    clock,
    mailer: createLogMailer(),
    log: () => {},
    queue: { listening: () => true, enqueueHeartbeat: () => Promise.resolve() },
  });
  const market = buildMarketServices(kv, systemClock, {
    seed: config.marketSeed,
    cacheBytes: config.marketCacheBytes,
  });
  const track = { ...deps.track, market: market.data, clock };
  return { kv, clock, track, dailyJobs: createDailyJobRepo(kv) };
}

/** Ten distinct names of `universe` starting at `from` (wrapping). */
const tenOf = (universe: string[], from: number) =>
  Array.from(
    { length: 10 },
    (_, k) => ({ symbol: universe[(from + k * 7) % universe.length], weight: 0.095 }),
  );

async function seed() {
  await Deno.mkdir(DIR, { recursive: true });
  const tmp = `${SEED}.part`;
  await Deno.remove(tmp).catch(() => {});
  const w = await open(tmp, BEFORE_DAY1);
  const universe = (await w.track.market.getUniverse("hs300")).filter((s) => !s.startsWith("000300"));
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const slug = `bench-${String(i).padStart(5, "0")}`;
    await createTrackedStrategy(w.track, OWNER, N + 1, {
      name: slug,
      slug,
      universe: "hs300",
      execution_price: i % 3 === 0 ? "close" : "open",
      holding_period: 5,
      initial_capital: 1_000_000,
      commission_rate: 0.0003,
      slippage_rate: 0.001,
    });
    await submitSignal(w.track, OWNER, slug, { trade_date: DAY1, signals: tenOf(universe, i) });
    if (i % 2 === 0) {
      await submitSignal(w.track, OWNER, slug, { trade_date: DAY2, signals: tenOf(universe, i + 3) });
    }
    if (i % 1000 === 999) {
      console.log(`seeded ${i + 1} strategies (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
  }
  w.clock.set(AFTER_DAY1);
  const t1 = performance.now();
  const day1 = await runDailyJob(w.track, w.dailyJobs, "settle-signals", DAY1);
  const failed = (day1.summary as { outcomes: { status: string }[] }).outcomes.filter((o) =>
    o.status !== "settled"
  );
  if (failed.length > 0) throw new Error(`day 1 did not settle: ${JSON.stringify(failed.slice(0, 3))}`);
  console.log(`settled ${DAY1} for the seed in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  w.kv.close();
  await Deno.rename(tmp, SEED);
}

async function run(k: number) {
  const work = `${DIR}/run-${N}.sqlite`;
  await Deno.remove(work).catch(() => {});
  await Deno.copyFile(SEED, work);
  const w = await open(work, AFTER_DAY2);
  // Warm the market service the way a long-running server is warm (the after-close cron keeps hs300 fresh).
  const universe = await w.track.market.getUniverse("hs300");
  for (const s of universe) await w.track.market.getBars(s, DAY1, DAY2);
  // The job's own record of the run is written through; a failure to store it is reported, not fatal.
  let stored = "stored";
  const store = {
    ...w.dailyJobs,
    recordRun: (...args: Parameters<typeof w.dailyJobs.recordRun>) =>
      w.dailyJobs.recordRun(...args).catch((e) => void (stored = `NOT stored (${e.message})`)),
  };
  const t = performance.now();
  const out = await runDailyJob(w.track, store, "settle-signals", DAY2);
  const ms = performance.now() - t;
  const outcomes = (out.summary as { outcomes: { slug: string; status: string }[] }).outcomes;
  const settled = outcomes.filter((o) => o.status === "settled").length;
  const records: string[] = [];
  for (const o of outcomes) records.push(JSON.stringify(await w.track.settlements.getDay(o.slug, DAY2)));
  const digest = (await sha256Hex(records.join("\n"))).slice(0, 16);
  console.log(
    `run ${k}: settled ${settled}/${outcomes.length} strategies for ${DAY2} in ${(ms / 1000).toFixed(2)} s ` +
      `(${
        (ms / outcomes.length).toFixed(2)
      } ms per strategy-day); records digest ${digest}; run summary ${stored}`,
  );
  w.kv.close();
  await Deno.remove(work).catch(() => {});
}

if (import.meta.main) {
  if (!(await Deno.stat(SEED).catch(() => null))) await seed();
  for (let k = 1; k <= RUNS; k++) await run(k);
}

/**
 * The load test's seeder, run as a child process by `scripts/loadtest.ts` with the deno.json of the app being
 * measured (`--config <app>/deno.json`), so it seeds with that app's own code (the app before a change, too):
 *
 *   deno run --config <app>/deno.json … scripts/loadtest/seed.ts <app-dir> demo <kv> <days>
 *     → the demo replay (the real submission, settlement and attestation code, as `deno task demo` runs it) and
 *       an API key of the demo account; prints one JSON line `SeedInfo`.
 *   deno run --config <app>/deno.json … scripts/loadtest/seed.ts <app-dir> strategies <kv> <count> <last-day>
 *     → `count` more public strategies (owners of 20 each), each with one signal on the demo window's last day
 *       but two (`<last-day>`) and settled through it; prints `{"strategies": count}`.
 *
 * The app's modules are imported at run time from `<app-dir>`; the types below are this checkout's.
 */
import type * as ServicesModule from "../../app/services.ts";
import type * as MarketServicesModule from "../../app/market_services.ts";
import type * as ConfigModule from "../../domain/config.ts";
import type * as ClockModule from "../../domain/clock.ts";
import type * as MailerModule from "../../domain/mail/mailer.ts";
import type * as KvModule from "../../domain/store/kv.ts";
import type * as SettingsModule from "../../domain/store/settings_repo.ts";
import type * as DemoModule from "../demo_replay.ts";
import type * as TrackedModule from "../../domain/track_record/signals/tracked_strategies.ts";
import type * as SignalsModule from "../../domain/track_record/signals/signals.ts";
import type * as AttestModule from "../../domain/track_record/signals/attest_pending.ts";
import type * as SettleModule from "../../domain/track_record/settlement/settle.ts";
import type * as ApiKeysModule from "../../domain/auth/api_keys.ts";
import type * as CalendarModule from "../../domain/calendar/calendar.ts";
import type * as UserViewModule from "../../domain/auth/user_view.ts";
import type * as IdsModule from "../../domain/tokens_and_hashes.ts";

/** What the demo seeding prints (one JSON line). */
export interface SeedInfo {
  api_key: string;
  first_day: string;
  last_day: string;
  /** A demo-reversal signal in the demo log, for the proof row. */
  signal_hash: string;
}

/** Most extra strategies the seeder creates. */
export const MAX_EXTRA_STRATEGIES = 5_000;

const [appDir, mode, kvPath, countText, lastDayArg] = Deno.args;
if (!appDir || (mode !== "demo" && mode !== "strategies") || !kvPath || !/^\d+$/.test(countText ?? "")) {
  console.error("usage: seed.ts <app-dir> demo <kv-path> <days> | strategies <kv-path> <count> <last-day>");
  Deno.exit(2);
}
const count = Number(countText);
const root = new URL(`${appDir.replace(/\/+$/, "")}/`, `file://${Deno.cwd()}/`);
const load = <T>(path: string): Promise<T> => import(new URL(path, root).href) as Promise<T>;

const { buildServices } = await load<typeof ServicesModule>("app/services.ts");
const { buildMarketServices } = await load<typeof MarketServicesModule>("app/market_services.ts");
const { parseConfig } = await load<typeof ConfigModule>("domain/config.ts");
const { fixedClock, systemClock } = await load<typeof ClockModule>("domain/clock.ts");
const { createLogMailer } = await load<typeof MailerModule>("domain/mail/mailer.ts");
const { openKv } = await load<typeof KvModule>("domain/store/kv.ts");
const { createSettingsRepo } = await load<typeof SettingsModule>("domain/store/settings_repo.ts");
const demo = await load<typeof DemoModule>("scripts/demo_replay.ts");

const config = parseConfig({ KV_PATH: kvPath, LOG_REQUESTS: "false" });
const kv = await openKv(kvPath);
const started = Date.now();
const clock = fixedClock(started);
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
  yahoo: config.yahoo,
});
const track = { ...deps.track, market: market.data, clock };

if (mode === "demo") {
  const report = await demo.replayDemo(track, deps.auth.users, createSettingsRepo(kv), {
    days: Math.max(3, Math.min(count, 250)),
    nowMs: started,
  });
  const user = await deps.auth.users.getByEmail(demo.DEMO_EMAIL);
  if (!user) throw new Error("the demo replay left no demo account");
  const { createApiKey } = await load<typeof ApiKeysModule>("domain/auth/api_keys.ts");
  const key = await createApiKey(deps.auth, user, "loadtest");
  const logged = (await deps.track.signals.listAll("demo-reversal")).filter((s) => s.log !== null);
  const info: SeedInfo = {
    api_key: key.api_key,
    first_day: report.first_day,
    last_day: report.last_day,
    signal_hash: logged.at(-1)?.signal_hash ?? "",
  };
  console.log(JSON.stringify(info));
} else {
  await seedStrategies(Math.min(count, MAX_EXTRA_STRATEGIES));
  console.log(JSON.stringify({ strategies: Math.min(count, MAX_EXTRA_STRATEGIES) }));
}
kv.close();
Deno.exit(0);

/** `n` public strategies with one signal each, settled over the demo window's last three trading days. */
async function seedStrategies(n: number): Promise<void> {
  const { createTrackedStrategy } = await load<typeof TrackedModule>(
    "domain/track_record/signals/tracked_strategies.ts",
  );
  const { submitSignal } = await load<typeof SignalsModule>("domain/track_record/signals/signals.ts");
  const { attestPending } = await load<typeof AttestModule>("domain/track_record/signals/attest_pending.ts");
  const { settleStrategy } = await load<typeof SettleModule>("domain/track_record/settlement/settle.ts");
  const { getCalendar } = await load<typeof CalendarModule>("domain/calendar/calendar.ts");
  const { newUserRecord } = await load<typeof UserViewModule>("domain/auth/user_view.ts");
  const { newId } = await load<typeof IdsModule>("domain/tokens_and_hashes.ts");
  const sse = getCalendar("SSE");
  const lastDay = lastDayArg && /^\d{4}-\d{2}-\d{2}$/.test(lastDayArg)
    ? lastDayArg
    : sse.latestCompletedTradingDay(started);
  const days = [sse.tradingDayOffset(lastDay, -2), sse.tradingDayOffset(lastDay, -1), lastDay];
  const pool = (await market.data.getUniverse("hs300")).filter((s) => /^\d{6}\.(SH|SZ)$/.test(s)).slice(
    0,
    60,
  );
  const slugs: string[] = [];
  let owner = "";
  clock.set(sse.instantAt(days[0], "08:00"));
  for (let i = 0; i < n; i++) {
    const slug = `load-${String(i).padStart(4, "0")}`;
    if (i % 20 === 0) {
      const user = newUserRecord(
        {
          id: newId("usr", clock.now()),
          email: `load-owner-${i / 20}@loadtest.local`,
          nickname: `owner${i / 20}`,
          tier: "licensed",
        },
        clock.now(),
      );
      await deps.auth.users.create(user);
      owner = user.id;
    }
    if (!(await track.strategies.get(slug))) {
      await createTrackedStrategy(track, owner, 20, {
        name: `Load test strategy ${i}`,
        slug,
        universe: "hs300",
        execution_price: "close",
        holding_period: 1 + (i % 10),
        initial_capital: 1_000_000,
        commission_rate: 0.0003,
        slippage_rate: 0.001,
      });
      clock.set(sse.instantAt(days[0], "09:00"));
      const picks = [0, 1, 2, 3].map((k) => pool[(i * 7 + k * 13) % pool.length]);
      await submitSignal(track, owner, slug, {
        trade_date: days[0],
        signals: [...new Set(picks)].map((symbol) => ({ symbol, weight: 0.2 })),
      });
      clock.set(sse.instantAt(days[0], "08:00"));
    }
    slugs.push(slug);
  }
  clock.set(sse.instantAt(days[0], "09:10"));
  await attestPending(track);
  for (const day of days) {
    clock.set(sse.instantAt(day, "18:15"));
    for (const slug of slugs) {
      const out = await settleStrategy(track, slug, day);
      if (out.status === "failed") throw new Error(`settling ${slug} for ${day} failed: ${out.error}`);
    }
  }
  clock.set(started);
}

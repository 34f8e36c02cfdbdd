/**
 * A child process for the dashboard's demo-stream test: replays the demo's last 5 trading days (as
 * `deno task demo` does, under a simulated clock) into the KV file named by its first argument, prints
 * `{"replayed_days": n}` and exits — another process than the server whose sockets must hear the trades.
 */
import { buildMarketServices } from "../../app/market_services.ts";
import { buildServices } from "../../app/services.ts";
import { fixedClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { createLogMailer } from "../../domain/mail/mailer.ts";
import { openKv } from "../../domain/store/kv.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import { replayDemo } from "../../scripts/demo_replay.ts";

const NOW = Number(Deno.args[1]);
const config = parseConfig({
  DENO_ENV: "test",
  KV_PATH: Deno.args[0],
  JWT_SECRET: "demo-stream-secret-0123456789abcdef",
});
const kv = await openKv(config.kvPath);
const clock = fixedClock(NOW);
const deps = await buildServices({
  config,
  kv,
  clock,
  mailer: createLogMailer(),
  log: () => {},
  queue: { listening: () => false, enqueueHeartbeat: () => Promise.resolve() },
});
const market = buildMarketServices(kv, fixedClock(NOW), {
  seed: config.marketSeed,
  cacheBytes: 64 << 20,
  yahoo: config.yahoo,
});
const report = await replayDemo(
  { ...deps.track, market: market.data, clock },
  deps.auth.users,
  createSettingsRepo(kv),
  { days: 5, nowMs: NOW },
);
await deps.track.background.drain();
console.log(JSON.stringify({ replayed_days: report.replayed_days }));
kv.close();
Deno.exit(0);

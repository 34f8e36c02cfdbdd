/**
 * A child process for the crash test of signal submission: builds the production wiring from the config
 * variables given as JSON in its first argument (`KV_PATH` a KV file; clock fixed at 2026-05-14 09:00
 * Asia/Shanghai), creates a tracked strategy, commits one signal with `submitSignal` (the commit only, no `attestPending`), prints
 * `{"committed":"<signal_hash>","slug":…,"trade_date":…}` and then stays alive doing nothing until it is killed.
 */
import { fixedClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { createLogMailer } from "../../domain/mail/mailer.ts";
import { submitSignal } from "../../domain/track_record/signals/signals.ts";
import { createTrackedStrategy } from "../../domain/track_record/signals/tracked_strategies.ts";
import { openKv } from "../../domain/store/kv.ts";
import { buildServices } from "../../app/services.ts";

const SLUG = "crash-1";
const TRADE_DATE = "2026-05-14";
const OWNER = "usr_crash";

const config = parseConfig(JSON.parse(Deno.args[0]));
const kv = await openKv(config.kvPath);
const deps = await buildServices({
  config,
  kv,
  clock: fixedClock(Date.UTC(2026, 4, 14, 1, 0, 0)),
  mailer: createLogMailer(),
  log: () => {},
  queue: { listening: () => false, enqueueHeartbeat: () => Promise.resolve() },
});
await createTrackedStrategy(deps.track, OWNER, 3, {
  name: "Crash test",
  slug: SLUG,
  universe: "hs300",
  execution_price: "open",
  holding_period: 10,
  initial_capital: 1_000_000,
  commission_rate: 0.0003,
  slippage_rate: 0.002,
});
const { signal } = await submitSignal(deps.track, OWNER, SLUG, {
  trade_date: TRADE_DATE,
  signals: [{ symbol: "600519.SH", weight: 0.4 }, { symbol: "000001.SZ", weight: 0.3 }],
});
console.log(JSON.stringify({ committed: signal.signal_hash, slug: SLUG, trade_date: TRADE_DATE }));
// Stay alive (the parent kills this process with SIGKILL before anything else happens).
setInterval(() => {}, 60_000);

/**
 * `deno task demo`: replays the last 120 SSE trading days of three demo strategies into the server's KV
 * (`KV_PATH`, default `data/quantedge.sqlite`) through the real submission, settlement and attestation code under
 * a simulated clock, then serves the app on a spare local port and runs the verifier on each demo record, using
 * public endpoints only, including that each record is complete through the replay's last day. Safe beside a
 * running server on the same file (KV waits out the server's write lock). Running it again finishes an
 * interrupted replay, or re-verifies a complete one without writing. Exit code 0 only when every record is
 * complete and verifies. A server running on the same file streams the replay's settled trades to `WS /ws` as they
 * are written (its stream bridge polls the stream markers, so it hears this process, and reads the trade feed at
 * the replay's simulated times). The demo writes only to the demo's own log; a KV holding a demo record of an
 * earlier version (its signals in the production log) is reported and not re-verified: `deno task demo --reset`
 * deletes the demo's data (is_demo strategies, the replay plan, the demo log) and replays it.
 */
import { fixedClock, systemClock } from "../domain/clock.ts";
import { buildMarketServices } from "../app/market_services.ts";
import { parseConfig } from "../domain/config.ts";
import { createLogMailer } from "../domain/mail/mailer.ts";
import { createApp } from "../routes/app.ts";
import { buildServices } from "../app/services.ts";
import { openKv } from "../domain/store/kv.ts";
import { createSettingsRepo } from "../domain/store/settings_repo.ts";
import {
  type DemoReport,
  expectedDemoRecords,
  legacyDemoSignal,
  replayDemo,
  resetDemo,
} from "./demo_replay.ts";
import { createDemoResetRepo } from "../domain/store/demo_reset_repo.ts";
import { verifyRecord } from "./verify_record.ts";

/** Trading days the demo replays. */
export const DEMO_DAYS = 120;

const config = parseConfig(Deno.env.toObject());
if (config.env === "production") {
  console.error(
    "deno task demo writes demo records with simulated timestamps; it refuses to run in production.",
  );
  Deno.exit(1);
}
if (config.kvPath && config.kvPath !== ":memory:" && config.kvPath.includes("/")) {
  await Deno.mkdir(config.kvPath.slice(0, config.kvPath.lastIndexOf("/")), { recursive: true });
}
// Beside a running server both processes write the file: KV waits out the server's write lock (counted here).
let lockWaits = 0;
const kv = await openKv(config.kvPath, { onBusy: () => lockWaits++ });
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
if (Deno.args.includes("--reset")) {
  // Only the demo's own data: is_demo strategies, the replay plan and the demo log.
  const { slugs, deleted } = await resetDemo(deps.track, createDemoResetRepo(kv));
  console.log(`Reset: deleted ${deleted} entries of the demo (${slugs.join(", ") || "no demo strategies"}).`);
} else {
  const legacy = await legacyDemoSignal(deps.track);
  if (legacy) {
    console.error(
      `This KV holds a demo record written by an earlier version: its signals are in the production log ` +
        `(${deps.track.tlog.origin}), not the demo's own log (${deps.track.demoTlog.origin}) — e.g. ` +
        `${legacy.slug} on ${legacy.trade_date}. It is not re-verified.\n` +
        "Run `deno task demo --reset` to delete the demo strategies' data and the demo log (nothing else) " +
        "and replay the demo into its own log.",
    );
    kv.close();
    Deno.exit(1);
  }
}
console.log(
  `Quantedge demo: replaying ${DEMO_DAYS} SSE trading days into ${config.kvPath ?? "the default KV"} …`,
);
// Prices come through a market service on the real clock: the synthetic market is generated once through today
// instead of being extended day by day as the simulated clock moves (settlement only reads each day's bars).
const market = buildMarketServices(kv, systemClock, {
  seed: config.marketSeed,
  cacheBytes: config.marketCacheBytes,
  yahoo: config.yahoo,
});
let report: DemoReport;
try {
  report = await replayDemo(
    { ...deps.track, market: market.data, clock },
    deps.auth.users,
    createSettingsRepo(kv),
    { days: DEMO_DAYS, nowMs: started, progress: (line) => console.log(line) },
  );
} catch (e) {
  console.error(
    `The demo replay stopped: ${e instanceof Error ? e.message : String(e)}\n` +
      "Every day settled so far is kept; run `deno task demo` again to continue the replay where it stopped.",
  );
  kv.close();
  Deno.exit(1);
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  report.replayed_days === 0
    ? `The demo record (${report.first_day} → ${report.last_day}) is already complete; verifying it again.`
    : `${report.resumed_at ? "Resumed the interrupted replay of" : "Replayed"} ` +
      `${report.first_day} → ${report.last_day}${report.resumed_at ? ` at ${report.resumed_at}` : ""}: ` +
      `${report.replayed_days} days, ${report.signals} signals, ` +
      `${report.settled_days} settled strategy-days (${seconds} s` +
      `${lockWaits > 0 ? `; waited ${lockWaits} times for another process's write lock` : ""}).`,
);
clock.set(Date.now());
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, createApp(deps).fetch);
const base = `http://127.0.0.1:${server.addr.port}`;
let allOk = true;
for (const expected of expectedDemoRecords(report)) {
  const slug = expected.slug;
  const v = await verifyRecord(base, slug, fetch, {
    through: expected.last_day,
    first_day: expected.first_day,
    settled_days: expected.settled_days,
    signal_days: expected.signal_days,
  });
  const upTo = v.days.filter((d) => d.date <= expected.last_day);
  const signalDays = upTo.filter((d) => d.signal_hash).length;
  const bad = v.days.filter((d) => d.failures.length > 0);
  allOk &&= v.ok;
  console.log(
    `${v.ok ? "VERIFIED" : "NOT VERIFIED"} ${slug}: ${upTo.length}/${expected.settled_days} settled days ` +
      `(${signalDays}/${expected.signal_days} with signals) through ${expected.last_day}, final NAV ` +
      `${upTo.at(-1)?.nav?.toFixed(2) ?? "–"}; ${bad.length} failing days`,
  );
  for (const f of v.failures) console.log(`   ${f}`);
  for (const d of bad.slice(0, 5)) console.log(`   ${d.date}: ${d.failures.join("; ")}`);
}
if (!allOk) {
  console.log(
    "\nNot every demo record is complete and verified: run `deno task demo` again to finish the replay.",
  );
}
await server.shutdown();
kv.close();
console.log(`
Start the server (deno task dev) and look:
  ${config.publicBaseUrl}/app/records/demo-reversal   (the record page: press "Verify in your browser")
  GET ${config.publicBaseUrl}/api/v1/public/strategies
  GET ${config.publicBaseUrl}/api/v1/public/strategies/demo-reversal/track-record   (/performance, /verify, /audit, /claimed)
  GET ${config.publicBaseUrl}/api/v1/public/log/checkpoint?log=demo   (the demo's own log; /checkpoints, /witnesses)
  deno task verify ${config.publicBaseUrl} demo-reversal
A server running on the same KV file streams the replay's settled trades live, as they are written:
  ${config.publicBaseUrl.replace(/^http/, "ws")}/ws   (connect, then run \`deno task demo\` beside it)`);
Deno.exit(allOk ? 0 : 1);

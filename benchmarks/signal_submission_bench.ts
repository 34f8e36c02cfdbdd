/**
 * The request path of a signal submission with GitHub attestation on (a loopback contents API answering after
 * 50 ms, standing in for GitHub's latency): today's path — one atomic commit, the transparency-log half of
 * `attestPending`, the GitHub commit left to the background — against the earlier shape, where the request also
 * waited for the GitHub round trip. Each iteration submits the first signal of a new strategy (a signal on GitHub
 * is final), over the production wiring on an in-memory KV; creating the strategy is not timed.
 *
 * Groups `symbols`, `settle` and `read`: a user's 20-symbol signal against a multi-factor portfolio's 500 (equal
 * weights over csi500 names) — the submission (commit + log), settling that first day (`settleStrategy`, the
 * market warm), and reading the day back (signal, settled day, trades) as `/verify` does.
 */
import { fixedClock } from "../domain/clock.ts";
import { getCalendar } from "../domain/calendar/calendar.ts";
import { settleStrategy } from "../domain/track_record/settlement/settle.ts";
import { parseConfig } from "../domain/config.ts";
import { attestPending } from "../domain/track_record/signals/attest_pending.ts";
import { submitSignal } from "../domain/track_record/signals/signals.ts";
import { createTrackedStrategy } from "../domain/track_record/signals/tracked_strategies.ts";
import { submitSignalView } from "../domain/track_record/operations.ts";
import type { TrackRecordServices } from "../domain/track_record/services.ts";
import { buildServices } from "../app/services.ts";
import { startFakeGithubContents } from "../tests/_helpers/fake_github_contents.ts";
import { captureMailer } from "../tests/_helpers/test_app.ts";

const DELAY_MS = 50;
const DAY = "2026-05-14";
const OWNER = "usr_bench";
const gh = startFakeGithubContents({ token: "ghp_bench", owner: "acme", repo: "signals" });
gh.delayMs = DELAY_MS;

async function openTrack(clock = fixedClock(Date.UTC(2026, 4, 14, 1, 0, 0))): Promise<TrackRecordServices> {
  const kv = await Deno.openKv(":memory:");
  const config = parseConfig({
    DENO_ENV: "test",
    JWT_SECRET: "bench-secret-bench-secret-bench-secret-0123456789",
    GITHUB_TOKEN: "ghp_bench",
    ATTEST_REPO: "acme/signals",
    GITHUB_API_BASE_URL: gh.apiBaseUrl,
  });
  const deps = await buildServices({
    config,
    kv,
    clock,
    mailer: captureMailer(),
    log: () => {},
    queue: { listening: () => true, enqueueHeartbeat: () => Promise.resolve() },
  });
  return deps.track;
}

let n = 0;
/** A new pending strategy (a signal committed to GitHub is final, so every iteration needs its own day). */
async function newStrategy(track: TrackRecordServices, owner = OWNER): Promise<string> {
  const slug = `bench-${n++}`;
  await createTrackedStrategy(track, owner, 1e9, {
    name: slug,
    slug,
    universe: "hs300",
    execution_price: "open",
    holding_period: 10,
    initial_capital: 1_000_000,
    commission_rate: 0.0003,
    slippage_rate: 0.002,
  });
  return slug;
}

const SIGNALS = [{ symbol: "600519.SH", weight: 0.4 }, { symbol: "000001.SZ", weight: 0.3 }];
const now = await openTrack();
const before = await openTrack();

Deno.bench(`submission: commit + log, GitHub in the background (GitHub ${DELAY_MS} ms)`, {
  group: "submit",
  baseline: true,
}, async (b) => {
  const slug = await newStrategy(now);
  b.start();
  await submitSignalView(now, OWNER, slug, { trade_date: DAY, signals: SIGNALS });
  b.end();
  // The background commit runs after the answer; it is settled outside the timed part.
  await now.background.drain();
});

Deno.bench(`submission: commit + log + GitHub inside the request (GitHub ${DELAY_MS} ms)`, {
  group: "submit",
}, async (b) => {
  const slug = await newStrategy(before);
  b.start();
  await submitSignal(before, OWNER, slug, { trade_date: DAY, signals: SIGNALS });
  await attestPending(before);
  b.end();
});

// A user's 20 symbols against a multi-factor portfolio's 500.
const SIZES = [20, 100, 500];
const sse = getCalendar("SSE");
const sizedClock = fixedClock(sse.instantAt(DAY, "09:00"));
const sized = await openTrack(sizedClock);
const csi500 = await sized.market.getUniverse("csi500");
const weightsOf = (n: number) => csi500.slice(0, n).map((symbol) => ({ symbol, weight: 1 / n }));
// Warm the market the way a running server is (the first read of a symbol generates its synthetic history).
for (const symbol of csi500) await sized.market.getBars(symbol, DAY, DAY);
await sized.market.getBars("000905.SH", sse.previousTradingDay(DAY), DAY);

let sizedOwners = 0;
/** A new strategy with its first signal of `n` symbols for `DAY`, submitted at 09:00 (not timed). */
async function submitted(n: number): Promise<string> {
  sizedClock.set(sse.instantAt(DAY, "09:00"));
  const owner = `usr_sized_${sizedOwners++}`;
  const slug = await newStrategy(sized, owner);
  await submitSignalView(sized, owner, slug, { trade_date: DAY, signals: weightsOf(n) });
  await sized.background.drain();
  return slug;
}

const settledSlugs = new Map<number, string>();
for (const n of SIZES) {
  Deno.bench(
    `submission of ${n} symbols: commit + log`,
    { group: "symbols", baseline: n === 20 },
    async (b) => {
      sizedClock.set(sse.instantAt(DAY, "09:00"));
      const slug = await newStrategy(sized);
      b.start();
      await submitSignalView(sized, OWNER, slug, { trade_date: DAY, signals: weightsOf(n) });
      b.end();
      await sized.background.drain();
    },
  );
  Deno.bench(`settling the first day of ${n} symbols`, { group: "settle", baseline: n === 20 }, async (b) => {
    const slug = await submitted(n);
    sizedClock.set(sse.instantAt(DAY, "18:15"));
    b.start();
    const out = await settleStrategy(sized, slug, DAY);
    b.end();
    if (out.status !== "settled") throw new Error(JSON.stringify(out));
    settledSlugs.set(n, slug);
  });
  Deno.bench(`reading a settled day of ${n} symbols`, { group: "read", baseline: n === 20 }, async (b) => {
    let slug = settledSlugs.get(n);
    if (!slug) {
      slug = await submitted(n);
      sizedClock.set(sse.instantAt(DAY, "18:15"));
      await settleStrategy(sized, slug, DAY);
      settledSlugs.set(n, slug);
    }
    b.start();
    await Promise.all([
      sized.signals.get(slug, DAY),
      sized.settlements.getDay(slug, DAY),
      sized.settlements.getTrades(slug, DAY),
    ]);
    b.end();
  });
}

globalThis.addEventListener("unload", () => void gh.close());
